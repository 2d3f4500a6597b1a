"""The customer approves a quote on their phone while the technician's page waits
for it; a changed quote cannot be worked on until approved again."""

import pytest
from playwright.sync_api import expect

from baoxiu.tickets.transitions import ticket_transition
from tests.factories import PASSWORD, UserFactory, make_price_list, make_ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"viewport": {"width": 390, "height": 844}}


def log_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


@pytest.fixture
def on_site(fault_type, technician):
    make_price_list(fault_types=[fault_type])
    dispatcher = UserFactory(username="dispatcher", role="dispatcher")
    ticket = make_ticket(fault_type=fault_type)
    ticket_transition(ticket=ticket, action="assign", actor=dispatcher, technician=technician)
    for action in ("accept", "depart", "arrive"):
        ticket = ticket_transition(ticket=ticket, action=action, actor=technician.user)
    return ticket


def build_quote(tech, base, ticket, *, part_qty="", reason=""):
    tech.goto(f"{base}/console/jobs/{ticket.code}/quote/")
    tech.get_by_test_id(f"qty-{ticket.fault_type.code}").fill("1")
    if part_qty:
        tech.get_by_test_id("qty-FP-01").fill(part_qty)
    if reason:
        tech.fill("#id_reason", reason)
    tech.get_by_test_id("quote-submit").click()


def test_customer_approves_while_the_technician_waits(live_server, new_page, on_site, technician):
    base = live_server.url
    tech = new_page(**PHONE)
    log_in(tech, base, technician.user.username)
    build_quote(tech, base, on_site)
    expect(tech.get_by_test_id("quote-state")).to_contain_text(
        "等待客户确认报价（第1版，应付 ¥110.00）"
    )

    tech.goto(f"{base}/console/jobs/")
    job = tech.locator(f"[data-code='{on_site.code}']")
    state = job.get_by_test_id("quote-state")
    expect(state).to_have_attribute("data-status", "pending")
    # Starting now is refused and the page says why.
    job.locator("button[data-action=start_work]").click()
    expect(tech.locator(".messages")).to_contain_text("尚未经客户同意")
    expect(job.get_by_test_id("job-status")).to_have_text("师傅已到达")
    tech.evaluate("window.__notReloaded = true")

    customer = new_page(**PHONE)
    customer.goto(f"{base}{on_site.tracking_path()}")
    expect(customer.get_by_test_id("quote-customer-total")).to_have_text("¥110.00")
    customer.get_by_test_id("quote-approve").click()
    expect(customer.locator(".messages")).to_contain_text("您已同意报价")

    # The technician's open page flips by itself (htmx polling), without a reload.
    expect(state).to_have_attribute("data-status", "approved", timeout=8_000)
    expect(state).to_contain_text("客户已同意报价（第1版，应付 ¥110.00）")
    expect(job.get_by_test_id("otp-input")).to_have_count(0)
    assert tech.evaluate("window.__notReloaded") is True

    job.locator("button[data-action=start_work]").click()
    expect(tech.locator(f"[data-code='{on_site.code}']").get_by_test_id("job-status")).to_have_text(
        "维修中"
    )


def test_changed_quote_cannot_be_worked_on_until_approved_again(
    live_server, new_page, on_site, technician
):
    base = live_server.url
    tech = new_page(**PHONE)
    log_in(tech, base, technician.user.username)
    build_quote(tech, base, on_site)
    customer = new_page(**PHONE)
    customer.goto(f"{base}{on_site.tracking_path()}")
    customer.get_by_test_id("quote-approve").click()
    tech.goto(f"{base}/console/jobs/")
    tech.locator("button[data-action=start_work]").click()
    expect(tech.get_by_test_id("job-status")).to_have_text("维修中")

    # A revision without a reason is refused on the form.
    build_quote(tech, base, on_site, part_qty="1")
    expect(tech.locator(".errorlist")).to_contain_text("修改报价须填写原因")
    # With a reason it becomes version 2, waiting for the customer.
    build_quote(tech, base, on_site, part_qty="1", reason="拆开后发现指纹模组损坏")
    expect(tech.get_by_test_id("quote-state")).to_contain_text(
        "等待客户确认报价（第2版，应付 ¥230.00）"
    )

    tech.goto(f"{base}/console/jobs/")
    tech.locator("button[data-action=complete]").click()
    expect(tech.locator(".messages")).to_contain_text("报价（第2版）尚未经客户同意，不能继续维修。")
    expect(tech.get_by_test_id("job-status")).to_have_text("维修中")

    # The customer sees both versions, the reason, and approves the new one.
    customer.goto(f"{base}{on_site.tracking_path()}")
    expect(customer.get_by_test_id("quote-version")).to_have_count(2)
    expect(customer.get_by_test_id("quote-reason")).to_contain_text("拆开后发现指纹模组损坏")
    customer.get_by_test_id("quote-approve").click()
    expect(tech.get_by_test_id("quote-state")).to_have_attribute(
        "data-status", "approved", timeout=8_000
    )
    tech.locator("button[data-action=complete]").click()
    expect(tech.locator(f"[data-code='{on_site.code}']")).to_have_count(0)
