"""Reads on prices: the versions, the board customers see, serial look-ups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, QuerySet

from baoxiu.pricing.calculator import PriceBook, price_book, version_in_force
from baoxiu.pricing.choices import ItemKind
from baoxiu.pricing.models import LockSerial, PriceListVersion


def price_list_versions() -> QuerySet[PriceListVersion]:
    return PriceListVersion.objects.annotate(item_count=Count("items")).order_by("-number")


@dataclass
class PriceBoard:
    book: PriceBook | None
    division_name: str
    next_version: PriceListVersion | None

    def section(self, kind: str):
        return self.book.of_kind(kind) if self.book else []

    @property
    def labour(self):
        return self.section(ItemKind.LABOUR)

    @property
    def parts(self):
        return self.section(ItemKind.PART)

    @property
    def fees(self):
        if not self.book:
            return []
        return [
            item
            for kind in (ItemKind.CALLOUT, ItemKind.NIGHT, ItemKind.HOLIDAY, ItemKind.DISTANCE)
            if (item := self.book.get(kind)) is not None
        ]


def price_board(*, division_code: str = "", at: datetime | None = None) -> PriceBoard:
    """Prices in force now (or at ``at``) for a division, plus the next version announced."""
    from django.utils import timezone

    from baoxiu.areas import resolver

    at = at or timezone.now()
    version = version_in_force(at)
    division = resolver.division(division_code) if division_code else None
    upcoming = (
        PriceListVersion.objects.filter(status="published", effective_from__gt=at)
        .order_by("effective_from")
        .first()
    )
    return PriceBoard(
        book=price_book(version, division.code if division else "") if version else None,
        division_name=division.full_name if division else "",
        next_version=upcoming,
    )


def lock_serial_by_number(serial: str) -> LockSerial | None:
    serial = (serial or "").strip().upper()
    if not serial:
        return None
    return LockSerial.objects.select_related("lock_model").filter(serial=serial).first()
