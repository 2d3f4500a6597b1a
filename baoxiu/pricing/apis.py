"""The price list as JSON (read-only, public)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from baoxiu.api.schemas import error_responses
from baoxiu.areas import resolver
from baoxiu.core.errors import NotFound, ValidationFailed
from baoxiu.pricing.selectors import price_board

router = Router(tags=["价目表（公开）"])


class PriceItemOut(Schema):
    kind: str
    key: str
    name: str
    amount: Decimal
    division_code: str = Field(..., description="该价格所属区划；空为全国价")
    lock_model: str | None = None
    free_km: Decimal | None = None


class PriceListOut(Schema):
    version: int
    title: str
    effective_from: datetime
    division_code: str
    division_name: str
    labour: list[PriceItemOut]
    parts: list[PriceItemOut]
    fees: list[PriceItemOut]


class PriceQuery(Schema):
    division: str = Field("", max_length=9, description="区划代码（可选），如 440305")


@router.get(
    "/prices",
    response={200: PriceListOut, **error_responses(404, 422)},
    summary="现行价目表（可按区县）",
    description="返回当前生效版本在该区划适用的价格（区县 > 城市 > 省 > 全国，最具体者优先）。",
)
def price_list_api(request, query: Query[PriceQuery]):
    if query.division and resolver.division(query.division) is None:
        raise ValidationFailed(_("没有这个区划代码。"), code="invalid_division")
    board = price_board(division_code=query.division)
    if board.book is None:
        raise NotFound(_("价目表尚未发布。"), code="no_price_list")
    version = board.book.version
    return {
        "version": version.number,
        "title": version.title,
        "effective_from": timezone.localtime(version.effective_from),
        "division_code": board.book.division_code,
        "division_name": board.division_name,
        "labour": [_item(i) for i in board.labour],
        "parts": [_item(i) for i in board.parts],
        "fees": [_item(i) for i in board.fees],
    }


def _item(item) -> dict:
    return {
        "kind": item.kind,
        "key": item.key,
        "name": item.name,
        "amount": item.amount,
        "division_code": item.division_code,
        "lock_model": item.lock_model.code if item.lock_model else None,
        "free_km": item.free_km,
    }
