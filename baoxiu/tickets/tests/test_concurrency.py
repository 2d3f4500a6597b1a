"""Real concurrency against the configured database (SQLite file or PostgreSQL)."""

import threading

import pytest
from django.db import connection

from baoxiu.core.errors import ConcurrentUpdate
from baoxiu.tickets.choices import TicketStatus
from baoxiu.tickets.models import Ticket, TicketEvent
from baoxiu.tickets.transitions import ticket_transition
from tests.factories import UserFactory, make_ticket

pytestmark = pytest.mark.django_db(transaction=True)


def race(*callables):
    """Run callables in threads that start together; return each one's result or error."""
    barrier = threading.Barrier(len(callables))
    results = [None] * len(callables)

    def runner(i, fn):
        try:
            barrier.wait()
            results[i] = ("ok", fn())
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            results[i] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, fn)) for i, fn in enumerate(callables)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@pytest.mark.parametrize("round_", range(5))
def test_two_concurrent_transitions_exactly_one_wins(round_, fault_type, technician):
    dispatcher = UserFactory(username="dispatcher", role="dispatcher")
    ticket = make_ticket(fault_type=fault_type)
    ticket_transition(ticket=ticket, action="dispatch")
    ticket_transition(ticket=ticket, action="assign", actor=dispatcher, technician=technician)

    # Both sides read the same version before either writes.
    seen_by_tech = Ticket.objects.get(pk=ticket.pk)
    seen_by_dispatcher = Ticket.objects.get(pk=ticket.pk)
    results = race(
        lambda: ticket_transition(ticket=seen_by_tech, action="accept", actor=technician.user),
        lambda: ticket_transition(
            ticket=seen_by_dispatcher, action="unassign", actor=dispatcher, note="改派"
        ),
    )

    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["error", "ok"]
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, ConcurrentUpdate)
    final = Ticket.objects.get(pk=ticket.pk)
    assert final.version == 4
    assert final.status in {TicketStatus.ACCEPTED, TicketStatus.DISPATCHING}
    assert TicketEvent.objects.filter(ticket=ticket).count() == 4


def test_many_identical_transitions_only_one_event(fault_type):
    ticket = make_ticket(fault_type=fault_type)
    copies = [Ticket.objects.get(pk=ticket.pk) for _ in range(4)]
    results = race(*[lambda t=t: ticket_transition(ticket=t, action="dispatch") for t in copies])
    assert sorted(kind for kind, _ in results) == ["error", "error", "error", "ok"]
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.DISPATCHING
    assert TicketEvent.objects.filter(ticket=ticket, type="dispatching").count() == 1


def test_concurrent_retries_of_one_create_make_one_ticket(fault_type):
    from baoxiu.tickets.services import TicketRequest, ticket_create

    request = TicketRequest(
        name="王小明", phone="13800138000", address_text="深圳市南山区1号", fault_type=fault_type
    )
    results = race(
        *[lambda: ticket_create(request=request, idempotency_key="retry-1") for _ in range(5)]
    )
    assert [kind for kind, _ in results] == ["ok"] * 5
    codes = {value[0].code for _, value in results}
    assert len(codes) == 1
    assert sorted(created for _, (_, created) in results) == [False, False, False, False, True]
    assert Ticket.objects.count() == 1


def test_concurrent_reports_get_distinct_codes(fault_type):
    phones = [f"1390000000{i}" for i in range(5)]
    results = race(*[lambda p=p: make_ticket(fault_type=fault_type, phone=p) for p in phones])
    assert [kind for kind, _ in results] == ["ok"] * 5
    codes = sorted(value.code for _, value in results)
    assert [int(code[-4:]) for code in codes] == [1, 2, 3, 4, 5]


def test_two_dispatchers_assigning_at_once_one_wins(fault_type, technician, other_technician):
    first = UserFactory(username="desk1", role="dispatcher")
    second = UserFactory(username="desk2", role="dispatcher")
    ticket = make_ticket(fault_type=fault_type)
    ticket_transition(ticket=ticket, action="dispatch")
    seen = [Ticket.objects.get(pk=ticket.pk) for _ in range(2)]
    results = race(
        lambda: ticket_transition(
            ticket=seen[0], action="assign", actor=first, technician=technician
        ),
        lambda: ticket_transition(
            ticket=seen[1], action="assign", actor=second, technician=other_technician
        ),
    )
    assert sorted(kind for kind, _ in results) == ["error", "ok"]
    winner = next(value for kind, value in results if kind == "ok")
    final = Ticket.objects.get(pk=ticket.pk)
    assert (final.status, final.technician_id) == (TicketStatus.ASSIGNED, winner.technician_id)
    assert TicketEvent.objects.filter(ticket=ticket, type="assigned").count() == 1
