"""The technician's job list follows changes by itself, without wiping what the
technician is typing."""

import pytest
from playwright.sync_api import expect

from baoxiu.pricing.calculator import LineRequest
from baoxiu.quotes.services import quote_submit
from baoxiu.tickets.transitions import ticket_transition
from tests.factories import PASSWORD, UserFactory, make_price_list, make_ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_typed_code_survives_the_poll_and_a_new_job_appears(
    live_server, new_page, fault_type, technician
):
    make_price_list(fault_types=[fault_type])
    dispatcher = UserFactory(username="dispatcher", role="dispatcher")
    ticket = make_ticket(fault_type=fault_type)
    ticket_transition(ticket=ticket, action="assign", actor=dispatcher, technician=technician)
    for action in ("accept", "depart", "arrive"):
        ticket = ticket_transition(ticket=ticket, action=action, actor=technician.user)
    quote_submit(
        ticket=ticket,
        actor=technician.user,
        requests=[LineRequest(kind="labour", key=fault_type.code)],
    )
    base = live_server.url
    tech = new_page(viewport={"width": 390, "height": 844})
    tech.goto(f"{base}/accounts/login/")
    tech.fill("#id_username", technician.user.username)
    tech.fill("#id_password", PASSWORD)
    tech.click("button[type=submit]")
    tech.goto(f"{base}/console/jobs/")
    tech.evaluate("window.__notReloaded = true")
    otp = tech.get_by_test_id("otp-input")
    otp.fill("12")

    tech.wait_for_timeout(6_500)  # more than one poll with nothing new
    expect(otp).to_have_value("12")

    newcomer = make_ticket(fault_type=fault_type, phone="13900000011")
    ticket_transition(ticket=newcomer, action="assign", actor=dispatcher, technician=technician)
    expect(tech.locator(f"[data-code='{newcomer.code}']")).to_have_count(1, timeout=8_000)
    assert tech.evaluate("window.__notReloaded") is True
