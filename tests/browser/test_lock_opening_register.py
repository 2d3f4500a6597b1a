"""On a locked-out job the technician cannot start until the register is
complete: ID (with separate consent), residence photo, witness with a drawn
signature — in headless Chromium, on a phone-sized screen."""

import pytest
from playwright.sync_api import expect

from baoxiu.lockopening.choices import WitnessRule
from baoxiu.lockopening.models import LockOpeningPolicy, LockOpeningRecord
from baoxiu.tickets.choices import TicketStatus
from tests.browser.test_repair_flow import log_in
from tests.factories import FaultTypeFactory, image_file, ticket_at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_register_then_start_work(live_server, new_page, technician):
    base = live_server.url
    lockout = FaultTypeFactory(code="locked-out", name="无法开门", lock_opening=True)
    LockOpeningPolicy.objects.create(
        division_prefix="4403", name="深圳市", witness_rule=WitnessRule.WITNESS, retention_days=90
    )
    ticket = ticket_at(TicketStatus.ON_SITE, fault_type=lockout, technician=technician)

    tech = new_page(viewport={"width": 390, "height": 844})
    log_in(tech, base, technician.user.username)
    job = tech.locator(f"[data-code='{ticket.code}']")
    job.locator("button[data-action=start_work]").click()
    expect(tech.locator(".messages")).to_contain_text("开锁前须完成开锁登记。")
    expect(job.get_by_test_id("job-status")).to_have_text("师傅已到达")

    job.locator("[data-action=lock-opening]").click()
    tech.check("#id_id_consent")
    tech.fill("#id_id_number", "11010519491231002x")
    tech.check("#id_id_checked")
    upload = image_file()
    tech.set_input_files(
        "#id_residence_photo",
        files=[{"name": "house.jpg", "mimeType": "image/jpeg", "buffer": upload.read()}],
    )
    tech.select_option("#id_witness_kind", "witness")
    tech.fill("#id_witness_name", "物业张经理")
    tech.locator("#signature-pad").scroll_into_view_if_needed()
    pad = tech.locator("#signature-pad").bounding_box()
    tech.mouse.move(pad["x"] + 20, pad["y"] + 70)
    tech.mouse.down()
    for step in range(1, 12):
        tech.mouse.move(pad["x"] + 20 + step * 22, pad["y"] + 70 + (15 if step % 2 else -15))
    tech.mouse.up()
    tech.click("button[data-action=save-register]")
    expect(tech.get_by_test_id("complete")).to_have_text("登记已完成，可以开始开锁。")
    expect(tech.get_by_test_id("id-masked")).to_have_text("1101**********002X")
    record = LockOpeningRecord.objects.get(ticket=ticket)
    assert record.witness_signature_file and record.residence_proof_file

    tech.goto(f"{base}/console/jobs/")
    job.locator("button[data-action=start_work]").click()
    expect(job.get_by_test_id("job-status")).to_have_text("维修中")
