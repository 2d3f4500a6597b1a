"""The one pricing calculator: version in force, regional overrides, surcharges, warranty."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from baoxiu.core.errors import ValidationFailed
from baoxiu.pricing.calculator import (
    LineRequest,
    calculate,
    distance_km,
    price_book,
    version_in_force,
)
from baoxiu.pricing.models import Holiday, LockSerial, PriceItem
from tests.factories import LockModelFactory, make_price_list

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
DAYTIME = datetime(2026, 3, 10, 14, 0, tzinfo=SH)  # a Tuesday afternoon, no holiday


def amounts(calc):
    return [(line.kind, line.quantity, line.amount, line.customer_amount) for line in calc.lines]


def test_version_in_force_is_the_latest_started(fault_type):
    now = timezone.now()
    v1 = make_price_list(fault_types=[fault_type], effective_from=now - timedelta(days=30))
    v2 = make_price_list(fault_types=[fault_type], effective_from=now - timedelta(days=2))
    v3 = make_price_list(fault_types=[fault_type], effective_from=now + timedelta(days=5))

    assert version_in_force(now - timedelta(days=31)) is None
    assert version_in_force(now - timedelta(days=30)) == v1
    assert version_in_force(now - timedelta(days=3)) == v1
    assert version_in_force(now) == v2
    assert version_in_force(now + timedelta(days=5)) == v3


def test_draft_is_never_in_force(fault_type):
    version = make_price_list(fault_types=[fault_type])
    version.status = "draft"
    version.save(update_fields=["status"])

    assert version_in_force() is None


def test_labour_plus_callout_in_the_daytime(fault_type):
    book = price_book(make_price_list(fault_types=[fault_type]), "440305")

    calc = calculate(
        book=book, requests=[LineRequest(kind="labour", key=fault_type.code)], at=DAYTIME
    )

    assert amounts(calc) == [
        ("labour", 1, Decimal("80.00"), Decimal("80.00")),
        ("callout", 1, Decimal("30.00"), Decimal("30.00")),
    ]
    assert (calc.total, calc.customer_total, calc.manufacturer_total) == (
        Decimal("110.00"),
        Decimal("110.00"),
        Decimal("0.00"),
    )


@pytest.mark.parametrize(
    ("hour", "minute", "night"),
    [(21, 59, False), (22, 0, True), (3, 0, True), (6, 59, True), (7, 0, False)],
)
def test_night_surcharge_between_22_and_7(fault_type, hour, minute, night):
    book = price_book(make_price_list(fault_types=[fault_type]), "")
    at = datetime(2026, 3, 10, hour, minute, tzinfo=SH)

    calc = calculate(book=book, requests=[LineRequest(kind="labour", key=fault_type.code)], at=at)

    assert ("night" in [line.kind for line in calc.lines]) is night
    assert calc.total == Decimal("110.00") + (Decimal("50.00") if night else 0)


def test_holiday_surcharge_on_a_listed_day_both_surcharges_at_a_holiday_night(fault_type):
    Holiday.objects.create(day=date(2026, 10, 1), name="国庆节")
    book = price_book(make_price_list(fault_types=[fault_type]), "")
    labour = [LineRequest(kind="labour", key=fault_type.code)]

    afternoon = calculate(book=book, requests=labour, at=datetime(2026, 10, 1, 15, tzinfo=SH))
    night = calculate(book=book, requests=labour, at=datetime(2026, 10, 1, 23, tzinfo=SH))
    next_day = calculate(book=book, requests=labour, at=datetime(2026, 10, 2, 15, tzinfo=SH))

    assert [line.kind for line in afternoon.lines] == ["labour", "callout", "holiday"]
    assert [line.kind for line in night.lines] == ["labour", "callout", "night", "holiday"]
    assert night.total == Decimal("200.00")
    assert [line.kind for line in next_day.lines] == ["labour", "callout"]


def test_distance_surcharge_per_started_km_beyond_the_free_radius(fault_type):
    book = price_book(make_price_list(fault_types=[fault_type]), "")
    labour = [LineRequest(kind="labour", key=fault_type.code)]

    near = calculate(book=book, requests=labour, at=DAYTIME, km=10.0)
    far = calculate(book=book, requests=labour, at=DAYTIME, km=12.3)

    assert [line.kind for line in near.lines] == ["labour", "callout"]
    assert amounts(far)[-1] == ("distance", 3, Decimal("9.00"), Decimal("9.00"))


def test_distance_is_great_circle_km():
    # Shenzhen Nanshan to Futian centre: about 11 km apart.
    assert distance_km((22.533, 113.930), (22.541, 114.055)) == pytest.approx(12.9, abs=0.3)
    assert distance_km(None, (22.5, 114.0)) is None


def test_most_specific_division_wins(fault_type):
    version = make_price_list(fault_types=[fault_type])
    for code, amount in [("440000", "90"), ("440300", "100"), ("440305", "120")]:
        PriceItem.objects.create(
            version=version,
            kind="labour",
            key=fault_type.code,
            name=fault_type.name,
            division_code=code,
            amount=Decimal(amount),
        )
    labour = [LineRequest(kind="labour", key=fault_type.code)]

    def labour_price(division):
        calc = calculate(book=price_book(version, division), requests=labour, at=DAYTIME)
        return calc.lines[0].unit_price

    assert labour_price("440305") == Decimal("120.00")  # Nanshan district
    assert labour_price("440304") == Decimal("100.00")  # Futian: Shenzhen city price
    assert labour_price("440106") == Decimal("90.00")  # Guangzhou Tianhe: Guangdong price
    assert labour_price("110101") == Decimal("80.00")  # Beijing Dongcheng: national
    assert labour_price("") == Decimal("80.00")


def test_warranty_bills_labour_parts_and_callout_to_the_manufacturer(fault_type):
    book = price_book(make_price_list(fault_types=[fault_type]), "")
    requests = [
        LineRequest(kind="labour", key=fault_type.code),
        LineRequest(kind="part", key="FP-01", quantity=2),
        LineRequest(kind="free", name="门框打磨", unit_price=Decimal("20"), reason="门框变形"),
    ]
    at = datetime(2026, 3, 10, 23, tzinfo=SH)

    calc = calculate(book=book, requests=requests, at=at, in_warranty=True, km=11.5)

    assert amounts(calc) == [
        ("labour", 1, Decimal("80.00"), Decimal("0.00")),
        ("part", 2, Decimal("240.00"), Decimal("0.00")),
        ("free", 1, Decimal("20.00"), Decimal("20.00")),
        ("callout", 1, Decimal("30.00"), Decimal("0.00")),
        ("night", 1, Decimal("50.00"), Decimal("50.00")),
        ("distance", 2, Decimal("6.00"), Decimal("6.00")),
    ]
    assert calc.manufacturer_total == Decimal("350.00")
    assert calc.customer_total == Decimal("76.00")
    assert calc.total == calc.manufacturer_total + calc.customer_total


def test_a_discount_is_allowed_a_higher_price_is_refused(fault_type):
    book = price_book(make_price_list(fault_types=[fault_type]), "")

    cheaper = calculate(
        book=book,
        requests=[LineRequest(kind="part", key="FP-01", unit_price=Decimal("100"))],
        at=DAYTIME,
    )
    with pytest.raises(ValidationFailed) as refused:
        calculate(
            book=book,
            requests=[LineRequest(kind="part", key="FP-01", unit_price=Decimal("120.01"))],
            at=DAYTIME,
        )

    assert cheaper.lines[0].amount == Decimal("100.00")
    assert cheaper.lines[0].list_price == Decimal("120.00")
    assert refused.value.code == "price_above_list"
    assert refused.value.details == {"key": "FP-01", "list_price": "120.00"}


@pytest.mark.parametrize(
    ("request_", "code"),
    [
        (LineRequest(kind="labour", key="no-such-fault"), "not_in_price_list"),
        (LineRequest(kind="callout", key="callout"), "not_in_price_list"),
        (LineRequest(kind="part", key="FP-01", quantity=0), "invalid_quantity"),
        (LineRequest(kind="part", key="FP-01", quantity=21), "invalid_quantity"),
        (LineRequest(kind="part", key="FP-01", unit_price=Decimal("-1")), "invalid_price"),
        (LineRequest(kind="part", key="FP-01", unit_price=Decimal("1.005")), "invalid_price"),
        (
            LineRequest(kind="free", name="", unit_price=Decimal("5"), reason="x"),
            "free_text_name_required",
        ),
        (
            LineRequest(kind="free", name="打孔", unit_price=Decimal("5")),
            "free_text_reason_required",
        ),
        (LineRequest(kind="free", name="打孔", reason="门太厚"), "invalid_price"),
    ],
)
def test_refusals_have_codes(fault_type, request_, code):
    book = price_book(make_price_list(fault_types=[fault_type]), "")

    with pytest.raises(ValidationFailed) as refused:
        calculate(book=book, requests=[request_], at=DAYTIME)

    assert refused.value.code == code


def test_no_lines_is_refused(fault_type):
    book = price_book(make_price_list(fault_types=[fault_type]), "")
    with pytest.raises(ValidationFailed) as refused:
        calculate(book=book, requests=[], at=DAYTIME)
    assert refused.value.code == "empty_quote"


def test_free_text_line_is_flagged_with_its_reason(fault_type):
    book = price_book(make_price_list(fault_types=[fault_type]), "")

    calc = calculate(
        book=book,
        requests=[
            LineRequest(kind="free", name="加装门铃线", unit_price=Decimal("35"), reason="客户要求")
        ],
        at=DAYTIME,
    )

    line = calc.lines[0]
    assert (line.free_text, line.reason, line.list_price, line.amount) == (
        True,
        "客户要求",
        None,
        Decimal("35.00"),
    )


def test_a_part_for_another_model_is_refused(fault_type):
    version = make_price_list(fault_types=[fault_type])
    a7, b9 = LockModelFactory(code="a7"), LockModelFactory(code="b9")
    PriceItem.objects.create(
        version=version, kind="part", key="A7-MOTOR", name="A7 电机", lock_model=a7, amount=150
    )
    book = price_book(version, "")
    motor = [LineRequest(kind="part", key="A7-MOTOR")]

    assert calculate(book=book, requests=motor, at=DAYTIME, lock_model_id=a7.pk).total == 180
    with pytest.raises(ValidationFailed) as refused:
        calculate(book=book, requests=motor, at=DAYTIME, lock_model_id=b9.pk)
    assert refused.value.code == "part_not_for_model"


@pytest.mark.parametrize(
    ("purchased", "installed", "months", "day", "covered"),
    [
        (date(2024, 3, 15), None, None, date(2026, 3, 14), True),  # model: 24 months
        (date(2024, 3, 15), None, None, date(2026, 3, 15), False),
        (date(2024, 1, 10), date(2024, 6, 1), None, date(2026, 5, 31), True),  # install counts
        (date(2024, 1, 10), date(2024, 6, 1), 12, date(2025, 6, 1), False),  # own terms
        (None, None, None, date(2026, 1, 1), False),  # no date, no warranty
        (date(2024, 8, 31), None, 6, date(2025, 2, 27), True),  # month end clamps
        (date(2024, 8, 31), None, 6, date(2025, 2, 28), False),
    ],
)
def test_serial_warranty(purchased, installed, months, day, covered):
    serial = LockSerial.objects.create(
        serial="SN1",
        lock_model=LockModelFactory(code="m24", warranty_months=24),
        purchased_on=purchased,
        installed_on=installed,
        warranty_months=months,
    )

    assert serial.in_warranty(day) is covered
