"""Division table sync, coverage import and "do we serve you?" on the real division data."""

import pytest
from django.urls import reverse

from baoxiu.areas.choices import ServiceAnswer
from baoxiu.areas.models import Coverage, CoverageImport, Division
from baoxiu.areas.selectors import address_placement, service_check
from baoxiu.areas.services import coverage_import, coverage_preview, divisions_sync
from baoxiu.core.errors import ValidationFailed
from tests.factories import PASSWORD, OutletFactory, TechnicianFactory, UserFactory

pytestmark = pytest.mark.django_db

PASTED = """本溪市南芬区

东莞市谢岗镇
鼓楼区
吉安市庐陵新区
火星市奥林匹斯区
"""


def test_division_table_is_loaded_after_migrate_and_sync_is_idempotent():
    assert Division.objects.count() == 3445
    lingshui = Division.objects.get(code="469028")
    assert (lingshui.parent_id, lingshui.level, lingshui.full_name) == (
        "460000",
        "county",
        "海南省陵水黎族自治县",
    )
    assert Division.objects.get(code="441900108").full_name == "广东省东莞市谢岗镇"
    assert divisions_sync() == 3445
    assert Division.objects.count() == 3445


def test_preview_reports_every_non_blank_line():
    lines = coverage_preview(text=PASTED)
    assert [(line.number, line.resolution.status, line.resolution.code) for line in lines] == [
        (1, "ok", "210505"),
        (3, "ok", "441900108"),
        (4, "ambiguous", None),
        (5, "ok", "360800"),
        (6, "unresolved", None),
    ]
    assert lines[2].candidate_codes == ["320106", "320302", "350102", "410204"]


def test_import_saves_resolved_and_chosen_lines_and_reports_the_rest():
    outlet = OutletFactory()
    admin = UserFactory(username="ops", role="operations")

    record = coverage_import(
        outlet=outlet,
        text=PASTED,
        choices={4: "350102"},
        emergency_available=True,
        response_hours=12,
        actor=admin,
        source="粘贴",
    )

    assert (record.lines_total, record.lines_saved) == (5, 4)
    assert record.skipped == [{"line": 6, "input": "火星市奥林匹斯区", "status": "unresolved"}]
    assert sorted(outlet.coverages.values_list("division_id", flat=True)) == [
        "210505",
        "350102",
        "360800",
        "441900108",
    ]
    assert set(outlet.coverages.values_list("emergency_available", "response_hours")) == {
        (True, 12)
    }


def test_ambiguous_line_without_a_valid_choice_is_not_saved():
    outlet = OutletFactory()
    record = coverage_import(outlet=outlet, text="鼓楼区", choices={1: "110101"})
    assert (record.lines_saved, record.skipped) == (
        0,
        [{"line": 1, "input": "鼓楼区", "status": "ambiguous"}],
    )
    assert Coverage.objects.count() == 0


def test_reimport_updates_the_promise_instead_of_duplicating():
    outlet = OutletFactory()
    coverage_import(outlet=outlet, text="本溪市南芬区", response_hours=24)
    coverage_import(outlet=outlet, text="本溪南芬区", response_hours=6, emergency_available=True)
    coverage = Coverage.objects.get()
    assert (coverage.division_id, coverage.response_hours, coverage.emergency_available) == (
        "210505",
        6,
        True,
    )
    assert CoverageImport.objects.count() == 2


def test_import_refuses_a_silly_response_time():
    with pytest.raises(ValidationFailed):
        coverage_import(outlet=OutletFactory(), text="本溪市南芬区", response_hours=0)
    assert Coverage.objects.count() == 0


def test_service_check_answers():
    near = OutletFactory(code="DG01", name="东莞谢岗网点")
    coverage_import(outlet=near, text="东莞市谢岗镇", emergency_available=True, response_hours=4)
    county = OutletFactory(code="BX01", name="本溪网点")
    coverage_import(outlet=county, text="本溪市南芬区", response_hours=24)

    served = service_check("广东省东莞市谢岗镇谢岗村12号")
    assert (served.answer, served.emergency_available, served.response_hours) == (
        ServiceAnswer.SERVED,
        True,
        4,
    )
    assert [o.code for o in served.outlets] == ["DG01"]
    assert service_check("东莞市塘厦镇").answer == ServiceAnswer.NOT_SERVED
    assert service_check("东莞市").answer == ServiceAnswer.NEED_DETAIL  # some towns served
    assert service_check("鼓楼区").answer == ServiceAnswer.NEED_DETAIL  # ambiguous
    assert service_check("杭州市西湖区").answer == ServiceAnswer.NOT_SERVED
    # Coverage of a city covers every county in it.
    coverage_import(outlet=county, text="杭州市")
    assert service_check("杭州市西湖区文三路90号").answer == ServiceAnswer.SERVED


def test_inactive_outlet_does_not_serve():
    outlet = OutletFactory(active=False)
    coverage_import(outlet=outlet, text="本溪市南芬区")
    assert service_check("本溪市南芬区").answer == ServiceAnswer.NOT_SERVED


@pytest.mark.parametrize(
    ("address", "area", "status", "code"),
    [
        ("杭州市西湖区文三路90号", "", "ok", "330106"),
        ("文三路90号", "杭州市西湖区", "ok", "330106"),
        ("鼓楼区中山路1号", "", "ambiguous", None),
        ("鼓楼区中山路1号", "福州市", "ok", "350102"),
        ("某某小区5栋", "", "unresolved", None),
    ],
)
def test_address_placement(address, area, status, code):
    placement = address_placement(address_text=address, area_name=area)
    assert (placement.status, placement.code) == (status, code)


