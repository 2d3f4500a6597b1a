from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from baoxiu.accounts.choices import Role
from baoxiu.accounts.models import OfficialChannel, Organisation, User
from baoxiu.catalog.models import FaultType, LockModel, Skill
from baoxiu.core.choices import JobState
from baoxiu.core.models import Job
from baoxiu.core.validators import normalize_mobile
from baoxiu.customers.models import Address, Customer
from baoxiu.demo import data
from baoxiu.demo.selectors import demo_logins
from baoxiu.demo.services import (
    DemoNotAllowed,
    DemoSize,
    demo_network_load,
    demo_size,
    ticket_status_quota,
)
from baoxiu.notifications.choices import DeliveryState
from baoxiu.notifications.models import Notification
from baoxiu.tickets.choices import EventType, TicketStatus
from baoxiu.tickets.models import Ticket, TicketEvent
from baoxiu.workforce.models import Outlet, Technician

pytestmark = pytest.mark.django_db

SMALL = 0.1  # 3 outlets, 20 technicians, 30 tickets


def row_counts() -> dict[str, int]:
    models = [
        Organisation,
        OfficialChannel,
        User,
        Skill,
        LockModel,
        FaultType,
        Outlet,
        Technician,
        Customer,
        Address,
        Ticket,
        TicketEvent,
        Notification,
        Job,
    ]
    return {m.__name__: m.objects.count() for m in models}


@pytest.fixture
def loaded(db):
    return demo_network_load(scale=SMALL)


def test_sizes_scale_from_the_full_network():
    assert demo_size(1.0) == DemoSize(outlets=30, technicians=200, tickets=300)
    assert demo_size(SMALL) == DemoSize(outlets=3, technicians=20, tickets=30)
    assert sum(ticket_status_quota(300).values()) == 300


def test_small_load_creates_the_network(loaded):
    assert loaded.created is True
    assert (loaded.outlets, loaded.technicians, loaded.tickets) == (3, 20, 30)
    organisation = Organisation.objects.get()
    assert (organisation.name, organisation.brand) == (data.ORGANISATION_NAME, data.BRAND)
    assert organisation.channels.count() == len(data.CHANNELS)
    assert Skill.objects.count() == 6
    assert LockModel.objects.count() == 8
    assert FaultType.objects.count() == 10
    assert FaultType.objects.get(code="locked-out").priority == "emergency"
    assert list(Outlet.objects.values_list("area_name", flat=True)) == [
        "北京市东城区",
        "北京市房山区",
        "天津市滨海新区",
    ]
    per_outlet = Counter(Technician.objects.values_list("outlet__code", flat=True))
    assert per_outlet == {"qa-001": 7, "qa-002": 7, "qa-003": 6}
    # 4 staff + 3 outlet managers + 20 technicians
    assert Counter(User.objects.values_list("role", flat=True)) == {
        Role.ADMIN: 1,
        Role.AGENT: 1,
        Role.DISPATCHER: 1,
        Role.OPERATIONS: 1,
        Role.OUTLET_MANAGER: 3,
        Role.TECHNICIAN: 20,
    }


def test_tickets_are_in_every_status(loaded):
    statuses = Counter(Ticket.objects.values_list("status", flat=True))
    assert statuses == {
        TicketStatus.CLOSED: 10,
        **{s: 2 for s in TicketStatus.values if s != TicketStatus.CLOSED},
    }


def test_timelines_are_real_and_backdated(loaded):
    now = timezone.now()
    for ticket in Ticket.objects.prefetch_related("events"):
        events = list(ticket.events.all())
        assert events[0].type == EventType.CREATED
        # A note (e.g. 完工待审核 after an unconfirmed completion) may follow the last move.
        moves = [e for e in events if e.to_status]
        assert moves[-1].to_status == ticket.status
        times = [e.created_at for e in events]
        assert times == sorted(times)
        assert times[0] == ticket.created_at
        assert times[-1] == ticket.updated_at
        assert now - timedelta(days=61) < ticket.created_at < now
    assert Ticket.objects.filter(created_at__lt=now - timedelta(days=3)).exists()


def test_queue_is_empty_and_new_tickets_stay_new(loaded):
    assert not Job.objects.filter(state__in=[JobState.QUEUED, JobState.RUNNING]).exists()
    assert Job.objects.filter(state=JobState.FAILED).count() == 0
    assert Ticket.objects.filter(status=TicketStatus.NEW).count() == 2
    assert set(Notification.objects.values_list("state", flat=True)) == {DeliveryState.SENT}


