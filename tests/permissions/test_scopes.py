"""The scopes of the matrix that the route sweep does not reach: regions,
another outlet's technician, the superuser, and the matrix's own shape."""

from __future__ import annotations

import pytest
from django.urls import reverse

from baoxiu.accounts.choices import Role
from baoxiu.accounts.matrix import ANYONE, CUSTOMER, MATRIX, Scope, scope_for
from baoxiu.tickets.models import Ticket
from baoxiu.tickets.selectors import tickets_visible_to
from baoxiu.tickets.transitions import ACTIONS
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_every_transition_has_a_row_in_the_matrix():
    assert {f"ticket.transition.{name}" for name in ACTIONS} <= set(MATRIX)


def test_every_row_names_known_roles_and_scopes():
    known = set(Role.values) | {CUSTOMER, ANYONE}
    for action, row in MATRIX.items():
        assert set(row) <= known, action
        assert all(isinstance(scope, Scope) for scope in row.values()), action
        if CUSTOMER in row:
            assert row == {CUSTOMER: Scope.TOKEN}, action
        if Role.TECHNICIAN in row:
            assert row[Role.TECHNICIAN] == Scope.OWN_JOBS, action
        if Role.OUTLET_MANAGER in row:
            assert row[Role.OUTLET_MANAGER] == Scope.OWN_OUTLET, action


def test_an_inactive_or_anonymous_user_has_no_staff_scope(world):
    from django.contrib.auth.models import AnonymousUser

    inactive = UserFactory(username="gone", role="operations", is_active=False)
    for action, row in MATRIX.items():
        if ANYONE not in row:
            assert scope_for(inactive, action) is None, action
            assert scope_for(AnonymousUser(), action) is None, action
            assert scope_for(None, action) is None, action


def test_a_superuser_has_every_staff_scope_but_no_customers(world):
    boss = UserFactory(username="boss", role="agent", is_superuser=True)
    assert scope_for(boss, "ticket.view") == Scope.ALL
    assert scope_for(boss, "quote.submit") == Scope.ALL
    assert scope_for(boss, "quote.decide") is None
    plain_admin = UserFactory(username="plain_admin", role="admin")
    assert scope_for(plain_admin, "quote.submit") is None


def test_a_region_limits_what_agents_and_dispatchers_see(world):
    ticket_a = Ticket.objects.select_related("address").get(code=world.ids["code_a"])
    area = ticket_a.address.area_code
    assert area, "the test tickets must be placed on a division"
    here = UserFactory(username="agent_here", role="agent", region=area[:4])
    away_region = "11" if not area.startswith("11") else "44"
    away = UserFactory(username="agent_away", role="dispatcher", region=away_region)
    assert ticket_a in tickets_visible_to(here)
    assert not tickets_visible_to(away).filter(pk=ticket_a.pk).exists()
    client = world.client("anon")
    client.force_login(away)
    url = reverse("console:ticket_detail", kwargs={"code": ticket_a.code})
    assert client.get(url).status_code == 404
    assert client.get(f"/api/v1/staff/tickets/{ticket_a.code}").status_code == 404
    assert client.get("/api/v1/staff/tickets").json()["count"] == 0
    response = client.post(reverse("console:alert_ack", kwargs={"pk": world.ids["alert_a"]}), {})
    assert response.status_code == 404
    client.force_login(here)
    assert client.get(url).status_code == 200


def test_an_outlet_manager_cannot_open_another_outlets_badge(world):
    client = world.client("manager_a")
    url = reverse("support:technician_badge", kwargs={"pk": world.ids["tech_b"]})
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code == 404


def test_an_outlet_manager_sees_only_their_outlets_tickets(world):
    client = world.client("manager_a")
    codes = {item["code"] for item in client.get("/api/v1/staff/tickets").json()["items"]}
    assert world.ids["code_a"] in codes and world.ids["code_b"] not in codes
    url = reverse("console:ticket_detail", kwargs={"code": world.ids["code_b"]})
    assert client.get(url).status_code == 404


def test_a_locks_history_shows_only_tickets_in_scope(world):
    """A hole closed by the matrix: outlet managers saw every outlet's history of a lock."""
    from baoxiu.pricing.models import LockSerial
    from baoxiu.quotes.services import ticket_serial_link
    from tests.factories import LockModelFactory

    LockSerial.objects.create(serial="SN-PERM-B", lock_model=LockModelFactory())
    ticket_b = Ticket.objects.get(code=world.ids["code_b"])
    ticket_serial_link(ticket=ticket_b, serial="SN-PERM-B", actor=world.users["tech_b"])
    url = reverse("quotes:serial_history") + "?serial=SN-PERM-B"
    for actor, sees in [
        ("manager_a", False),
        ("tech_a", False),
        ("tech_b", True),
        ("operations", True),
    ]:
        response = world.client(actor).get(url)
        assert response.status_code == 200
        assert (world.ids["code_b"] in response.content.decode()) is sees, actor
