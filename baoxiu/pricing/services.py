"""Writes on the price list: drafts and publishing."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from baoxiu.core.errors import ConcurrentUpdate, IllegalTransition, ValidationFailed
from baoxiu.pricing.choices import FEE_KINDS, ItemKind, VersionStatus
from baoxiu.pricing.models import PriceItem, PriceListVersion


def price_list_draft_create(*, title: str, copy_from: PriceListVersion | None = None):
    """A new draft version, optionally with every item of ``copy_from``."""
    title = (title or "").strip()
    if not title:
        raise ValidationFailed(_("请填写版本名称。"), code="title_required")
    with transaction.atomic():
        number = (PriceListVersion.objects.aggregate(m=Max("number"))["m"] or 0) + 1
        draft = PriceListVersion.objects.create(number=number, title=title[:100])
        if copy_from is not None:
            PriceItem.objects.bulk_create(
                PriceItem(
                    version=draft,
                    kind=item.kind,
                    key=item.key,
                    name=item.name,
                    division_code=item.division_code,
                    fault_type_id=item.fault_type_id,
                    lock_model_id=item.lock_model_id,
                    amount=item.amount,
                    free_km=item.free_km,
                    sort_order=item.sort_order,
                )
                for item in copy_from.items.all()
            )
    return draft


def price_list_publish(
    *, version: PriceListVersion, effective_from: datetime | None, actor=None
) -> PriceListVersion:
    """Freeze a draft and put it in force from ``effective_from`` (default: now).

    Preconditions: the version is a draft with at least one item; the date is
    timezone-aware, not in the past (history is never rewritten: quotes
    already made stay priced by the version they used) and not the start of
    another published version. Otherwise a DomainError and nothing changes.
    """
    now = timezone.now()
    effective_from = effective_from or now
    if timezone.is_naive(effective_from):
        raise ValidationFailed(_("生效时间须带时区。"), code="invalid_effective_from")
    if effective_from < now - timedelta(minutes=1):
        raise ValidationFailed(_("生效时间不能早于现在。"), code="effective_in_past")
    if not version.is_draft:
        raise IllegalTransition(_("该版本已发布，不能再次发布。"), code="already_published")
    if not version.items.exists():
        raise ValidationFailed(_("空的价目表不能发布。"), code="empty_price_list")
    try:
        with transaction.atomic():
            won = PriceListVersion.objects.filter(pk=version.pk, status=VersionStatus.DRAFT).update(
                status=VersionStatus.PUBLISHED,
                effective_from=effective_from,
                published_at=now,
                published_by=actor,
            )
    except IntegrityError as exc:
        raise ValidationFailed(
            _("已有版本在同一时间生效，请换一个生效时间。"), code="effective_taken"
        ) from exc
    if not won:
        raise ConcurrentUpdate(_("该版本已被他人发布。"))
    version.refresh_from_db()
    return version


def _require_draft(version: PriceListVersion) -> None:
    if not PriceListVersion.objects.filter(pk=version.pk, status=VersionStatus.DRAFT).exists():
        raise IllegalTransition(_("已发布的版本不能修改，请复制为新草稿。"), code="version_frozen")


def price_item_set(
    *,
    version: PriceListVersion,
    kind: str,
    key: str,
    name: str,
    amount: Decimal,
    division_code: str = "",
    free_km: Decimal | None = None,
    lock_model_code: str = "",
) -> PriceItem:
    """Add or change one price in a draft (one per kind, key and division).

    Labour keys are fault-type codes; fee keys are the kind itself; a division
    code must exist; the distance surcharge needs its free radius.
    """
    from baoxiu.areas import resolver
    from baoxiu.catalog.models import FaultType, LockModel

    _require_draft(version)
    if kind not in ItemKind.values:
        raise ValidationFailed(_("未知的价目类别。"), code="invalid_kind")
    key, name, division_code = (
        (key or "").strip(),
        (name or "").strip(),
        (division_code or "").strip(),
    )
    fault_type = lock_model = None
    if kind in FEE_KINDS:
        key = kind
    elif kind == ItemKind.LABOUR:
        fault_type = FaultType.objects.filter(code=key).first()
        if fault_type is None:
            raise ValidationFailed(_("人工费的代码须为故障类型代码。"), code="invalid_key")
    elif not key:
        raise ValidationFailed(_("请填写配件编号。"), code="invalid_key")
    if lock_model_code:
        lock_model = LockModel.objects.filter(code=lock_model_code).first()
        if lock_model is None or kind != ItemKind.PART:
            raise ValidationFailed(
                _("只有配件可以指定适用型号，且型号须存在。"), code="invalid_model"
            )
    if division_code and resolver.division(division_code) is None:
        raise ValidationFailed(_("没有这个区划代码。"), code="invalid_division")
    if amount is None or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValidationFailed(_("价格须为不小于0的金额（最多两位小数）。"), code="invalid_price")
    if kind == ItemKind.DISTANCE and (free_km is None or free_km < 0):
        raise ValidationFailed(_("远程费须填写免费里程。"), code="free_km_required")
    name = name or (fault_type.name if fault_type else ItemKind(kind).label)
    with transaction.atomic():
        item, _created = PriceItem.objects.update_or_create(
            version=version,
            kind=kind,
            key=key[:40],
            division_code=division_code,
            defaults={
                "name": str(name)[:100],
                "amount": amount,
                "free_km": free_km if kind == ItemKind.DISTANCE else None,
                "fault_type": fault_type,
                "lock_model": lock_model,
            },
        )
    return item


def price_item_remove(*, version: PriceListVersion, item_id: int) -> None:
    _require_draft(version)
    with transaction.atomic():
        PriceItem.objects.filter(version=version, pk=item_id).delete()
