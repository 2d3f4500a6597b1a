"""A customer reports a fault, a dispatcher assigns it, the technician completes it,
and the customer's tracking page shows each step — all in headless Chromium."""

import re

import pytest
from playwright.sync_api import expect

from baoxiu.core import queue
from baoxiu.tickets.models import Ticket
from tests.factories import PASSWORD, LockModelFactory, UserFactory, approve_quote

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def test_report_assign_complete_and_track(live_server, new_page, fault_type, technician):
    base = live_server.url
    UserFactory(username="dispatcher", role="dispatcher")
    LockModelFactory(code="a7", name="安居 A7 指纹锁")

    # The customer reports a fault on the public page.
    customer = new_page(viewport={"width": 390, "height": 844})  # a phone screen
    customer.goto(f"{base}/report/")
    customer.fill("#id_name", "王小明")
    customer.fill("#id_phone", "138 0013 8000")
    customer.fill("#id_address", "深圳市南山区科技园路1号3栋1201")
    customer.fill("#id_area_name", "深圳市南山区")
    customer.select_option("#id_fault_type", label="指纹无法识别")
    customer.select_option("#id_lock_model", label="安居 A7 指纹锁")
    customer.fill("#id_description", "早上开始指纹一直识别失败")
    customer.check("#id_consent")
    customer.click("button[type=submit]")
    expect(customer).to_have_url(re.compile(r"/t/BX\d{10}/[\w-]{32}/$"))
    code = customer.get_by_test_id("ticket-code").inner_text()
    expect(customer.get_by_test_id("ticket-status")).to_have_text("已受理")
    tracking_url = customer.url

    # The background worker moves it into the dispatch queue.
    assert queue.work(burst=True) >= 1
    customer.reload()
    expect(customer.get_by_test_id("ticket-status")).to_have_text("待派单")

    # The dispatcher assigns it by hand.
    desk = new_page()
    log_in(desk, base, "dispatcher")
    expect(desk).to_have_url(f"{base}/console/dispatch/")
    desk.locator(f"[data-code='{code}'] a").first.click()
    desk.select_option("select[name=technician]", value=str(technician.pk))
    desk.click("button[data-action=assign]")
    expect(desk.get_by_test_id("ticket-status")).to_have_text("已派单")

    # The customer's open page updates by itself (htmx polls every 5 s).
    expect(customer.get_by_test_id("ticket-status")).to_have_text("已派单", timeout=12_000)
    expect(customer.get_by_test_id("technician-name")).to_have_text(technician.name)

    # The technician takes it from acceptance to completion on a phone.
    tech = new_page(viewport={"width": 390, "height": 844})
    log_in(tech, base, technician.user.username)
    expect(tech).to_have_url(f"{base}/console/jobs/")
    job = tech.locator(f"[data-code='{code}']")
    steps = [
        ("accept", "师傅已接单"),
        ("depart", "师傅在路上"),
        ("arrive", "师傅已到达"),
        ("start_work", "维修中"),
    ]
    for action, label in steps:
        if action == "start_work":  # the customer approved a quote (see test_quote_approval)
            approve_quote(Ticket.objects.get(code=code))
            tech.reload()
        job.locator(f"button[data-action={action}]").click()
        expect(job.get_by_test_id("job-status")).to_have_text(label)
        customer.goto(tracking_url)
        expect(customer.get_by_test_id("ticket-status")).to_have_text(label)
    job.locator("button[data-action=complete]").click()
    expect(tech.locator(f"[data-code='{code}']")).to_have_count(0)  # done jobs leave the list

    customer.goto(tracking_url)
    expect(customer.get_by_test_id("ticket-status")).to_have_text("已完工")
    expect(customer.get_by_test_id("timeline").locator("li")).to_have_count(10)
    timeline = customer.get_by_test_id("timeline").inner_text()
    for label in [
        "工单已创建",
        "进入派单",
        "已派给师傅",
        "师傅接单",
        "师傅出发",
        "师傅到达",
        "师傅提交报价",
        "客户同意报价",
        "开始维修",
        "维修完成",
    ]:
        assert label in timeline
    # The page never shows the customer's own phone number or name in full.
    body = customer.content()
    assert "13800138000" not in body and "王小明" not in body
