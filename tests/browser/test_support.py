"""Customer service in headless Chromium: chat both ways without reloading, a
ringing call popping up on the agent's console, and the public verify page."""

import re

import pytest
from playwright.sync_api import expect

from baoxiu.accounts.models import OfficialChannel, Organisation
from baoxiu.support.models import Conversation
from baoxiu.support.telephony.fake import FakeTelephony
from tests.factories import PASSWORD, make_ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def test_chat_messages_cross_both_ways_without_reload(live_server, new_page, agent):
    base = live_server.url
    customer = new_page(viewport={"width": 390, "height": 844})
    customer.goto(f"{base}/report/")
    customer.click("a[data-action=open-chat]")
    customer.fill("#chat-body", "指纹锁一直报警，怎么办？")
    customer.click("button[data-action=chat-start]")
    expect(customer).to_have_url(re.compile(r"/support/chat/[\w-]{32}/$"))
    conversation = Conversation.objects.get()

    desk = new_page()
    log_in(desk, base, "agent")
    desk.goto(f"{base}/console/support/")
    row = desk.locator(f"[data-conversation='{conversation.pk}']")
    expect(row.get_by_test_id("unread")).to_have_text("1")
    row.locator("a").click()
    expect(desk.get_by_test_id("chat-log")).to_contain_text("指纹锁一直报警，怎么办？")

    # agent → customer: the customer's open page shows the reply by itself.
    desk.fill("#chat-body", "请先更换电池试试<b>别担心</b>")
    desk.click("button[data-action=chat-send]")
    expect(desk.get_by_test_id("chat-log")).to_contain_text("请先更换电池试试<b>别担心</b>")
    expect(customer.get_by_test_id("chat-log")).to_contain_text(
        "请先更换电池试试<b>别担心</b>", timeout=8_000
    )

    # customer → agent: the agent's open page shows it by itself.
    customer.fill("#chat-body", "换了电池还是响")
    customer.click("button[data-action=chat-send]")
    expect(customer.get_by_test_id("chat-log")).to_contain_text("换了电池还是响")
    expect(desk.get_by_test_id("chat-log")).to_contain_text("换了电池还是响", timeout=8_000)
    expect(customer.locator("[data-testid=chat-message]")).to_have_count(3)


def test_tracking_page_chat_reaches_the_agent(live_server, new_page, agent, fault_type):
    base = live_server.url
    ticket = make_ticket(fault_type=fault_type)
    customer = new_page(viewport={"width": 390, "height": 844})
    customer.goto(base + ticket.tracking_path())
    customer.fill("#chat-body", "师傅大概几点到？")
    customer.click("button[data-action=chat-send]")
    expect(customer.get_by_test_id("chat-log")).to_contain_text("师傅大概几点到？")
    conversation = Conversation.objects.get()
    assert conversation.ticket == ticket

    desk = new_page()
    log_in(desk, base, "agent")
    desk.goto(f"{base}/console/support/c/{conversation.pk}/")
    desk.fill("#chat-body", "预计下午三点前到达。")
    desk.click("button[data-action=chat-send]")
    expect(customer.get_by_test_id("chat-log")).to_contain_text(
        "预计下午三点前到达。", timeout=8_000
    )


def test_incoming_call_pops_up_the_callers_history(live_server, new_page, agent, fault_type):
    base = live_server.url
    ticket = make_ticket(fault_type=fault_type, phone="13800138000", name="王小明")
    desk = new_page()
    log_in(desk, base, "agent")
    desk.goto(f"{base}/console/tickets/")
    expect(desk.get_by_test_id("call-popup")).to_have_count(0)

    call_id = FakeTelephony(base_url=base).ring(
        caller="13800138000", called="400-000-0101", agent="agent"
    )
    popup = desk.get_by_test_id("call-popup")
    expect(popup).to_be_visible(timeout=8_000)
    expect(popup).to_contain_text("138****8000")
    expect(popup.get_by_test_id("call-customer")).to_contain_text("王*")
    expect(popup.get_by_test_id("call-history")).to_contain_text(ticket.code)
    popup.locator("a[data-action=open-call]").click()
    expect(desk.get_by_test_id("call-id")).to_have_text(call_id)
    desk.locator("button[data-action=attach]").click()
    expect(desk).to_have_url(f"{base}/console/tickets/{ticket.code}/")
    expect(desk.get_by_test_id("ticket-call")).to_contain_text(call_id)


def test_verify_page_recognises_official_number_and_rejects_unknown(live_server, new_page):
    org = Organisation.objects.create(name="千锁售后", brand="千锁")
    OfficialChannel.objects.create(
        organisation=org, kind="hotline", value="400-000-0101", label="24小时服务热线"
    )
    page = new_page(viewport={"width": 390, "height": 844})
    page.goto(live_server.url + "/")
    page.get_by_test_id("official-footer").locator("a[href='/verify/']").click()
    page.fill("#verify-phone", "400 000 0101")
    page.click("button[data-action=verify-phone]")
    result = page.get_by_test_id("verify-result")
    expect(result).to_have_attribute("data-official", "yes")
    expect(result).to_contain_text("是官方号码")

    page.fill("#verify-phone", "400-888-1234")
    page.click("button[data-action=verify-phone]")
    expect(result).to_have_attribute("data-official", "no")
    expect(result).to_contain_text("不是我们的号码")
    expect(result).to_contain_text("请勿开门")
    expect(result).to_contain_text("400-000-0101")
