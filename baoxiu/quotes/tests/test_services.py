"""Quotes: only from the price list, approved before work, every change re-approved."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from baoxiu.core import queue
from baoxiu.core.errors import DomainError
from baoxiu.core.models import OneTimeCode
from baoxiu.notifications.channels.sms.fake import FakeSmsChannel
from baoxiu.pricing.calculator import LineRequest
from baoxiu.pricing.models import LockSerial
from baoxiu.quotes.choices import DecisionChannel
from baoxiu.quotes.models import Payment, Quote, QuoteLine
from baoxiu.quotes.payments.fake import FakePaymentProvider
from baoxiu.quotes.services import (
    PaymentRequest,
    payment_record,
    quote_code_resend,
    quote_decide,
    quote_submit,
    ticket_serial_link,
)
from baoxiu.tickets.choices import TicketStatus
from baoxiu.tickets.models import Ticket
from baoxiu.tickets.transitions import ticket_transition
from tests.factories import LockModelFactory

pytestmark = pytest.mark.django_db


def labour(ticket, **kwargs):
    return LineRequest(kind="labour", key=ticket.fault_type.code, **kwargs)


def submit(ticket, technician, requests=None, reason=""):
    return quote_submit(
        ticket=ticket, actor=technician.user, requests=requests or [labour(ticket)], reason=reason
    )


def sms_code(ticket) -> str:
    """Deliver queued texts and read the latest code out of the fake SMS outbox."""
    queue.work(burst=True)
    text = [m["text"] for m in FakeSmsChannel.outbox if "验证码" in m["text"]][-1]
    assert ticket.code in text
    return text.split("验证码")[1][:6]


def quote_rows(ticket):
    return list(
        Quote.objects.filter(ticket=ticket)
        .order_by("number")
        .values_list("number", "status", "customer_total")
    )


def test_quote_is_priced_from_the_list_and_texted_with_a_code(on_site, technician):
    quote = submit(on_site, technician, [labour(on_site), LineRequest(kind="part", key="FP-01")])

    assert quote_rows(on_site) == [(1, "pending", Decimal("230.00"))]
    assert list(quote.lines.values_list("kind", "amount")) == [
        ("labour", Decimal("80.00")),
        ("part", Decimal("120.00")),
        ("callout", Decimal("30.00")),
    ]
    code = sms_code(on_site)
    assert code.isdigit() and len(code) == 6
    text = FakeSmsChannel.outbox[-1]["text"]
    assert "¥230.00" in text and on_site.tracking_url() in text
    # The code is kept only hashed; the outbox row names a template, not the code.
    assert not OneTimeCode.objects.filter(code_hash__contains=code).exists()
    assert on_site.notifications.filter(template="quote_ready", state="sent").count() == 1


def test_price_above_the_list_is_refused_and_nothing_is_written(on_site, technician):
    with pytest.raises(DomainError) as refused:
        submit(
            on_site, technician, [LineRequest(kind="part", key="FP-01", unit_price=Decimal("130"))]
        )

    assert refused.value.code == "price_above_list"
    assert Quote.objects.count() == QuoteLine.objects.count() == OneTimeCode.objects.count() == 0


def test_only_the_assigned_technician_quotes_and_only_on_site(
    on_site, technician, other_technician, fault_type
):
    with pytest.raises(DomainError) as stranger:
        submit(on_site, other_technician)
    assert stranger.value.code == "forbidden"

    Ticket.objects.filter(pk=on_site.pk).update(status=TicketStatus.EN_ROUTE)
    on_site.refresh_from_db()
    with pytest.raises(DomainError) as early:
        submit(on_site, technician)
    assert early.value.code == "quote_not_allowed"
    assert Quote.objects.count() == 0


def test_no_price_list_no_quote(on_site, technician, price_list):
    price_list.effective_from = timezone.now() + timedelta(days=1)
    price_list.save(update_fields=["effective_from"])

    with pytest.raises(DomainError) as refused:
        submit(on_site, technician)

    assert refused.value.code == "no_price_list"


def test_work_cannot_start_before_approval(on_site, technician):
    with pytest.raises(DomainError) as no_quote:
        ticket_transition(ticket=on_site, action="start_work", actor=technician.user)
    assert no_quote.value.code == "quote_required"
    quote = submit(on_site, technician)
    with pytest.raises(DomainError) as pending:
        ticket_transition(ticket=on_site, action="start_work", actor=technician.user)
    assert pending.value.code == "quote_not_approved"
    assert Ticket.objects.get(pk=on_site.pk).status == TicketStatus.ON_SITE

    quote_decide(quote=quote, approve=True, via=DecisionChannel.LINK)
    ticket = ticket_transition(ticket=on_site, action="start_work", actor=technician.user)

    assert ticket.status == TicketStatus.IN_PROGRESS


def test_rejected_quote_blocks_work_until_a_new_version_is_approved(on_site, technician):
    first = submit(on_site, technician)
    quote_decide(quote=first, approve=False, via=DecisionChannel.LINK)
    with pytest.raises(DomainError):
        ticket_transition(ticket=on_site, action="start_work", actor=technician.user)

    second = submit(
        on_site, technician, [labour(on_site, unit_price=Decimal("60"))], reason="客户嫌贵，优惠"
    )
    quote_decide(quote=second, approve=True, via=DecisionChannel.LINK)

    assert quote_rows(on_site) == [
        (1, "rejected", Decimal("110.00")),
        (2, "approved", Decimal("90.00")),
    ]
    assert ticket_transition(ticket=on_site, action="start_work", actor=technician.user).status == (
        TicketStatus.IN_PROGRESS
    )


def test_a_change_after_approval_needs_a_reason_and_a_new_approval(on_site, technician):
    first = submit(on_site, technician)
    quote_decide(quote=first, approve=True, via=DecisionChannel.LINK)
    ticket = ticket_transition(ticket=on_site, action="start_work", actor=technician.user)
    bigger = [labour(ticket), LineRequest(kind="part", key="FP-01")]

    with pytest.raises(DomainError) as no_reason:
        submit(ticket, technician, bigger)
    assert no_reason.value.code == "reason_required"
    assert quote_rows(ticket) == [(1, "approved", Decimal("110.00"))]

    submit(ticket, technician, bigger, reason="拆开后发现指纹模组损坏")
    with pytest.raises(DomainError) as blocked:
        ticket_transition(ticket=ticket, action="complete", actor=technician.user)
    assert blocked.value.code == "quote_not_approved"
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.IN_PROGRESS
    # Every version is kept: the approved first and the pending second.
    assert quote_rows(ticket) == [
        (1, "approved", Decimal("110.00")),
        (2, "pending", Decimal("230.00")),
    ]


def test_a_new_version_supersedes_a_pending_one_which_can_no_longer_be_approved(
    on_site, technician
):
    first = submit(on_site, technician)
    submit(on_site, technician, [labour(on_site, quantity=2)], reason="两把锁")

    with pytest.raises(DomainError) as stale:
        quote_decide(quote=first, approve=True, via=DecisionChannel.LINK)

    assert stale.value.code == "quote_superseded"
    assert quote_rows(on_site) == [
        (1, "superseded", Decimal("110.00")),
        (2, "pending", Decimal("190.00")),
    ]


def test_code_read_out_to_the_technician_approves(on_site, technician, other_technician):
    quote = submit(on_site, technician)
    code = sms_code(on_site)

    with pytest.raises(DomainError) as stranger:
        quote_decide(
            quote=quote,
            approve=True,
            via=DecisionChannel.CODE,
            code=code,
            actor=other_technician.user,
        )
    assert stranger.value.code == "forbidden"
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(DomainError) as bad:
        quote_decide(
            quote=quote, approve=True, via=DecisionChannel.CODE, code=wrong, actor=technician.user
        )
    assert bad.value.code == "otp_invalid"
    assert quote_rows(on_site) == [(1, "pending", Decimal("110.00"))]

    quote = quote_decide(
        quote=quote, approve=True, via=DecisionChannel.CODE, code=code, actor=technician.user
    )

    assert (quote.status, quote.decided_via) == ("approved", "code")


def test_code_of_a_superseded_version_does_not_approve_the_new_one(on_site, technician):
    first = submit(on_site, technician)
    old_code = sms_code(on_site)
    second = submit(on_site, technician, [labour(on_site, quantity=2)], reason="两把锁")
    new_code = sms_code(on_site)

    if old_code != new_code:
        with pytest.raises(DomainError) as refused:
            quote_decide(
                quote=second,
                approve=True,
                via=DecisionChannel.CODE,
                code=old_code,
                actor=technician.user,
            )
        assert refused.value.code == "otp_invalid"
    with pytest.raises(DomainError):
        quote_decide(
            quote=first,
            approve=True,
            via=DecisionChannel.CODE,
            code=old_code,
            actor=technician.user,
        )
    assert quote_rows(on_site)[1][1] == "pending"


def test_resend_replaces_the_code(on_site, technician):
    quote = submit(on_site, technician)
    sms_code(on_site)

    quote_code_resend(quote=quote, actor=technician.user)

    assert len([m for m in FakeSmsChannel.outbox if "验证码" in m["text"]]) == 1
    fresh = sms_code(on_site)
    assert len([m for m in FakeSmsChannel.outbox if "验证码" in m["text"]]) == 2
    assert OneTimeCode.objects.filter(revoked=True).count() == 1
    assert quote_decide(
        quote=quote, approve=True, via=DecisionChannel.CODE, code=fresh, actor=technician.user
    ).is_approved


def test_in_warranty_lines_cost_the_customer_nothing(on_site, technician, fault_type):
    model = LockModelFactory(code="a7", warranty_months=24)
    reported = on_site.created_at.date()
    LockSerial.objects.create(
        serial="A7-0001", lock_model=model, purchased_on=reported - timedelta(days=200)
    )
    LockSerial.objects.create(serial="A7-OLD", lock_model=model, installed_on=date(2020, 1, 1))

    ticket_serial_link(ticket=on_site, serial="a7-0001", actor=technician.user)
    covered = submit(on_site, technician, [labour(on_site), LineRequest(kind="part", key="FP-01")])
    ticket_serial_link(ticket=on_site, serial="A7-OLD", actor=technician.user)
    expired = submit(on_site, technician, [labour(on_site)], reason="序列号登记错误")

    assert (covered.in_warranty, covered.customer_total, covered.manufacturer_total) == (
        True,
        Decimal("0.00"),
        Decimal("230.00"),
    )
    assert (expired.in_warranty, expired.customer_total, expired.manufacturer_total) == (
        False,
        Decimal("110.00"),
        Decimal("0.00"),
    )


def test_serial_link_refusals(on_site, technician, other_technician):
    LockSerial.objects.create(serial="B9-1", lock_model=LockModelFactory(code="b9"))
    Ticket.objects.filter(pk=on_site.pk).update(lock_model=LockModelFactory(code="a7"))
    on_site.refresh_from_db()

    for serial, actor, code in [
        ("NOPE", technician, "serial_unknown"),
        ("B9-1", technician, "serial_model_mismatch"),
        ("B9-1", other_technician, "forbidden"),
    ]:
        with pytest.raises(DomainError) as refused:
            ticket_serial_link(ticket=on_site, serial=serial, actor=actor.user)
        assert refused.value.code == code
    assert not on_site.__class__.objects.filter(lock_record__isnull=False).exists()


def _approved_and_working(ticket, technician):
    quote = submit(ticket, technician, [labour(ticket), LineRequest(kind="part", key="FP-01")])
    quote_decide(quote=quote, approve=True, via=DecisionChannel.LINK)
    ticket = ticket_transition(ticket=ticket, action="start_work", actor=technician.user)
    return ticket_transition(ticket=ticket, action="complete", actor=technician.user), quote


def test_the_bill_is_the_approved_quote(on_site, technician):
    ticket, quote = _approved_and_working(on_site, technician)

    with pytest.raises(DomainError) as short:
        payment_record(
            ticket=ticket,
            request=PaymentRequest(method="wechat", amount=Decimal("200.00")),
            actor=technician.user,
        )
    assert short.value.code == "amount_mismatch"
    assert Payment.objects.count() == 0 and FakePaymentProvider.collected == []

    payment = payment_record(
        ticket=ticket,
        request=PaymentRequest(method="wechat", amount=Decimal("230.00")),
        actor=technician.user,
    )

    assert (payment.amount, payment.method, payment.quote, payment.provider) == (
        Decimal("230.00"),
        "wechat",
        quote,
        "fake",
    )
    assert payment.provider_reference == "FAKE-000001"
    assert [c["amount"] for c in FakePaymentProvider.collected] == [Decimal("230.00")]
    with pytest.raises(DomainError) as twice:
        payment_record(
            ticket=ticket,
            request=PaymentRequest(method="cash", amount=Decimal("230.00")),
            actor=technician.user,
        )
    assert twice.value.code == "already_paid"
    with pytest.raises(DomainError) as revise:
        submit(ticket, technician, reason="再改")
    assert revise.value.code == "quote_not_allowed"  # completed
    assert Payment.objects.count() == 1


def test_payment_refusals(on_site, technician):
    with pytest.raises(DomainError) as early:
        payment_record(
            ticket=on_site,
            request=PaymentRequest(method="cash", amount=Decimal("110.00")),
            actor=technician.user,
        )
    assert early.value.code == "not_payable"
    ticket, _quote = _approved_and_working(on_site, technician)
    FakePaymentProvider.fail_next = True
    with pytest.raises(DomainError) as declined:
        payment_record(
            ticket=ticket,
            request=PaymentRequest(method="alipay", amount=Decimal("230.00")),
            actor=technician.user,
        )
    assert declined.value.code == "payment_failed"
    with pytest.raises(DomainError) as method:
        payment_record(
            ticket=ticket,
            request=PaymentRequest(method="bitcoin", amount=Decimal("230.00")),
            actor=technician.user,
        )
    assert method.value.code == "invalid_method"
    assert Payment.objects.count() == 0


def test_paid_while_in_progress_the_quote_is_final(on_site, technician):
    quote = submit(on_site, technician)
    quote_decide(quote=quote, approve=True, via=DecisionChannel.LINK)
    ticket = ticket_transition(ticket=on_site, action="start_work", actor=technician.user)
    payment_record(
        ticket=ticket,
        request=PaymentRequest(method="cash", amount=Decimal("110.00")),
        actor=technician.user,
    )

    with pytest.raises(DomainError) as refused:
        submit(ticket, technician, reason="再加一项")

    assert refused.value.code == "already_paid"
    assert quote_rows(ticket) == [(1, "approved", Decimal("110.00"))]