def test_second_load_creates_nothing(loaded):
    before = row_counts()

    again = demo_network_load(scale=SMALL)

    assert again.created is False
    assert again.organisation.pk == loaded.organisation.pk
    assert (again.outlets, again.technicians, again.tickets) == (3, 20, 30)
    assert row_counts() == before


def test_demo_technicians_log_in_as_technicians(loaded):
    technician_users = User.objects.filter(technician__isnull=False)
    assert technician_users.count() == 20
    assert set(technician_users.values_list("role", flat=True)) == {Role.TECHNICIAN}
    tech = User.objects.get(username="tech001")
    assert tech.check_password(data.DEMO_PASSWORD)
    admin = User.objects.get(username="admin")
    assert (admin.role, admin.is_superuser, admin.is_staff) == (Role.ADMIN, True, True)
    assert Outlet.objects.get(code="qa-001").manager.username == "outlet01"


def test_customers_have_valid_synthetic_numbers_in_the_outlet_areas(loaded):
    phones = [c.phone for c in Customer.objects.all()]
    assert len(set(phones)) == len(phones)
    assert all(normalize_mobile(p) == p and p[3:7] == "0000" for p in phones)
    areas = set(Outlet.objects.values_list("area_name", flat=True))
    for address in Address.objects.all():
        assert address.area_name in areas
        assert address.text.startswith(address.area_name)


def test_logins_listed_per_role(loaded):
    assert [(x.role_label, x.first, x.last, x.count) for x in demo_logins()] == [
        ("管理员", "admin", "admin", 1),
        ("客服", "agent", "agent", 1),
        ("调度", "dispatcher", "dispatcher", 1),
        ("运营经理", "operations", "operations", 1),
        ("网点负责人", "outlet01", "outlet03", 3),
        ("师傅", "tech001", "tech020", 20),
    ]


def test_refuses_a_database_with_another_organisation(db):
    Organisation.objects.create(name="某某门锁维修公司", brand="某某")

    with pytest.raises(DemoNotAllowed):
        demo_network_load(scale=SMALL)

    assert (Outlet.objects.count(), Ticket.objects.count(), User.objects.count()) == (0, 0, 0)


class RealLookingSms:
    """Stands in for a real SMS vendor: the demo must never send through it."""

    sent: list[str] = []

    def send(self, *, phone, text, idempotency_key):
        self.sent.append(phone)
        raise AssertionError("the demo texted a customer through a real channel")


def test_nothing_is_sent_through_a_real_sms_channel(db, settings):
    settings.SMS_BACKEND = f"{__name__}.RealLookingSms"

    demo_network_load(scale=SMALL)

    assert RealLookingSms.sent == []
    assert set(Notification.objects.values_list("state", flat=True)) == {DeliveryState.PENDING}
    assert not Job.objects.exclude(state=JobState.DONE).exists()


def test_coverage_is_the_announced_list_imported_through_the_importer(loaded):
    from django.db.models import Sum

    from baoxiu.areas.models import Coverage, CoverageImport
    from baoxiu.demo.services import SERVICE_AREAS_FILE

    announced = [line for line in SERVICE_AREAS_FILE.read_text().splitlines() if line.strip()]
    totals = CoverageImport.objects.aggregate(total=Sum("lines_total"), saved=Sum("lines_saved"))
    assert (len(announced), totals["total"], totals["saved"]) == (400, 400, 400)
    assert Coverage.objects.count() == 400
    assert [s for record in CoverageImport.objects.all() for s in record.skipped] == []
    # Close to an outlet the 30-minute emergency promise holds, and only there.
    for coverage in Coverage.objects.filter(emergency_available=True):
        assert coverage.response_hours == 4


def test_every_demo_address_is_placed_on_a_division(loaded):
    from baoxiu.customers.models import Address

    assert not Address.objects.filter(division__isnull=True).exists()


def test_the_full_network_make_demo_loads(db):
    """``make demo`` loads scale 1.0: every story there runs through the real
    services too, including a lock-opening job reopened after its register."""
    from baoxiu.lockopening.models import LockOpeningRecord
    from baoxiu.lockopening.selectors import lock_opening_missing

    result = demo_network_load(scale=1.0)

    assert (result.outlets, result.technicians, result.tickets) == (30, 200, 300)
    reopened = Ticket.objects.filter(
        fault_type__lock_opening=True, events__type=EventType.REOPENED
    ).distinct()
    assert reopened.exists()
    for ticket in reopened:
        record = LockOpeningRecord.objects.get(ticket=ticket)
        assert lock_opening_missing(record) == []
        # One register, filled before the first start of work and never again.
        started = ticket.events.filter(type=EventType.WORK_STARTED).order_by("created_at")
        assert started.exists() and record.completed_at <= started.first().created_at
