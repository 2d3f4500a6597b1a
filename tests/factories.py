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


def ticket_at(status: str, *, fault_type: FaultType, technician=None):
    """Arrange: a real ticket moved straight to ``status`` (test setup only)."""
    from baoxiu.tickets.models import Ticket

    ticket = make_ticket(fault_type=fault_type)
    Ticket.objects.filter(pk=ticket.pk).update(status=status, technician=technician)
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
