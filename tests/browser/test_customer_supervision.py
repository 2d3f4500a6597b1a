"""The customer reads the completion code off the tracking page, the technician
enters it and completes; the customer's page updates by itself, and they rate
the job once — in headless Chromium."""

import pytest
from playwright.sync_api import expect

from baoxiu.evidence.models import CompletionReview
from baoxiu.feedback.models import Rating
from baoxiu.tickets.choices import TicketStatus
from tests.browser.test_repair_flow import log_in
from tests.factories import ticket_at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_completion_code_then_rating(live_server, new_page, fault_type, technician):
    base = live_server.url
    ticket = ticket_at(TicketStatus.IN_PROGRESS, fault_type=fault_type, technician=technician)

    customer = new_page(viewport={"width": 390, "height": 844})
    customer.goto(f"{base}{ticket.tracking_path()}")
    code = customer.get_by_test_id("completion-code").inner_text().strip()
    assert len(code) == 6 and code.isdigit()
    expect(customer.locator("[data-action=rate]")).to_have_count(0)

    # The technician types the code the customer reads out, then completes.
    tech = new_page(viewport={"width": 390, "height": 844})
    log_in(tech, base, technician.user.username)
    tech.goto(f"{base}/console/jobs/{ticket.code}/evidence/")
    tech.fill("#id_completion_code", "000000" if code != "000000" else "111111")
    tech.click("button[data-action=enter-code]")
    expect(tech.locator(".errorlist")).to_contain_text("完工码不正确")
    tech.fill("#id_completion_code", code)
    tech.click("button[data-action=enter-code]")
    expect(tech.get_by_test_id("confirmation")).to_contain_text("客户已确认完工")
    tech.click("button[data-action=complete]")
    expect(tech.get_by_test_id("job-status")).to_have_text("已完工")

    # The customer's open page follows within the 5-second refresh.
    expect(customer.get_by_test_id("ticket-status")).to_have_text("已完工", timeout=12_000)
    expect(customer.get_by_test_id("completion-code")).to_have_count(0)
    expect(customer.get_by_test_id("confirmation")).to_contain_text("您已确认完工")
    expect(customer.get_by_test_id("timeline")).to_contain_text("客户确认完工")

    customer.click("[data-action=rate]")
    customer.check("input[name=stars][value='5']")
    customer.fill("#id_comment", "<b>师傅很专业</b>")
    customer.click("button[data-action=submit]")
    expect(customer.get_by_test_id("rating-stars")).to_have_text("5")
    expect(customer.get_by_test_id("rating")).to_contain_text("<b>师傅很专业</b>")  # shown as text
    expect(customer.locator("[data-action=rate]")).to_have_count(0)
    assert Rating.objects.get(ticket=ticket).stars == 5
    assert not CompletionReview.objects.filter(ticket=ticket).exists()