def test_placement_honours_a_picked_division():
    placement = address_placement(address_text="鼓楼区中山路1号", division_code="320106")
    assert (placement.status, placement.code, placement.full_name) == (
        "ok",
        "320106",
        "江苏省南京市鼓楼区",
    )
    assert address_placement(address_text="x", division_code="999999").status == "unresolved"


# ---- pages ----------------------------------------------------------------------


def login(client, role):
    user = UserFactory(username=role, role=role)
    assert client.login(username=user.username, password=PASSWORD)
    return user


def test_import_page_preview_then_save(client):
    login(client, "operations")
    outlet = OutletFactory()
    url = reverse("areas:coverage_import")
    form = {"outlet": outlet.pk, "text": PASTED, "response_hours": 24}

    preview = client.post(url, {**form, "step": "preview"})
    body = preview.content.decode()
    assert preview.status_code == 200
    assert "已识别 3 行，待选择 1 行，无法识别 1 行。" in body
    assert 'name="pick_4"' in body
    assert Coverage.objects.count() == 0

    saved = client.post(url, {**form, "step": "save", "pick_4": "320106"})
    record = CoverageImport.objects.get()
    assert saved.status_code == 302
    assert saved.url == reverse("areas:coverage_import_result", kwargs={"pk": record.pk})
    assert outlet.coverages.count() == 4
    result = client.get(saved.url).content.decode()
    assert "火星市奥林匹斯区" in result


def test_import_page_accepts_an_uploaded_file(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    login(client, "operations")
    outlet = OutletFactory()
    upload = SimpleUploadedFile("areas.txt", "本溪市南芬区\n东莞市谢岗镇\n".encode())
    response = client.post(
        reverse("areas:coverage_import"),
        {"outlet": outlet.pk, "upload": upload, "response_hours": 24, "step": "save"},
    )
    assert response.status_code == 302
    assert outlet.coverages.count() == 2


def test_import_page_refuses_empty_input(client):
    login(client, "operations")
    response = client.post(
        reverse("areas:coverage_import"),
        {"outlet": OutletFactory().pk, "text": " ", "response_hours": 24, "step": "save"},
    )
    assert response.status_code == 400
    assert "请粘贴或上传服务区域列表。" in response.content.decode()
    assert CoverageImport.objects.count() == 0


@pytest.mark.parametrize("role", ["agent", "technician", "dispatcher"])
def test_import_page_is_for_operations_only(client, role):
    login(client, role)
    assert client.get(reverse("areas:coverage_import")).status_code == 403


def test_coverage_page_lists_areas_without_technicians(client):
    login(client, "operations")
    staffed = OutletFactory()
    TechnicianFactory(outlet=staffed)
    empty = OutletFactory()
    coverage_import(outlet=staffed, text="本溪市南芬区")
    coverage_import(outlet=empty, text="东莞市谢岗镇")
    body = client.get(reverse("areas:coverage")).content.decode()
    assert "1 个公布的服务区域没有在岗师傅" in body
    assert "广东省东莞市谢岗镇（441900108）" in body


def test_division_browser(client):
    login(client, "dispatcher")
    root = client.get(reverse("areas:browse")).content.decode()
    assert "海南省" in root and "广东省" in root
    hainan = client.get(reverse("areas:browse_division", args=["460000"])).content.decode()
    assert "陵水黎族自治县" in hainan
    lingshui = client.get(reverse("areas:browse_division", args=["469028"])).content.decode()
    assert "文罗镇" in lingshui
    assert client.get(reverse("areas:browse_division", args=["999999"])).status_code == 404


def test_public_coverage_page(client):
    coverage_import(outlet=OutletFactory(name="谢岗网点"), text="东莞市谢岗镇", response_hours=4)
    served = client.get(reverse("portal:coverage"), {"address": "东莞市谢岗镇"}).content.decode()
    assert 'data-answer="served"' in served and "谢岗网点" in served
    other = client.get(reverse("portal:coverage"), {"address": "鼓楼区"}).content.decode()
    assert 'data-answer="need_detail"' in other and "福建省福州市鼓楼区" in other


def test_coverage_api(client):
    coverage_import(
        outlet=OutletFactory(code="DG01"), text="东莞市谢岗镇", emergency_available=True
    )
    body = client.get("/api/v1/coverage", {"address": "东莞谢岗镇"}).json()
    assert (body["answer"], body["emergency_available"], body["outlets"]) == (
        "served",
        True,
        [{"code": "DG01", "name": body["outlets"][0]["name"]}],
    )
    assert body["resolution"]["code"] == "441900108"
    resolved = client.get("/api/v1/areas/resolve", {"q": "海南共和县"}).json()
    assert (resolved["status"], resolved["code"]) == ("ok", "632521")
    assert client.get("/api/v1/coverage").status_code == 422


def test_areas_import_command(tmp_path):
    import io

    from django.core.management import CommandError, call_command

    outlet = OutletFactory(code="CLI01")
    listing = tmp_path / "areas.txt"
    listing.write_text(PASTED, encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command(
            "areas",
            "import",
            str(listing),
            "--outlet",
            "CLI01",
            "--choose",
            "4=350102",
            "--response-hours",
            "8",
            stdout=out,
        )
    assert failed.value.returncode == 1
    assert out.getvalue().splitlines() == [
        "CLI01: 4 of 5 lines saved",
        "  line 6 unresolved: 火星市奥林匹斯区",
    ]
    assert outlet.coverages.filter(response_hours=8).count() == 4

    clean = tmp_path / "clean.txt"
    clean.write_text("本溪市南芬区\n", encoding="utf-8")
    call_command("areas", "import", str(clean), "--outlet", "CLI01", stdout=io.StringIO())
    with pytest.raises(CommandError, match="no outlet"):
        call_command("areas", "import", str(clean), "--outlet", "NOPE", stdout=io.StringIO())
