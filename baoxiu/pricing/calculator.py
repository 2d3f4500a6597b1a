"""The one pricing calculator: which version is in force, which price applies
in a division, and what a set of quote lines costs whom.

Rules (README, "Prices and quotes"):

- The version in force at instant *t* is the published version with the
  latest ``effective_from`` ≤ *t*.
- A price applies in a division when set for that district, else its city,
  else its province, else nationally (most specific wins).
- The call-out fee is always added. The night surcharge applies when the
  visit starts between 22:00 and 07:00 Beijing time, the holiday surcharge on
  a day in the ``Holiday`` table; both may apply. The distance surcharge is
  the per-km price times every started kilometre of great-circle distance
  beyond the item's free radius, from the technician's home base (or their
  outlet) to the address point.
- Within warranty, labour, parts and the call-out fee are billed to the
  manufacturer and cost the customer nothing; surcharges and free-text lines
  are the customer's.
- A line may be priced below its published price (a discount) but never
  above it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, time
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from baoxiu.core.errors import ValidationFailed
from baoxiu.pricing.choices import ItemKind, VersionStatus
from baoxiu.pricing.models import Holiday, PriceItem, PriceListVersion

NIGHT_START = time(22, 0)
NIGHT_END = time(7, 0)
WARRANTY_KINDS = (ItemKind.LABOUR, ItemKind.PART, ItemKind.CALLOUT)
CENT = Decimal("0.01")
MAX_QUANTITY = 20
EARTH_RADIUS_KM = 6371.0088


def version_in_force(at: datetime | None = None) -> PriceListVersion | None:
    at = at or timezone.now()
    return (
        PriceListVersion.objects.filter(status=VersionStatus.PUBLISHED, effective_from__lte=at)
        .order_by("-effective_from")
        .first()
    )


def division_chain(division_code: str) -> list[str]:
    """The division and those above it, nearest first, then "" (national)."""
    from baoxiu.areas.selectors import division_ancestry

    return [*(division_ancestry(division_code) if division_code else []), ""]


@dataclass
class PriceBook:
    """The prices of one version as they apply in one division."""

    version: PriceListVersion
    division_code: str
    items: dict[tuple[str, str], PriceItem]

    def get(self, kind: str, key: str | None = None) -> PriceItem | None:
        return self.items.get((kind, key or kind))

    def of_kind(self, kind: str) -> list[PriceItem]:
        return sorted(
            (item for (k, _key), item in self.items.items() if k == kind),
            key=lambda item: (item.sort_order, item.key),
        )


def price_book(version: PriceListVersion, division_code: str = "") -> PriceBook:
    chain = division_chain(division_code)
    rank = {code: i for i, code in enumerate(chain)}
    chosen: dict[tuple[str, str], PriceItem] = {}
    items = version.items.filter(division_code__in=chain).select_related("fault_type", "lock_model")
    for item in items:
        slot = (item.kind, item.key)
        current = chosen.get(slot)
        if current is None or rank[item.division_code] < rank[current.division_code]:
            chosen[slot] = item
    return PriceBook(version=version, division_code=division_code, items=chosen)


@dataclass(frozen=True)
class LineRequest:
    """A line the technician asks for: a catalogue item, or free text with a reason."""

    kind: str  # labour, part, or "free"
    key: str = ""
    quantity: int = 1
    unit_price: Decimal | None = None  # None: the published price
    name: str = ""  # free text only
    reason: str = ""  # free text only


@dataclass
class PricedLine:
    kind: str
    key: str
    name: str
    quantity: int
    unit_price: Decimal
    list_price: Decimal | None
    amount: Decimal
    customer_amount: Decimal
    manufacturer_amount: Decimal
    free_text: bool = False
    reason: str = ""


@dataclass
class Calculation:
    version: PriceListVersion
    division_code: str
    in_warranty: bool
    lines: list[PricedLine] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    @property
    def customer_total(self) -> Decimal:
        return sum((line.customer_amount for line in self.lines), Decimal("0.00"))

    @property
    def manufacturer_total(self) -> Decimal:
        return sum((line.manufacturer_amount for line in self.lines), Decimal("0.00"))


def is_night(at: datetime) -> bool:
    local = timezone.localtime(at).time()
    return local >= NIGHT_START or local < NIGHT_END


def is_holiday(at: datetime) -> bool:
    return Holiday.objects.filter(day=timezone.localtime(at).date()).exists()


def distance_km(a: tuple[float, float] | None, b: tuple[float, float] | None) -> float | None:
    """Great-circle distance between two (latitude, longitude) points."""
    if a is None or b is None:
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def _money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _line(kind, key, name, quantity, unit_price, list_price, covered, **extra) -> PricedLine:
    amount = _money(unit_price * quantity)
    return PricedLine(
        kind=kind,
        key=key,
        name=name,
        quantity=quantity,
        unit_price=_money(unit_price),
        list_price=list_price,
        amount=amount,
        customer_amount=Decimal("0.00") if covered else amount,
        manufacturer_amount=amount if covered else Decimal("0.00"),
        **extra,
    )


def calculate(
    *,
    book: PriceBook,
    requests: list[LineRequest],
    at: datetime,
    in_warranty: bool = False,
    km: float | None = None,
    lock_model_id: int | None = None,
) -> Calculation:
    """Price ``requests`` against ``book`` for a visit at ``at``, ``km`` from base.

    Raises ValidationFailed with a machine-readable code for: an item not in
    the book (``not_in_price_list``), a price above the published one
    (``price_above_list``), a part for another lock model (``part_not_for_model``),
    a bad quantity or price (``invalid_quantity``, ``invalid_price``), a free-text
    line without name, price or reason (``free_text_reason_required``…), or no
    line at all (``empty_quote``).
    """
    calc = Calculation(version=book.version, division_code=book.division_code, in_warranty=False)
    calc.in_warranty = in_warranty
    if not requests:
        raise ValidationFailed(_("请至少添加一项维修内容。"), code="empty_quote")
    for req in requests:
        if not isinstance(req.quantity, int) or not 1 <= req.quantity <= MAX_QUANTITY:
            raise ValidationFailed(
                _("数量须为1到%(max)d之间的整数。") % {"max": MAX_QUANTITY},
                code="invalid_quantity",
            )
        if req.unit_price is not None and (
            not req.unit_price.is_finite()
            or req.unit_price < 0
            or req.unit_price != _money(req.unit_price)
        ):
            raise ValidationFailed(
                _("价格须为不小于0的金额（最多两位小数）。"), code="invalid_price"
            )
        if req.kind == "free":
            name, reason = req.name.strip(), req.reason.strip()
            if not name:
                raise ValidationFailed(_("自定义项目须填写名称。"), code="free_text_name_required")
            if not reason:
                raise ValidationFailed(
                    _("价目表外的自定义项目“%(name)s”须填写原因。") % {"name": name},
                    code="free_text_reason_required",
                )
            if req.unit_price is None:
                raise ValidationFailed(_("自定义项目须填写价格。"), code="invalid_price")
            calc.lines.append(
                _line(
                    "free",
                    "",
                    name[:100],
                    req.quantity,
                    req.unit_price,
                    None,
                    False,
                    free_text=True,
                    reason=reason[:300],
                )
            )
            continue
        if req.kind not in (ItemKind.LABOUR, ItemKind.PART):
            raise ValidationFailed(_("不能手工添加该类费用。"), code="not_in_price_list")
        item = book.get(req.kind, req.key)
        if item is None:
            raise ValidationFailed(
                _("“%(key)s”不在当前价目表中。") % {"key": req.key}, code="not_in_price_list"
            )
        if item.lock_model_id and lock_model_id and item.lock_model_id != lock_model_id:
            raise ValidationFailed(
                _("配件“%(name)s”不适用于该锁具型号。") % {"name": item.name},
                code="part_not_for_model",
            )
        price = item.amount if req.unit_price is None else req.unit_price
        if price > item.amount:
            raise ValidationFailed(
                _("“%(name)s”报价 ¥%(price)s 高于公布价 ¥%(list)s。")
                % {"name": item.name, "price": _money(price), "list": item.amount},
                code="price_above_list",
                details={"key": item.key, "list_price": str(item.amount)},
            )
        calc.lines.append(
            _line(
                item.kind,
                item.key,
                item.name,
                req.quantity,
                price,
                item.amount,
                in_warranty and item.kind in WARRANTY_KINDS,
            )
        )
    callout = book.get(ItemKind.CALLOUT)
    if callout is not None:
        calc.lines.append(_fee(callout, 1, in_warranty))
    night, holiday = book.get(ItemKind.NIGHT), book.get(ItemKind.HOLIDAY)
    if night is not None and is_night(at):
        calc.lines.append(_fee(night, 1, in_warranty))
    if holiday is not None and is_holiday(at):
        calc.lines.append(_fee(holiday, 1, in_warranty))
    distance = book.get(ItemKind.DISTANCE)
    if distance is not None and km is not None:
        extra = math.ceil(max(0.0, km - float(distance.free_km or 0)) - 1e-9)
        if extra > 0:
            calc.lines.append(_fee(distance, extra, in_warranty))
    return calc


def _fee(item: PriceItem, quantity: int, in_warranty: bool) -> PricedLine:
    return _line(
        item.kind,
        item.key,
        item.name,
        quantity,
        item.amount,
        item.amount,
        in_warranty and item.kind in WARRANTY_KINDS,
    )
