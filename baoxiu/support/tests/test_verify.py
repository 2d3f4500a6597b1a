"""Is this number, this technician genuine? Page and API, rate limits, the badge
QR code and photo, the tracking page's technician card, footers and SMS."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from baoxiu.accounts.models import OfficialChannel, Organisation
from baoxiu.core import queue
from baoxiu.notifications.channels.sms.fake import FakeSmsChannel
from baoxiu.support.selectors import mask_address
from baoxiu.tickets.transitions import ticket_transition
from baoxiu.workforce.models import Technician, new_badge_code
from tests.factories import PASSWORD, TechnicianFactory, UserFactory, make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation(db):
    org = Organisation.objects.create(name="千锁售后", brand="千锁")
    OfficialChannel.objects.create(
        organisation=org, kind="hotline", value="400-000-0101", label="24小时服务热线"
    )
    OfficialChannel.objects.create(organisation=org, kind="website", value="https://x.example/")
    return org


@pytest.mark.parametrize("typed", ["400-000-0101", "4000000101", "400 000 0101", "+86 4000000101"])
def test_official_hotline_is_recognised_however_written(client, organisation, typed):
    page = client.get(reverse("support:verify"), {"phone": typed})
    assert page.status_code == 200
    assert 'data-official="yes"' in page.content.decode()
    api = client.get("/api/v1/verify/phone", {"number": typed}).json()
    assert api == {"official": True, "label": "24小时服务热线", "message": "这是我们的官方号码。"}


def test_unknown_number_is_not_ours(client, organisation):
    page = client.get(reverse("support:verify"), {"phone": "400-123-4567"}).content.decode()
    assert 'data-official="no"' in page
    assert "请勿开门" in page and "400-000-0101" in page
    api = client.get("/api/v1/verify/phone", {"number": "400-123-4567"}).json()
    assert api == {
        "official": False,
        "label": "",
        "message": "这不是我们的官方渠道。请勿开门，请拨打官方热线 400-000-0101 核实。",
    }


def test_too_short_number_is_a_clear_error(client, organisation):
    page = client.get(reverse("support:verify"), {"phone": "12"})
    assert page.status_code == 400 and "请输入完整的电话号码。" in page.content.decode()
    api = client.get("/api/v1/verify/phone", {"number": "12"})
    assert (api.status_code, api.json()["code"]) == (422, "invalid_number")


def test_verify_is_rate_limited_per_address(client, organisation, settings):
    settings.VERIFY_LIMIT_PER_IP = 2
    client.get("/api/v1/verify/phone", {"number": "4000000101"})
    client.get(reverse("support:verify"), {"phone": "4000000101"})
    api = client.get("/api/v1/verify/phone", {"number": "4000000101"})
    assert (api.status_code, api.json()["code"]) == (429, "rate_limited")
    page = client.get(reverse("support:verify"), {"phone": "4000000101"})
    assert page.status_code == 429 and "查询过于频繁" in page.content.decode()
    badge = client.get(f"/api/v1/verify/badge/{new_badge_code()}")
    assert badge.status_code == 429
    # Another address is not affected.
    other = Client(REMOTE_ADDR="10.0.0.2")
    assert other.get("/api/v1/verify/phone", {"number": "4000000101"}).status_code == 200


def test_badge_codes_are_unguessable_and_unique(db):
    a, b = TechnicianFactory(), TechnicianFactory()
    assert a.badge_code != b.badge_code
    assert len(a.badge_code) == 16 and set(a.badge_code) <= set("23456789ABCDEFGHJKLMNPQRSTUVWXYZ")


def test_badge_check_shows_the_technician_masked(client, organisation, technician):
    api = client.get(f"/api/v1/verify/badge/{technician.badge_code}").json()
    assert api == {
        "genuine": True,
        "name": "李**",
        "outlet": technician.outlet.name,
        "certificate_no": technician.certificate_no,
        "status": "active",
        "photo_url": None,
        "assigned_to_caller": None,
        "job_area": "",
        "job_address": "",
        "message": "这是我们的认证师傅。",
    }
    # Codes are read case-insensitively (typed from the badge).
    page = client.get(
        reverse("support:verify_badge", kwargs={"code": technician.badge_code.lower()})
    )
    html = page.content.decode()
    assert page.status_code == 200 and "李**" in html and "在职认证师傅" in html
    assert "李师傅" not in html
    # The verify form's badge field leads to the same page.
    form = client.get(reverse("support:verify"), {"badge": technician.badge_code})
    assert form.status_code == 302 and form.url == f"/verify/b/{technician.badge_code}/"


def test_suspended_technician_is_flagged(client, organisation, technician):
    Technician.objects.filter(pk=technician.pk).update(active=False)
    api = client.get(f"/api/v1/verify/badge/{technician.badge_code}").json()
    assert (api["status"], api["message"]) == ("suspended", "该师傅已停止服务，请勿开门。")
    html = client.get(f"/verify/b/{technician.badge_code}/").content.decode()
    assert 'data-status="suspended"' in html and "请勿开门" in html


def test_unknown_badge_is_not_ours(client, organisation):
    page = client.get("/verify/b/ZZZZZZZZZZZZZZZZ/")
    assert page.status_code == 404
    html = page.content.decode()
    assert "查无此工牌：不是我们的师傅。" in html and "请勿开门" in html and "400-000-0101" in html
    api = client.get("/api/v1/verify/badge/ZZZZZZZZZZZZZZZZ")
    assert (api.status_code, api.json()["code"]) == (404, "badge_unknown")
    assert "请勿开门" in api.json()["message"]


def test_badge_tells_the_caller_whether_the_technician_is_on_their_job(
    client, organisation, technician, dispatcher, fault_type
):
    ticket = make_ticket(fault_type=fault_type, phone="13800138000")
    ticket_transition(ticket=ticket, action="assign", actor=dispatcher, technician=technician)
    url = f"/api/v1/verify/badge/{technician.badge_code}"
    mine = client.get(url, {"caller": "13800138000"}).json()
    assert mine["assigned_to_caller"] is True
    assert mine["job_area"] == "广东省深圳市南山区"
    assert mine["job_address"] == "深圳市南山区****"
    assert "科技园路1号" not in mine["job_address"]
    stranger = client.get(url, {"caller": "13911112222"}).json()
    assert (stranger["assigned_to_caller"], stranger["job_address"]) == (False, "")
    bad = client.get(url, {"caller": "12345"})
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid_phone")
    html = client.post(f"/verify/b/{technician.badge_code}/", {"caller": "13911112222"})
    assert "该师傅目前没有被派往您的地址" in html.content.decode()
    html = client.post(f"/verify/b/{technician.badge_code}/", {"caller": "13800138000"})
    assert "该师傅正为您的工单服务" in html.content.decode()
    assert "深圳市南山区****" in html.content.decode()


def test_mask_address_keeps_only_the_start():
    assert mask_address("深圳市南山区科技园路1号3栋1201") == "深圳市南山区****"
    assert mask_address("短地址") == "****"
    assert mask_address("") == ""


def test_badge_qr_encodes_the_verify_url(client, technician, settings):
    settings.PUBLIC_BASE_URL = "https://service.example"
    response = client.get(f"/verify/b/{technician.badge_code}/qr.svg")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    svg = response.content.decode()
    assert svg.startswith("<svg") and "<path" in svg
    assert client.get("/verify/b/ZZZZZZZZZZZZZZZZ/qr.svg").status_code == 404
    # The QR payload is the verify URL with the badge code: the same symbol segno
    # draws for that URL, and not the one for another badge.
    import segno

    def drawn(url):
        out = io.BytesIO()
        segno.make(url, error="m").save(out, kind="svg", scale=4, border=2, xmldecl=False)
        return out.getvalue().decode().split("<path")[1]

    assert svg.split("<path")[1] == drawn(
        f"https://service.example/verify/b/{technician.badge_code}/"
    )
    assert svg.split("<path")[1] != drawn("https://service.example/verify/b/OTHERCODE2345678/")


def _image_bytes(fmt="PNG", size=(40, 50)):
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=fmt)
    return out.getvalue()


@pytest.fixture
def outlet_manager(technician):
    manager = UserFactory(username="outlet1", role="outlet_manager")
    technician.outlet.manager = manager
    technician.outlet.save(update_fields=["manager"])
    return manager


def test_outlet_manager_uploads_a_badge_photo_served_by_badge_code(
    client, technician, outlet_manager
):
    client.login(username="outlet1", password=PASSWORD)
    url = reverse("support:technician_badge", kwargs={"pk": technician.pk})
    upload = SimpleUploadedFile("me.png", _image_bytes(), content_type="image/png")
    response = client.post(url, {"photo": upload})
    assert response.status_code == 302
    technician.refresh_from_db()
    assert technician.photo.name.startswith(f"technicians/{technician.badge_code}-")
    photo = Client().get(f"/verify/b/{technician.badge_code}/photo")
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    with Image.open(io.BytesIO(photo.content)) as image:
        assert (image.format, image.size) == ("JPEG", (40, 50))  # re-encoded
    api = Client().get(f"/api/v1/verify/badge/{technician.badge_code}").json()
    assert api["photo_url"] == f"/verify/b/{technician.badge_code}/photo"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("x.gif", _image_bytes("GIF"), "照片须为 JPEG、PNG 或 WebP 格式。"),
        ("x.png", b"not an image at all", "照片须为 JPEG、PNG 或 WebP 格式。"),
        ("x.png", b"\x89PNG" + b"0" * (5 * 1024 * 1024), "照片不能超过5MB。"),
    ],
)
def test_bad_photos_are_refused(
    client, technician, outlet_manager, settings, name, content, message
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
    client.login(username="outlet1", password=PASSWORD)
    url = reverse("support:technician_badge", kwargs={"pk": technician.pk})
    response = client.post(url, {"photo": SimpleUploadedFile(name, content)})
    assert response.status_code == 400 and message in response.content.decode()
    technician.refresh_from_db()
    assert not technician.photo
    assert client.get(f"/verify/b/{technician.badge_code}/photo").status_code == 404


def test_badge_page_is_scoped_to_the_outlet(client, technician, outlet_manager):
    other = TechnicianFactory(user__username="tech-other")
    client.login(username="outlet1", password=PASSWORD)
    assert (
        client.get(reverse("support:technician_badge", kwargs={"pk": other.pk})).status_code == 404
    )
    page = client.get(reverse("support:technician_badge", kwargs={"pk": technician.pk}))
    assert page.status_code == 200 and technician.badge_code in page.content.decode()
    agent = Client()
    UserFactory(username="agent", role="agent")
    agent.login(username="agent", password=PASSWORD)
    assert (
        agent.get(reverse("support:technician_badge", kwargs={"pk": technician.pk})).status_code
        == 403
    )


def test_tracking_page_shows_the_technician_card(
    client, organisation, technician, dispatcher, fault_type
):
    ticket = make_ticket(fault_type=fault_type)
    before = client.get(ticket.tracking_path()).content.decode()
    assert 'data-testid="technician-card"' not in before
    ticket_transition(ticket=ticket, action="assign", actor=dispatcher, technician=technician)
    html = client.get(ticket.tracking_path()).content.decode()
    assert 'data-testid="technician-card"' in html
    assert technician.name in html and technician.certificate_no in html
    assert technician.outlet.name in html and "暂无评分" in html
    assert f'href="/verify/b/{technician.badge_code}/"' in html


def test_every_page_footer_names_the_hotline_and_verify_link(client, organisation, agent):
    for url in ("/", "/report/", "/verify/", "/coverage/"):
        html = client.get(url).content.decode()
        assert 'data-testid="official-footer"' in html, url
        assert "400-000-0101" in html and 'href="/verify/"' in html
    client.login(username="agent", password=PASSWORD)
    assert 'data-testid="official-footer"' in client.get("/console/tickets/").content.decode()


def test_every_sms_names_the_hotline_and_verify_link(organisation, fault_type, settings):
    settings.PUBLIC_BASE_URL = "https://service.example"
    ticket = make_ticket(fault_type=fault_type)
    queue.work(burst=True)
    texts = [m["text"] for m in FakeSmsChannel.outbox]
    assert len(texts) == 1 and ticket.code in texts[0]
    assert texts[0].endswith(
        " 官方热线400-000-0101，核实号码或师傅：https://service.example/verify/"
    )
