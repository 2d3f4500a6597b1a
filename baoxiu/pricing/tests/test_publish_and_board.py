"""Operations publish versions; anyone reads the board (page and JSON)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from baoxiu.core.errors import DomainError
from baoxiu.pricing.models import PriceItem, PriceListVersion
from baoxiu.pricing.services import price_list_draft_create, price_list_publish
from tests.factories import PASSWORD, LockModelFactory, UserFactory, make_price_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def operations(db):
    return UserFactory(username="ops", role="operations")


def state(version):
    return PriceListVersion.objects.values_list("status", "effective_from").get(pk=version.pk)


def test_draft_copies_the_version_in_force_and_publishes_in_the_future(fault_type, operations):
    current = make_price_list(fault_types=[fault_type])
    draft = price_list_draft_create(title="2027 新价", copy_from=current)
    assert draft.number == current.number + 1 and draft.status == "draft"
    assert draft.items.count() == current.items.count() == 6
    starts = timezone.now() + timedelta(days=3)

    price_list_publish(version=draft, effective_from=starts, actor=operations)

    draft.refresh_from_db()
    assert (draft.status, draft.effective_from, draft.published_by) == (
        "published",
        starts,
        operations,
    )
    # Old version stays readable and in force until the new one starts.
    from baoxiu.pricing.calculator import version_in_force

    assert version_in_force() == current
    assert version_in_force(starts) == draft


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        ("published", "already_published"),
        ("empty", "empty_price_list"),
        ("past", "effective_in_past"),
        ("taken", "effective_taken"),
    ],
)
def test_publish_refusals_change_nothing(fault_type, operations, setup, code):
    current = make_price_list(fault_types=[fault_type])
    starts = timezone.now() + timedelta(days=1)
    if setup == "published":
        version, when = current, starts
    elif setup == "empty":
        version, when = price_list_draft_create(title="空"), starts
    elif setup == "past":
        version = price_list_draft_create(title="补", copy_from=current)
        when = timezone.now() - timedelta(hours=1)
    else:
        make_price_list(fault_types=[fault_type], effective_from=starts)
        version, when = price_list_draft_create(title="撞", copy_from=current), starts
    before = state(version)

    with pytest.raises(DomainError) as refused:
        price_list_publish(version=version, effective_from=when, actor=operations)

    assert refused.value.code == code
    assert state(version) == before


def test_console_page_publishes_for_operations_only(client, fault_type, operations):
    current = make_price_list(fault_types=[fault_type])
    draft = price_list_draft_create(title="新价", copy_from=current)
    url = reverse("pricing:publish", kwargs={"number": draft.number})

    client.login(username=UserFactory(username="agent1", role="agent").username, password=PASSWORD)
    assert client.get(reverse("pricing:versions")).status_code == 403
    assert client.post(url, {"effective_from": ""}).status_code == 403
    assert state(draft)[0] == "draft"

    client.login(username=operations.username, password=PASSWORD)
    page = client.get(reverse("pricing:versions"))
    assert page.status_code == 200 and f"V{draft.number}" in page.content.decode()
    response = client.post(url, {"effective_from": ""}, follow=True)
    assert "已发布" in response.content.decode()
    assert state(draft)[0] == "published"

    again = client.post(url, {"effective_from": ""}, follow=True)
    assert "该版本已发布，不能再次发布。" in again.content.decode()


def test_console_draft_copy(client, fault_type, operations):
    current = make_price_list(fault_types=[fault_type])
    client.login(username=operations.username, password=PASSWORD)

    client.post(reverse("pricing:draft_create"), {"title": "春节调价"})

    draft = PriceListVersion.objects.get(title="春节调价")
    assert draft.status == "draft" and draft.items.count() == current.items.count()


def test_admin_action_publishes(client, fault_type):
    admin = UserFactory(username="root", role="admin", is_staff=True, is_superuser=True)
    draft = price_list_draft_create(
        title="后台发布", copy_from=make_price_list(fault_types=[fault_type])
    )
    client.login(username=admin.username, password=PASSWORD)

    client.post(
        reverse("admin:pricing_pricelistversion_changelist"),
        {"action": "publish_now", "_selected_action": [draft.pk]},
    )

    assert state(draft)[0] == "published"


def test_board_page_shows_version_and_local_prices(client, fault_type):
    version = make_price_list(fault_types=[fault_type])
    PriceItem.objects.create(
        version=version,
        kind="labour",
        key=fault_type.code,
        name=fault_type.name,
        division_code="440300",
        amount=Decimal("95"),
    )
    PriceItem.objects.create(
        version=version,
        kind="part",
        key="A7-MOTOR",
        name="A7 电机",
        lock_model=LockModelFactory(code="a7", name="安居 A7"),
        amount=Decimal("150"),
    )

    national = client.get(reverse("pricing:board")).content.decode()
    local = client.get(reverse("pricing:board"), {"area": "深圳市南山区"}).content.decode()

    assert f"价目表 V{version.number}" in national and "全国统一价" in national
    assert "¥80.00" in national and "¥95.00" not in national
    assert "安居 A7" in national and "¥150.00" in national
    assert "广东省深圳市南山区" in local and "¥95.00" in local


def test_board_page_without_a_published_list(client):
    assert "价目表尚未发布。" in client.get(reverse("pricing:board")).content.decode()


def test_price_api_by_division(client, fault_type):
    version = make_price_list(fault_types=[fault_type])
    PriceItem.objects.create(
        version=version,
        kind="callout",
        key="callout",
        name="上门费",
        division_code="440305",
        amount=Decimal("20"),
    )

    body = client.get("/api/v1/prices", {"division": "440305"}).json()

    assert body["version"] == version.number
    assert body["division_name"] == "广东省深圳市南山区"
    assert [(i["key"], i["amount"]) for i in body["labour"]] == [(fault_type.code, "80.00")]
    assert [(i["key"], i["amount"], i["division_code"]) for i in body["fees"]][0] == (
        "callout",
        "20.00",
        "440305",
    )
    assert [i["kind"] for i in body["fees"]] == ["callout", "night", "holiday", "distance"]


def test_price_api_errors(client, fault_type):
    none = client.get("/api/v1/prices")
    assert (none.status_code, none.json()["code"]) == (404, "no_price_list")
    make_price_list(fault_types=[fault_type])
    bad = client.get("/api/v1/prices", {"division": "999999"})
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid_division")


def test_operations_edit_a_draft_on_the_console(client, fault_type, operations):
    current = make_price_list(fault_types=[fault_type])
    draft = price_list_draft_create(title="调价", copy_from=current)
    url = reverse("pricing:version_detail", kwargs={"number": draft.number})
    client.login(username=operations.username, password=PASSWORD)

    client.post(url, {"kind": "labour", "key": fault_type.code, "amount": "95"})
    client.post(
        url, {"kind": "callout", "division_code": "440305", "name": "南山上门费", "amount": "40"}
    )
    refused = client.post(url, {"kind": "distance", "amount": "4"})

    assert refused.status_code == 400
    assert "远程费须填写免费里程。" in refused.content.decode()
    labour = draft.items.get(kind="labour", division_code="")
    assert (labour.amount, labour.fault_type) == (Decimal("95.00"), fault_type)
    assert draft.items.get(kind="callout", division_code="440305").amount == Decimal("40.00")
    assert draft.items.get(kind="distance").amount == Decimal("3.00")
    # The published version is untouched and frozen.
    assert current.items.get(kind="labour").amount == Decimal("80.00")
    frozen = client.post(
        reverse("pricing:version_detail", kwargs={"number": current.number}),
        {"kind": "labour", "key": fault_type.code, "amount": "1"},
    )
    assert "已发布的版本不能修改，请复制为新草稿。" in frozen.content.decode()
    assert current.items.get(kind="labour").amount == Decimal("80.00")
    remove = reverse("pricing:item_remove", kwargs={"number": current.number, "item_id": labour.pk})
    client.post(remove)
    assert draft.items.filter(pk=labour.pk).exists()


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"kind": "labour", "key": "nope", "amount": Decimal("1")}, "invalid_key"),
        ({"kind": "part", "key": "", "amount": Decimal("1")}, "invalid_key"),
        (
            {"kind": "part", "key": "P1", "amount": Decimal("1"), "division_code": "99"},
            "invalid_division",
        ),
        (
            {"kind": "labour", "key": "x", "amount": Decimal("1"), "lock_model_code": "zz"},
            "invalid_key",
        ),
        (
            {"kind": "callout", "key": "", "amount": Decimal("1"), "lock_model_code": "zz"},
            "invalid_model",
        ),
        ({"kind": "part", "key": "P1", "amount": Decimal("-1")}, "invalid_price"),
        ({"kind": "bogus", "key": "P1", "amount": Decimal("1")}, "invalid_kind"),
    ],
)
def test_price_item_refusals(fault_type, data, code):
    from baoxiu.pricing.services import price_item_set

    draft = price_list_draft_create(title="草稿")

    with pytest.raises(DomainError) as refused:
        price_item_set(version=draft, name="", **data)

    assert refused.value.code == code
    assert draft.items.count() == 0
