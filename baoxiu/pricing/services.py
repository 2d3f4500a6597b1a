"""Writes on the price list: drafts and publishing."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from baoxiu.core.errors import ConcurrentUpdate, IllegalTransition, ValidationFailed
from baoxiu.pricing.choices import VersionStatus
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
