"""Quote endpoints of JSON API v1.

Staff (the assigned technician): build and revise quotes, link a serial,
approve with the code the customer read out, record the payment.
Public (the tracking token): read the quotes, approve or reject.
Every input schema forbids unknown fields, so a customer cannot slip in a
price or a total: prices come only from the price list, totals only from the
calculator.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict

from baoxiu.accounts.permissions import api_permission
from baoxiu.api.auth import staff_auth
from baoxiu.api.schemas import error_responses
from baoxiu.pricing.calculator import MAX_QUANTITY, LineRequest
from baoxiu.quotes.choices import DecisionChannel, PaymentMethod
from baoxiu.quotes.selectors import quote_of_ticket, quotes_for_ticket
from baoxiu.quotes.services import (
    PaymentRequest,
    payment_record,
    quote_code_resend,
    quote_decide,
    quote_submit,
    ticket_serial_link,
)
from baoxiu.tickets.selectors import access_ticket, ticket_by_tracking

public_router = Router(tags=["报价（客户，凭查询令牌）"])
staff_router = Router(auth=staff_auth, tags=["报价与收款（师傅）"])


class StrictSchema(Schema):
    model_config = ConfigDict(extra="forbid")


class LineIn(StrictSchema):
    kind: Literal["labour", "part", "free"] = Field(..., description="人工费、配件或价目表外项目")
    key: str = Field("", max_length=40, description="故障类型代码或配件编号（free 不填）")
    quantity: int = Field(1, ge=1, le=MAX_QUANTITY)
    unit_price: Decimal | None = Field(
        None,
        ge=0,
        max_digits=10,
        decimal_places=2,
        description="单价；不填为公布价；高于公布价被拒绝（price_above_list）",
    )
    name: str = Field("", max_length=100, description="价目表外项目名称")
    reason: str = Field("", max_length=300, description="价目表外项目的原因（必填）")


class QuoteIn(StrictSchema):
    lines: list[LineIn] = Field(..., max_length=30)
    reason: str = Field("", max_length=300, description="修改报价的原因（第2版起必填）")


class LineOut(Schema):
    kind: str
    key: str
    name: str
    quantity: int
    unit_price: Decimal
    list_price: Decimal | None
    amount: Decimal
    customer_amount: Decimal
    manufacturer_amount: Decimal
    free_text: bool
    reason: str


class QuoteOut(Schema):
    number: int
    status: str
    status_label: str
    price_list_version: int
    in_warranty: bool
    total: Decimal
    customer_total: Decimal
    manufacturer_total: Decimal
    has_free_text: bool
    reason: str
    created_at: datetime
    decided_at: datetime | None
    decided_via: str
    lines: list[LineOut]
    receipt_url: str | None


class DecisionIn(StrictSchema):
    decision: Literal["approve", "reject"]


class CodeIn(StrictSchema):
    code: str = Field(..., min_length=1, max_length=12, description="客户口述的验证码")


class SerialIn(StrictSchema):
    serial: str = Field(..., min_length=1, max_length=40)


class SerialOut(Schema):
    serial: str
    lock_model: str
    warranty_end: str | None
    in_warranty: bool


class PaymentIn(StrictSchema):
    method: PaymentMethod
    amount: Decimal = Field(..., ge=0, max_digits=10, decimal_places=2)


class PaymentOut(Schema):
    method: str
    amount: Decimal
    paid_at: datetime
    provider_reference: str
    receipt_url: str


def _quote_out(quote) -> dict:
    payment = getattr(quote, "payment", None) if _has_payment(quote) else None
    return {
        "number": quote.number,
        "status": quote.status,
        "status_label": quote.get_status_display(),
        "price_list_version": quote.price_list.number,
        "in_warranty": quote.in_warranty,
        "total": quote.total,
        "customer_total": quote.customer_total,
        "manufacturer_total": quote.manufacturer_total,
        "has_free_text": quote.has_free_text,
        "reason": quote.reason,
        "created_at": timezone.localtime(quote.created_at),
        "decided_at": timezone.localtime(quote.decided_at) if quote.decided_at else None,
        "decided_via": quote.decided_via,
        "lines": [
            {
                "kind": line.kind,
                "key": line.key,
                "name": line.name,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "list_price": line.list_price,
                "amount": line.amount,
                "customer_amount": line.customer_amount,
                "manufacturer_amount": line.manufacturer_amount,
                "free_text": line.free_text,
                "reason": line.reason,
            }
            for line in quote.lines.all()
        ],
        "receipt_url": payment.receipt_path() if payment else None,
    }


def _has_payment(quote) -> bool:
    from django.core.exceptions import ObjectDoesNotExist

    try:
        quote.payment  # noqa: B018 - reverse one-to-one raises when absent
    except ObjectDoesNotExist:
        return False
    return True


def _fresh(ticket, number: int) -> dict:
    quote = next(q for q in quotes_for_ticket(ticket) if q.number == number)
    return _quote_out(quote)


# ---- public ------------------------------------------------------------------


@public_router.get(
    "/tickets/{code}/quotes",
    response={200: list[QuoteOut], **error_responses(404, 422)},
    summary="工单的全部报价版本（凭查询令牌）",
)
def quotes_track_api(request, code: str, token: str = Query(..., max_length=64)):
    ticket = ticket_by_tracking(code, token)
    return [_quote_out(q) for q in quotes_for_ticket(ticket)]


@public_router.post(
    "/tickets/{code}/quotes/{number}/decision",
    response={200: QuoteOut, **error_responses(400, 404, 409, 415, 422)},
    summary="客户同意或拒绝报价（凭查询令牌）",
)
def quote_decision_api(
    request, code: str, number: int, payload: DecisionIn, token: str = Query(..., max_length=64)
):
    ticket = ticket_by_tracking(code, token)
    quote = quote_of_ticket(ticket, number)
    quote_decide(quote=quote, approve=payload.decision == "approve", via=DecisionChannel.LINK)
    return _fresh(ticket, number)


# ---- staff -------------------------------------------------------------------


@staff_router.get(
    "/tickets/{code}/quotes",
    response={200: list[QuoteOut], **error_responses(401, 403, 404)},
    summary="工单的全部报价版本",
)
@api_permission("quote.view")
def quotes_staff_api(request, code: str):
    ticket = access_ticket(request.auth, code)
    return [_quote_out(q) for q in quotes_for_ticket(ticket)]


@staff_router.post(
    "/tickets/{code}/quotes",
    response={201: QuoteOut, **error_responses(400, 401, 403, 404, 409, 415, 422)},
    summary="师傅提交报价或修改报价（生成新版本，须客户确认）",
)
@api_permission("quote.submit")
def quote_submit_api(request, code: str, payload: QuoteIn):
    ticket = access_ticket(request.auth, code)
    quote = quote_submit(
        ticket=ticket,
        actor=request.auth,
        requests=[
            LineRequest(
                kind=line.kind,
                key=line.key,
                quantity=line.quantity,
                unit_price=line.unit_price,
                name=line.name,
                reason=line.reason,
            )
            for line in payload.lines
        ],
        reason=payload.reason,
    )
    return Status(201, _fresh(ticket, quote.number))


@staff_router.post(
    "/tickets/{code}/quotes/{number}/code",
    response={200: QuoteOut, **error_responses(400, 401, 403, 404, 409, 415, 422)},
    summary="师傅输入客户口述的验证码，代客户同意报价",
)
@api_permission("quote.code_enter")
def quote_code_api(request, code: str, number: int, payload: CodeIn):
    ticket = access_ticket(request.auth, code)
    quote = quote_of_ticket(ticket, number)
    quote_decide(
        quote=quote, approve=True, via=DecisionChannel.CODE, code=payload.code, actor=request.auth
    )
    return _fresh(ticket, number)


@staff_router.post(
    "/tickets/{code}/quotes/{number}/code/resend",
    response={204: None, **error_responses(401, 403, 404, 409, 422, 429)},
    summary="重新发送验证码短信（每张工单每小时最多3次）",
)
@api_permission("quote.code_enter")
def quote_code_resend_api(request, code: str, number: int):
    ticket = access_ticket(request.auth, code)
    quote_code_resend(quote=quote_of_ticket(ticket, number), actor=request.auth)
    return Status(204, None)


@staff_router.post(
    "/tickets/{code}/serial",
    response={200: SerialOut, **error_responses(400, 401, 403, 404, 409, 415, 422)},
    summary="登记锁具序列号（决定是否在保）",
)
@api_permission("serial.record")
def ticket_serial_api(request, code: str, payload: SerialIn):
    ticket = access_ticket(request.auth, code)
    link = ticket_serial_link(ticket=ticket, serial=payload.serial, actor=request.auth)
    serial = link.serial
    end = serial.warranty_end()
    return {
        "serial": serial.serial,
        "lock_model": serial.lock_model.code,
        "warranty_end": end.isoformat() if end else None,
        "in_warranty": serial.in_warranty(timezone.localtime(ticket.created_at).date()),
    }


@staff_router.post(
    "/tickets/{code}/payment",
    response={201: PaymentOut, **error_responses(400, 401, 403, 404, 409, 415, 422)},
    summary="记录收款（金额须等于客户同意的报价）",
)
@api_permission("payment.record")
def payment_api(request, code: str, payload: PaymentIn):
    ticket = access_ticket(request.auth, code)
    payment = payment_record(
        ticket=ticket,
        request=PaymentRequest(method=payload.method, amount=payload.amount),
        actor=request.auth,
    )
    return Status(
        201,
        {
            "method": payment.method,
            "amount": payment.amount,
            "paid_at": timezone.localtime(payment.paid_at),
            "provider_reference": payment.provider_reference,
            "receipt_url": payment.receipt_path(),
        },
    )
