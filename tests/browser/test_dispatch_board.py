"""The dispatcher board shows a new ticket within seconds, without a reload."""

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, UserFactory, make_ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_new_ticket_appears_on_the_open_board(live_server, new_page, fault_type):
    UserFactory(username="dispatcher", role="dispatcher")
    page = new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "dispatcher")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.get_by_test_id("map")).to_be_visible()
    page.evaluate("window.__loadedOnce = true")  # gone if the page reloads

    ticket = make_ticket(fault_type=fault_type)

    item = page.locator(f"[data-code='{ticket.code}']")
    expect(item).to_be_visible(timeout=8_000)
    expect(item.locator(".countdown")).to_contain_text("剩余")
    assert page.evaluate("window.__loadedOnce") is True
