import uuid

import pytest
from django.urls import reverse

from baoxiu.customers.models import Customer
from baoxiu.tickets.choices import TicketStatus
from baoxiu.tickets.models import Ticket
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db


def report_data(fault, **overrides):
    data = {
        "name": "王小明",
        "phone": "13800138000",
        "address": "深圳市南山区科技园路1号",
        "area_name": "深圳市南山区",
        "fault_type": fault.pk,
        "description": "指纹识别失败",
        "submission_id": str(uuid.uuid4()),
        "consent": "on",
    }
    data.update(overrides)
    return data


def test_report_creates_ticket_and_redirects_to_tracking(client, fault_type):
    response = client.post(reverse("portal:report"), report_data(fault_type))
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response.url == f"/t/{ticket.code}/{ticket.tracking_token}/"
    page = client.get(response.url)
    assert page.status_code == 200
    assert ticket.code in page.content.decode()
    assert "已受理" in page.content.decode()


def test_double_submit_makes_one_ticket(client, fault_type):
    data = report_data(fault_type)
    first = client.post(reverse("portal:report"), data)
    second = client.post(reverse("portal:report"), data)
    assert first.url == second.url
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"phone": "1234"}, "请输入有效的11位中国大陆手机号码。"),
        ({"phone": "010-88888888"}, "请输入有效的11位中国大陆手机号码。"),
        ({"name": ""}, "此项为必填项。"),
        ({"address": ""}, "此项为必填项。"),
        ({"description": "锁" * 1001}, "内容过长，最多 1000 个字。"),
        ({"fault_type": "999999"}, "请从列表中选择。"),
    ],
)
def test_bad_report_explains_in_chinese_and_writes_nothing(client, fault_type, overrides, message):
    response = client.post(reverse("portal:report"), report_data(fault_type, **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert (Ticket.objects.count(), Customer.objects.count()) == (0, 0)


def test_empty_report(client, fault_type):
    response = client.post(reverse("portal:report"), {})
    assert response.status_code == 400
    assert Ticket.objects.count() == 0


def test_tracking_token_shows_only_its_own_ticket(client, fault_type):
    mine = make_ticket(fault_type=fault_type)
    other = make_ticket(fault_type=fault_type, phone="13900139000")
    assert client.get(f"/t/{mine.code}/{mine.tracking_token}/").status_code == 200
    assert client.get(f"/t/{mine.code}/{other.tracking_token}/").status_code == 404
    assert client.get(f"/t/{other.code}/{mine.tracking_token}/").status_code == 404
    last = "y" if mine.tracking_token.endswith("x") else "x"
    almost = mine.tracking_token[:-1] + last  # one character off
    assert client.get(f"/t/{mine.code}/{almost}/").status_code == 404


def test_tracking_page_hides_personal_data(client, fault_type):
    ticket = make_ticket(fault_type=fault_type, name="欧阳明珠", phone="13912345678")
    body = client.get(f"/t/{ticket.code}/{ticket.tracking_token}/").content.decode()
    assert "欧阳明珠" not in body and "13912345678" not in body
    assert ticket.status == TicketStatus.NEW


def test_tracking_partial_for_htmx_polling(client, fault_type):
    ticket = make_ticket(fault_type=fault_type)
    response = client.get(f"/t/{ticket.code}/{ticket.tracking_token}/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body and 'data-testid="ticket-status"' in body


def test_home_page(client):
    assert client.get("/").status_code == 200


def test_report_places_the_address_on_its_division(client, fault_type):
    data = report_data(fault_type, address="杭州市西湖区文三路90号", area_name="")
    client.post(reverse("portal:report"), data)
    address = Ticket.objects.get().address
    assert (address.division_id, address.area_name) == ("330106", "浙江省杭州市西湖区")
    assert (address.longitude, address.latitude) != (None, None)


def test_ambiguous_address_asks_the_customer_to_pick(client, fault_type):
    data = report_data(fault_type, address="鼓楼区中山路1号", area_name="")
    first = client.post(reverse("portal:report"), data)
    body = first.content.decode()
    assert first.status_code == 400
    assert "请选择您所在的地区" in body
    assert '<option value="350102">福建省福州市鼓楼区</option>' in body
    assert Ticket.objects.count() == 0

    wrong = client.post(reverse("portal:report"), {**data, "division": "110101"})
    assert wrong.status_code == 400 and Ticket.objects.count() == 0

    picked = client.post(reverse("portal:report"), {**data, "division": "350102"})
    assert picked.status_code == 302
    assert Ticket.objects.get().address.division_id == "350102"


def test_report_outside_the_service_area_is_taken_with_a_warning(client, fault_type):
    from baoxiu.areas.services import coverage_import
    from tests.factories import OutletFactory

    coverage_import(outlet=OutletFactory(), text="杭州市西湖区")
    inside = client.post(
        reverse("portal:report"),
        report_data(fault_type, address="杭州市西湖区文三路90号"),
        follow=True,
    )
    assert "暂未确认在我们的服务范围内" not in inside.content.decode()
    outside = client.post(
        reverse("portal:report"),
        report_data(fault_type, address="本溪市南芬区某路1号", phone="13900139000"),
        follow=True,
    )
    assert "暂未确认在我们的服务范围内" in outside.content.decode()
    assert Ticket.objects.count() == 2


def test_internal_sla_events_stay_off_the_customers_timeline(client, fault_type):
    from baoxiu.tickets.choices import EventType
    from baoxiu.tickets.services import ticket_event_record

    ticket = make_ticket(fault_type=fault_type)
    ticket_event_record(ticket=ticket, event_type=EventType.SLA_WARNING, note="派单时限将到")
    page = client.get(f"/t/{ticket.code}/{ticket.tracking_token}/").content.decode()
    assert "时限预警" not in page and "工单已创建" in page
    api = client.get(f"/api/v1/tickets/{ticket.code}", {"token": ticket.tracking_token}).json()
    assert [entry["type"] for entry in api["timeline"]] == ["created"]
    assert ticket.events.count() == 2


def test_tracking_page_shows_the_eta_once_a_technician_is_on_the_way(
    client, fault_type, technician, dispatcher
):
    from django.utils import timezone

    from baoxiu.dispatch.assignment import ticket_eta
    from baoxiu.tickets.transitions import ticket_transition

    ticket = make_ticket(fault_type=fault_type, address="深圳市南山区科技园路1号")
    url = f"/t/{ticket.code}/{ticket.tracking_token}/"
    assert 'data-testid="eta"' not in client.get(url).content.decode()
    ticket_transition(ticket=ticket, action="assign", actor=dispatcher, technician=technician)
    before = ticket_eta(ticket)
    body = client.get(url).content.decode()
    after = ticket_eta(ticket)
    shown = {f"预计 {timezone.localtime(t):%H:%M} 左右到达" for t in (before, after)}
    assert any(text in body for text in shown), shown


def test_report_needs_consent_and_records_its_version(client, fault_type):
    from baoxiu.privacy.notice import NOTICE_VERSION

    data = report_data(fault_type)
    del data["consent"]
    refused = client.post(reverse("portal:report"), data)
    assert refused.status_code == 400
    assert "请阅读并同意《个人信息保护说明》后提交。" in refused.content.decode()
    assert Ticket.objects.count() == 0
    client.post(reverse("portal:report"), {**data, "consent": "on"})
    ticket = Ticket.objects.get()
    assert ticket.consent_version == NOTICE_VERSION and ticket.consent_at is not None
    assert NOTICE_VERSION in client.get(reverse("portal:privacy_notice")).content.decode()
