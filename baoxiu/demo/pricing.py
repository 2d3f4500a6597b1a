"""Demo prices, holidays and lock serials (quotes slice), and the approved
quote every demo job had before work started."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import OuterRef, Subquery

from baoxiu.catalog.models import FaultType, LockModel
from baoxiu.core.choices import JobState
from baoxiu.core.models import Job
from baoxiu.notifications.models import Notification
from baoxiu.pricing.calculator import LineRequest
from baoxiu.pricing.models import Holiday, LockSerial, PriceItem, PriceListVersion
from baoxiu.quotes.choices import DecisionChannel, QuoteStatus
from baoxiu.quotes.models import Quote
from baoxiu.quotes.services import latest_quote, quote_decide, quote_submit, ticket_serial_link
from baoxiu.tickets.models import Ticket

# Labour per fault type, yuan (what lock-repair networks in tier-1/2 cities charge).
LABOUR = {
    "locked-out": "150",
    "fingerprint": "80",
    "forgot-password": "60",
    "motor-clutch": "120",
    "handle-loose": "50",
    "alarm": "60",
    "screen-dark": "80",
    "app-wifi": "50",
    "lock-body-damage": "150",
    "installation": "200",
}
# code, name, price, lock model code or None (fits every model)
PARTS = [
    ("FP-MOD", "指纹识别模组", "180", None),
    ("MOTOR", "电机总成", "160", None),
    ("CLUTCH", "离合器组件", "120", None),
    ("CYL-C", "C级锁芯", "220", None),
    ("BAT-LI", "锂电池组（可充电）", "98", None),
    ("HANDLE", "把手组件", "90", None),
    ("FACE-X3", "人脸识别模组（X3 Pro 专用）", "380", "qa-x3-pro"),
    ("PANEL-S7", "前面板总成（S7 专用）", "420", "qa-s7"),
]
FEES = [
    ("callout", "上门服务费", "50", None),
    ("night", "夜间服务费（22:00–07:00）", "80", None),
    ("holiday", "法定节假日服务费", "60", None),
    ("distance", "远程费（超出15公里每公里）", "3", Decimal("15")),
]
# Regional overrides: Shanghai and Beijing charge more, Shenzhen's Nanshan more still.
OVERRIDES = [
    ("310000", "callout", "callout", "上门服务费", "70"),
    ("110000", "callout", "callout", "上门服务费", "70"),
    ("440300", "labour", "locked-out", "电池耗尽/无法开门", "180"),
    ("440305", "labour", "locked-out", "电池耗尽/无法开门", "200"),
]
# 2026 public holidays as announced (operations enter each year's list).
HOLIDAYS = [
    (date(2026, 1, 1), "元旦"),
    *[(date(2026, 2, 15) + timedelta(days=i), "春节") for i in range(9)],
    *[(date(2026, 4, 4) + timedelta(days=i), "清明节") for i in range(3)],
    *[(date(2026, 5, 1) + timedelta(days=i), "劳动节") for i in range(5)],
    *[(date(2026, 6, 19) + timedelta(days=i), "端午节") for i in range(3)],
    *[(date(2026, 9, 25) + timedelta(days=i), "中秋节") for i in range(3)],
    *[(date(2026, 10, 1) + timedelta(days=i), "国庆节") for i in range(7)],
]


def pricing_demo_load(
    *, faults: dict[str, FaultType], lock_models: list[LockModel], now: datetime
) -> PriceListVersion:
    """A published price list in force since before the demo history, the
    holiday calendar and three serials per lock model. Demo-only: the version
    is written as published with a past date, which the publish service refuses."""
    version = PriceListVersion.objects.create(
        number=1,
        title="2026 年全国统一价",
        status="published",
        effective_from=now - timedelta(days=90),
        published_at=now - timedelta(days=90),
        notes="演示数据",
    )
    models = {m.code: m for m in lock_models}
    items = [
        PriceItem(
            version=version,
            kind="labour",
            key=code,
            name=faults[code].name,
            fault_type=faults[code],
            amount=Decimal(price),
            sort_order=faults[code].sort_order,
        )
        for code, price in LABOUR.items()
        if code in faults
    ]
    items += [
        PriceItem(
            version=version,
            kind="part",
            key=code,
            name=name,
            amount=Decimal(price),
            lock_model=models.get(model) if model else None,
            sort_order=i,
        )
        for i, (code, name, price, model) in enumerate(PARTS)
    ]
    items += [
        PriceItem(
            version=version, kind=kind, key=kind, name=name, amount=Decimal(price), free_km=free_km
        )
        for kind, name, price, free_km in FEES
    ]
    items += [
        PriceItem(
            version=version,
            kind=kind,
            key=key,
            name=name,
            amount=Decimal(price),
            division_code=division,
            fault_type=faults.get(key),
        )
        for division, kind, key, name, price in OVERRIDES
    ]
    PriceItem.objects.bulk_create(items)
    Holiday.objects.bulk_create(
        [Holiday(day=day, name=name) for day, name in HOLIDAYS], ignore_conflicts=True
    )
    today = now.date()
    serials = []
    for model in lock_models:
        prefix = model.code.upper().replace("-", "")
        serials += [
            # bought recently: in warranty
            LockSerial(
                serial=f"{prefix}-2025-0001",
                lock_model=model,
                purchased_on=today - timedelta(days=120),
                installed_on=today - timedelta(days=110),
            ),
            # bought long ago: out of warranty
            LockSerial(
                serial=f"{prefix}-2021-0417",
                lock_model=model,
                purchased_on=date(2021, 4, 17),
                installed_on=date(2021, 4, 20),
            ),
            # extended warranty bought with the lock
            LockSerial(
                serial=f"{prefix}-2023-0930",
                lock_model=model,
                purchased_on=date(2023, 9, 30),
                warranty_months=60,
                warranty_terms="延保5年（购买时加购）",
            ),
        ]
    LockSerial.objects.bulk_create(serials)
    return version


def demo_quote_approve(*, ticket: Ticket, technician_user) -> Quote:
    """The quote a demo job had before work started, approved on the tracking
    page. Every third ticket with a lock model gets its in-warranty serial.
    Demo-only: the code text of an already approved quote is not sent."""
    previous = latest_quote(ticket)
    if previous is not None and previous.status == QuoteStatus.APPROVED:
        return previous  # work resumed (or redone) on the quote already approved
    if ticket.lock_model_id and ticket.pk % 3 == 0:
        serial = LockSerial.objects.filter(
            lock_model_id=ticket.lock_model_id, serial__endswith="-2025-0001"
        ).first()
        if serial is not None:
            ticket_serial_link(ticket=ticket, serial=serial.serial, actor=technician_user)
    quote = quote_submit(
        ticket=ticket,
        actor=technician_user,
        requests=[LineRequest(kind="labour", key=ticket.fault_type.code)],
        reason="复核后重新报价" if previous is not None else "",
    )
    quote = quote_decide(quote=quote, approve=True, via=DecisionChannel.LINK)
    texts = Notification.objects.filter(ticket=ticket, template="quote_ready")
    Job.objects.filter(
        name="quotes.send_code",
        dedupe_key__in=[f"quote-code:{pk}" for pk in texts.values_list("pk", flat=True)],
    ).update(state=JobState.DONE)
    texts.delete()
    return quote


def demo_quotes_backdate() -> None:
    """Demo-only: quotes were made and approved when the technician arrived."""
    arrived = Subquery(Ticket.objects.filter(pk=OuterRef("ticket_id")).values("arrived_at")[:1])
    Quote.objects.update(created_at=arrived, decided_at=arrived)
