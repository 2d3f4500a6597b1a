"""factory_boy factories shared by every app's tests."""

from __future__ import annotations

from decimal import Decimal

import factory

from baoxiu.accounts.choices import Role
from baoxiu.accounts.models import User
from baoxiu.catalog.choices import Priority
from baoxiu.catalog.models import FaultType, LockModel, Skill
from baoxiu.tickets.choices import TicketChannel
from baoxiu.tickets.services import TicketRequest, ticket_create
from baoxiu.workforce.models import Outlet, Technician

PASSWORD = "pw-for-tests-only"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.AGENT
    display_name = factory.LazyAttribute(lambda o: o.username)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"skill-{n}")
    name = factory.Sequence(lambda n: f"技能{n}")


class LockModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LockModel
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"model-{n}")
    name = factory.Sequence(lambda n: f"智能锁 X{n}")


class FaultTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FaultType
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"fault-{n}")
    name = factory.Sequence(lambda n: f"故障{n}")
    priority = Priority.NORMAL
    default_duration_minutes = 60


class OutletFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outlet

    code = factory.Sequence(lambda n: f"OUT{n:03d}")
    name = factory.Sequence(lambda n: f"测试网点{n}")
    area_name = "深圳市南山区"
    latitude = Decimal("22.533")
    longitude = Decimal("113.930")


class TechnicianFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Technician

    user = factory.SubFactory(UserFactory, role=Role.TECHNICIAN)
    outlet = factory.SubFactory(OutletFactory)
    name = factory.Sequence(lambda n: f"师傅{n}")
    certificate_no = factory.Sequence(lambda n: f"CERT{n:06d}")
    phone = factory.Sequence(lambda n: f"166{(n + 1) * 1234567 % 10**8:08d}")
    home_latitude = Decimal("22.540")
    home_longitude = Decimal("113.940")


def make_ticket(
    *,
    fault_type: FaultType | None = None,
    phone: str = "13800138000",
    name: str = "王小明",
    address: str = "深圳市南山区科技园路1号",
    channel: str = TicketChannel.WEB,
    created_by=None,
    idempotency_key: str = "",
):
    """A ticket created through the real service, as a reporter would."""
    request = TicketRequest(
        name=name,
        phone=phone,
        address_text=address,
        fault_type=fault_type or FaultTypeFactory(),
        channel=channel,
        description="指纹识别不了",
        area_name="深圳市南山区",
    )
    ticket, _created = ticket_create(
        request=request, created_by=created_by, idempotency_key=idempotency_key
    )
    return ticket


def make_price_list(*, fault_types=(), effective_from=None, number=None, **overrides):
    """A published price list (directly, backdated a day): labour ¥80 per fault
    type, part FP-01 ¥120, call-out ¥30, night ¥50, holiday ¥40, ¥3/km beyond 10 km."""
    from datetime import timedelta

    from django.db.models import Max
    from django.utils import timezone

    from baoxiu.pricing.models import PriceItem, PriceListVersion

    number = number or (PriceListVersion.objects.aggregate(m=Max("number"))["m"] or 0) + 1
    version = PriceListVersion.objects.create(
        number=number,
        title=f"测试价目表 V{number}",
        status="published",
        effective_from=effective_from or timezone.now() - timedelta(days=1),
    )
    amounts = {
        "labour": Decimal("80"),
        "part": Decimal("120"),
        "callout": Decimal("30"),
        "night": Decimal("50"),
        "holiday": Decimal("40"),
        "distance": Decimal("3"),
        **overrides,
    }
    items = [
        PriceItem(
            version=version,
            kind="labour",
            key=ft.code,
            name=ft.name,
            fault_type=ft,
            amount=amounts["labour"],
        )
        for ft in fault_types
    ]
    items += [
        PriceItem(
            version=version, kind="part", key="FP-01", name="指纹模组", amount=amounts["part"]
        ),
        PriceItem(
            version=version, kind="callout", key="callout", name="上门费", amount=amounts["callout"]
        ),
        PriceItem(
            version=version, kind="night", key="night", name="夜间服务费", amount=amounts["night"]
        ),
        PriceItem(
            version=version,
            kind="holiday",
            key="holiday",
            name="节假日服务费",
            amount=amounts["holiday"],
        ),
        PriceItem(
            version=version,
            kind="distance",
            key="distance",
            name="远程费",
            amount=amounts["distance"],
            free_km=Decimal("10"),
        ),
    ]
    PriceItem.objects.bulk_create(items)
    return version


def approve_quote(ticket):
    """The ticket's technician quotes its labour from the price list in force
    (one is made if none is) and the customer approves it on the tracking page."""
    from baoxiu.pricing.calculator import LineRequest, version_in_force
    from baoxiu.quotes.choices import DecisionChannel
    from baoxiu.quotes.services import latest_quote, quote_decide, quote_submit

    if version_in_force() is None:
        make_price_list(fault_types=[ticket.fault_type])
    previous = latest_quote(ticket)
    quote = quote_submit(
        ticket=ticket,
        actor=ticket.technician.user,
        requests=[LineRequest(kind="labour", key=ticket.fault_type.code)],
        reason="测试修改" if previous else "",
    )
    return quote_decide(quote=quote, approve=True, via=DecisionChannel.LINK)


def ticket_at(status: str, *, fault_type: FaultType, technician=None, quoted: bool = True):
    """Arrange: a real ticket moved straight to ``status`` (test setup only).

    On site or in progress with a technician, the customer has also approved a
    quote (``quoted``), so tests of other gates meet only the gate they test.
    """
    from baoxiu.tickets.models import Ticket

    ticket = make_ticket(fault_type=fault_type)
    Ticket.objects.filter(pk=ticket.pk).update(status=status, technician=technician)
    ticket.refresh_from_db()
    if quoted and technician is not None and status in ("on_site", "in_progress"):
        approve_quote(ticket)
        ticket.refresh_from_db()
    return ticket


def image_file(fmt: str = "JPEG", size=(64, 48), name: str = "photo.jpg", exif=None):
    """An in-memory image upload, as a phone would send it."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    image = Image.new("RGB", size, (200, 120, 40))
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(buffer, format=fmt, **kwargs)
    content_type = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif"}.get(fmt, "")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)
