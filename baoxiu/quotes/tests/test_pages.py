"""Quote pages: builder form errors in Chinese, the customer's decision, the
waiting panel, versions on staff and customer pages, receipt, serial history."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from baoxiu.pricing.calculator import LineRequest
from baoxiu.pricing.models import LockSerial
from baoxiu.quotes.choices import DecisionChannel
from baoxiu.quotes.models import Quote
from baoxiu.quotes.services import quote_decide, quote_submit, ticket_serial_link
from baoxiu.tickets.choices import TicketStatus
from baoxiu.tickets.models import Ticket
from tests.factories import PASSWORD, LockModelFactory, UserFactory

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def rows(ticket):
    return list(Quote.objects.filter(ticket=ticket).values_list("number", "status", "total"))


def builder(ticket):
    return reverse("quotes:job_quote", kwargs={"code": ticket.code})


def quote(ticket, technician, reason="", **line):
    return quote_submit(
        ticket=ticket,
        actor=technician.user,
        requests=[LineRequest(kind="labour", key=ticket.fault_type.code, **line)],
        reason=reason,
    )


def test_builder_lists_the_price_list_and_submits(client, on_site, technician, fault_type):
    login(client, technician.user)
    page = client.get(builder(on_site)).content.decode()
    assert fault_type.name in page and "指纹模组" in page and "¥120.00" in page

    response = client.post(
        builder(on_site),
        {
            f"qty__labour__{fault_type.code}": "1",
            "qty__part__FP-01": "1",
            "price__part__FP-01": "100",
        },
    )

    assert response.status_code == 302
    assert rows(on_site) == [(1, "pending", Decimal("210.00"))]


def test_builder_refuses_a_price_above_the_list_with_a_chinese_error(client, on_site, technician):
    login(client, technician.user)

    response = client.post(builder(on_site), {"qty__part__FP-01": "1", "price__part__FP-01": "150"})

    assert response.status_code == 400
    assert "“指纹模组”报价 ¥150.00 高于公布价 ¥120.00。" in response.content.decode()
    assert rows(on_site) == []


def test_builder_free_text_needs_a_reason(client, on_site, technician):
    login(client, technician.user)

    response = client.post(builder(on_site), {"free_name": "更换门框", "free_price": "50"})

    assert response.status_code == 400
    assert "价目表外的自定义项目“更换门框”须填写原因。" in response.content.decode()
    assert rows(on_site) == []
    client.post(
        builder(on_site),
        {"free_name": "更换门框", "free_price": "50", "free_reason": "门框开裂装不上"},
    )
    assert rows(on_site) == [(1, "pending", Decimal("80.00"))]
    page = client.get(builder(on_site)).content.decode()
    assert 'data-testid="free-text-flag"' in page and "门框开裂装不上" in page


def test_revision_without_reason_is_refused_on_the_form(client, on_site, technician, fault_type):
    quote(on_site, technician)
    login(client, technician.user)

    response = client.post(builder(on_site), {f"qty__labour__{fault_type.code}": "2"})

    assert response.status_code == 400
    assert "修改报价须填写原因，并由客户重新确认。" in response.content.decode()
    assert rows(on_site) == [(1, "pending", Decimal("110.00"))]


def test_builder_is_the_assigned_technicians_only(client, on_site, other_technician, agent):
    login(client, other_technician.user)
    assert client.get(builder(on_site)).status_code == 404
    login(client, agent)
    assert client.get(builder(on_site)).status_code == 403


def test_customer_approves_on_the_tracking_page(client, on_site, technician):
    quote(on_site, technician)
    track = client.get(on_site.tracking_path()).content.decode()
    assert 'data-testid="quote-approve"' in track and "¥110.00" in track
    decide = reverse(
        "quotes:track_decide",
        kwargs={"code": on_site.code, "token": on_site.tracking_token, "number": 1},
    )

    response = client.post(decide, {"decision": "approve"}, follow=True)

    assert "您已同意报价，师傅将开始维修。" in response.content.decode()
    assert rows(on_site) == [(1, "approved", Decimal("110.00"))]
    assert 'data-testid="quote-approve"' not in response.content.decode()


def test_customer_decision_needs_the_right_token(client, on_site, technician):
    quote(on_site, technician)
    decide = reverse(
        "quotes:track_decide",
        kwargs={"code": on_site.code, "token": "x" * 32, "number": 1},
    )

    assert client.post(decide, {"decision": "approve"}).status_code == 404
    assert rows(on_site) == [(1, "pending", Decimal("110.00"))]


def test_tracking_page_shows_every_version_and_the_reason(client, on_site, technician):
    first = quote(on_site, technician)
    quote_decide(quote=first, approve=False, via=DecisionChannel.LINK)
    quote(on_site, technician, reason="改用优惠价", unit_price=Decimal("60"))

    page = client.get(on_site.tracking_path()).content.decode()

    assert page.count('data-testid="quote-version"') == 2
    assert "改用优惠价" in page and "客户已拒绝" in page and "¥90.00" in page


def test_waiting_panel_polls_until_the_customer_decides(client, on_site, technician):
    first = quote(on_site, technician)
    login(client, technician.user)
    status_url = reverse("quotes:job_quote_status", kwargs={"code": on_site.code})

    jobs = client.get(reverse("console:my_jobs")).content.decode()
    waiting = client.get(status_url).content.decode()
    quote_decide(quote=first, approve=True, via=DecisionChannel.LINK)
    done = client.get(status_url).content.decode()

    assert "等待客户确认报价（第1版，应付 ¥110.00）" in jobs
    assert 'hx-trigger="every 3s"' in waiting and 'data-status="pending"' in waiting
    assert "客户已同意报价（第1版，应付 ¥110.00）" in done
    assert "hx-trigger" not in done and 'hx-swap-oob="true"' in done


def test_start_work_on_an_unapproved_quote_shows_why(client, on_site, technician):
    quote(on_site, technician)
    login(client, technician.user)

    response = client.post(
        reverse("console:ticket_action", kwargs={"code": on_site.code}),
        {"action": "start_work", "version": on_site.version},
        follow=True,
    )

    assert "报价（第1版）尚未经客户同意，不能继续维修。" in response.content.decode()
    assert Ticket.objects.get(pk=on_site.pk).status == TicketStatus.ON_SITE


def test_otp_form_on_the_job_page(client, on_site, technician):
    quote(on_site, technician)
    login(client, technician.user)
    url = reverse("quotes:job_code", kwargs={"code": on_site.code, "number": 1})

    response = client.post(url, {"code": "000000", "next": "jobs"}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("console:my_jobs")
    assert "验证码不正确，还可尝试 4 次。" in response.content.decode()
    assert rows(on_site)[0][1] == "pending"


def test_staff_ticket_page_shows_versions(client, on_site, technician, agent):
    quote(on_site, technician)
    login(client, agent)

    page = client.get(reverse("console:ticket_detail", kwargs={"code": on_site.code}))

    assert 'data-testid="staff-quotes"' in page.content.decode()
    assert "待客户确认" in page.content.decode()


def test_serial_history_page(client, on_site, technician, agent, other_technician):
    serial = LockSerial.objects.create(
        serial="A7-77",
        lock_model=LockModelFactory(code="a7", warranty_months=24),
        purchased_on=on_site.created_at.date() - timedelta(days=10),
    )
    ticket_serial_link(ticket=on_site, serial="A7-77", actor=technician.user)
    quote(on_site, technician)
    url = reverse("quotes:serial_history")

    login(client, agent)
    page = client.get(url, {"serial": "a7-77"}).content.decode()
    assert on_site.code in page and "¥0.00" in page and "在保" in page
    assert str(serial.warranty_end().year) in page
    login(client, other_technician.user)
    assert on_site.code not in client.get(url, {"serial": "A7-77"}).content.decode()
    login(client, UserFactory(username="ops2", role="operations"))
    assert "没有找到该序列号。" in client.get(url, {"serial": "NOPE"}).content.decode()


def test_builder_post_before_arrival_says_why(client, on_site, technician, fault_type):
    Ticket.objects.filter(pk=on_site.pk).update(status=TicketStatus.EN_ROUTE)
    login(client, technician.user)

    response = client.post(builder(on_site), {f"qty__labour__{fault_type.code}": "1"}, follow=True)

    assert "到达现场后才能报价。" in response.content.decode()
    assert rows(on_site) == []
