"""The customer's quotes, payments and lock serial, for data-subject requests.

Erasure blanks what people typed into a quote (a revision's reason, the
name and reason of a line not on the price list), unlinks the lock's serial
number from their tickets (it says which lock hangs on their door) and
replaces each receipt's link token so an old receipt link opens nothing.
Amounts, methods and times stay: they are the network's accounts.
"""

from __future__ import annotations

import secrets

from django.utils import timezone

from baoxiu.core.crypto import bearer_token_index
from baoxiu.privacy.retention import visible
from baoxiu.privacy.subjects import subject_data
from baoxiu.quotes.models import RECEIPT_TOKEN_PURPOSE, Payment, Quote, QuoteLine, TicketLock

ERASED_LINE_NAME = "价目表外项目"


def _iso(moment):
    return timezone.localtime(moment).isoformat() if moment else None


def export_quotes(customer) -> dict:
    quotes = (
        visible(Quote.objects.filter(ticket__customer=customer))
        .select_related("ticket", "serial")
        .prefetch_related("lines")
        .order_by("ticket_id", "number")
    )
    payments = visible(Payment.objects.filter(ticket__customer=customer)).select_related("ticket")
    locks = visible(TicketLock.objects.filter(ticket__customer=customer)).select_related(
        "ticket", "serial"
    )
    return {
        "quotes": [
            {
                "ticket_code": quote.ticket.code,
                "version": quote.number,
                "status": quote.get_status_display(),
                "reason": quote.reason,
                "total": str(quote.total),
                "customer_total": str(quote.customer_total),
                "in_warranty": quote.in_warranty,
                "created_at": _iso(quote.created_at),
                "decided_at": _iso(quote.decided_at),
                "lines": [
                    {
                        "name": line.name,
                        "quantity": line.quantity,
                        "unit_price": str(line.unit_price),
                        "amount": str(line.amount),
                        "not_on_price_list": line.free_text,
                        "reason": line.reason,
                    }
                    for line in quote.lines.all()
                ],
            }
            for quote in quotes
        ],
        "payments": [
            {
                "ticket_code": payment.ticket.code,
                "method": payment.get_method_display(),
                "amount": str(payment.amount),
                "paid_at": _iso(payment.paid_at),
                "provider_reference": payment.provider_reference,
            }
            for payment in payments.order_by("paid_at", "id")
        ],
        "locks": [
            {"ticket_code": lock.ticket.code, "serial": lock.serial.serial} for lock in locks
        ],
    }


def erase_quotes(customer, now) -> int:
    quotes = visible(Quote.objects.filter(ticket__customer=customer))
    changed = quotes.update(reason="", serial=None)
    changed += visible(
        QuoteLine.objects.filter(quote__ticket__customer=customer, free_text=True)
    ).update(name=ERASED_LINE_NAME, reason="")
    changed += visible(TicketLock.objects.filter(ticket__customer=customer)).delete()[0]
    for pk in visible(Payment.objects.filter(ticket__customer=customer)).values_list(
        "pk", flat=True
    ):
        token = secrets.token_urlsafe(24)
        changed += Payment.objects.filter(pk=pk).update(
            receipt_token=token,
            receipt_index=bearer_token_index(token, purpose=RECEIPT_TOKEN_PURPOSE),
        )
    return changed


subject_data("quotes", export=export_quotes, erase=erase_quotes)
