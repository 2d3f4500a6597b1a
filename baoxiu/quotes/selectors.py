"""Reads on quotes, payments and a lock's service history."""

from __future__ import annotations

import secrets

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from baoxiu.core.crypto import bearer_token_index
from baoxiu.core.errors import NotFound
from baoxiu.pricing.models import LockSerial
from baoxiu.quotes.models import RECEIPT_TOKEN_PURPOSE, Payment, Quote, QuoteLine, TicketLock


def quotes_for_ticket(ticket) -> list[Quote]:
    """Every version, newest first, with its lines and (for the latest) its payment."""
    return list(
        Quote.objects.filter(ticket=ticket)
        .select_related("price_list", "serial", "payment")
        .prefetch_related(Prefetch("lines", queryset=QuoteLine.objects.order_by("position")))
        .order_by("-number")
    )


def quote_of_ticket(ticket, number: int) -> Quote:
    quote = Quote.objects.select_related("ticket").filter(ticket=ticket, number=number).first()
    if quote is None:
        raise NotFound(_("没有找到该报价。"), code="quote_not_found")
    return quote


def payment_by_receipt(token: str) -> Payment:
    """The payment a receipt link points at; the token must match exactly."""
    payment = (
        Payment.objects.select_related("ticket__fault_type", "ticket__technician__outlet", "quote")
        .filter(receipt_index=bearer_token_index(token, purpose=RECEIPT_TOKEN_PURPOSE))
        .first()
    )
    if payment is None or not secrets.compare_digest(payment.receipt_token, token):
        raise NotFound(_("没有找到该收据。"))
    return payment


def serial_service_history(serial: LockSerial) -> QuerySet[TicketLock]:
    """Every ticket about this lock, newest first, with its quotes and payment."""
    return (
        TicketLock.objects.filter(serial=serial)
        .select_related("ticket__fault_type", "ticket__technician", "ticket__address")
        .prefetch_related(
            Prefetch("ticket__quotes", queryset=Quote.objects.order_by("-number")),
            "ticket__payments",
        )
        .order_by("-ticket__created_at")
    )
