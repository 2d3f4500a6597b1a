"""After the real flows have run, the database file holds no personal data or token.

Reports come in through the public form, the public API and the agent
console; a technician is assigned and the ticket held with a reason; staff
reveal the contact (the audit log); notifications are delivered by the
worker; a tracking link is reset; an ID number is recorded; an API token is
issued and used; a customer writes their number in the chat, the hotline
reports a caller, and a lock-opening register entry records an ID number and
a witness. Then the raw SQLite file (with its WAL), or a ``pg_dump`` on
PostgreSQL, is searched for every value the log guard registered while this
test ran — each plaintext that reached an encrypted column, each tracking
and API token — and for the planted values written in other ways (digits
only, the last eight digits, UTF-16). New flows that store personal data: add
them to ``run_the_flows``; what they store encrypted is checked automatically.
"""

from __future__ import annotations

import json
import shutil

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from baoxiu.accounts.services import api_token_create
from baoxiu.core import queue
from baoxiu.customers.models import Customer
from baoxiu.customers.tests.test_encryption_at_rest import database_bytes
from baoxiu.feedback.models import Complaint, Rating
from baoxiu.feedback.services import complaint_create, complaint_handle, rating_create
from baoxiu.lockopening.models import LockOpeningRecord
from baoxiu.lockopening.services import lock_opening_record_save
from baoxiu.support.models import CallRecord, ChatMessage
from baoxiu.support.services import call_event_record
from baoxiu.support.telephony.base import CallEventData
from baoxiu.tickets.choices import TicketStatus
from baoxiu.tickets.models import Ticket
from baoxiu.tickets.services import ticket_tracking_reset
from baoxiu.tickets.transitions import ticket_transition
from tests.factories import PASSWORD, FaultTypeFactory, TechnicianFactory, UserFactory, ticket_at
from tests.security.log_guard import REGISTRY

pytestmark = pytest.mark.django_db(transaction=True)

PEOPLE = {
    "form": ("诸葛亮明", "13611112222", "成都市武侯区武侯祠大街231号诸葛庐7栋"),
    "api": ("上官婉儿", "15233334444", "西安市雁塔区大雁塔北广场88号曲江苑"),
    "console": ("东方不败", "18755556666", "杭州市西湖区龙井路1号梅家坞19号"),
}
ID_NUMBER = "110101199003074514"
# The desk and the lock-opening register.
CHAT_PHONE, CALLER = "13922223333", "13844445555"
CHAT_TEXT = f"师傅到了打我电话{CHAT_PHONE}，我姓慕容"
REGISTER_ID, WITNESS = "11010519491231002X", "物业慕容经理"
# Free text in the customer's own words: the description, a complaint, a rating.
DESCRIPTION = "指纹失灵，门禁密码7391，找皇甫先生"
COMPLAINT = "师傅迟到，请回电皇甫先生13677778888"
REPLY = "已致电皇甫先生道歉"
COMMENT = "皇甫先生很满意，师傅准时"


def run_the_flows(fault_type) -> list[str]:
    """Every way personal data and tokens enter the database today; returns the
    API token issued (it exists in plaintext only in memory)."""
    admin = UserFactory(username="rest-admin", role="admin")
    agent = UserFactory(username="rest-agent", role="agent")
    technician = TechnicianFactory(user__username="rest-tech")
    anonymous, desk = Client(), Client()
    assert desk.login(username=agent.username, password=PASSWORD)

    name, phone, address = PEOPLE["form"]
    form = {"name": name, "phone": phone, "address": address, "area_name": "成都市武侯区"}
    form |= {"fault_type": fault_type.pk, "consent": "on", "description": DESCRIPTION}
    form["submission_id"] = "00000000-0000-4000-8000-000000000101"
    assert anonymous.post("/report/", form).status_code == 302

    name, phone, address = PEOPLE["api"]
    token = api_token_create(user=admin, name="call centre")
    body = {"name": name, "phone": phone, "address": address, "fault_type": fault_type.code}
    response = Client().post(
        "/api/v1/tickets",
        json.dumps({**body, "consent": True}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.content

    name, phone, address = PEOPLE["console"]
    form = {**form, "name": name, "phone": phone, "address": address}
    form["submission_id"] = "00000000-0000-4000-8000-000000000102"
    assert desk.post("/console/tickets/new/", form).status_code == 302

    for ticket in Ticket.objects.all():
        ticket = ticket_transition(
            ticket=ticket, action="assign", actor=admin, technician=technician
        )
        ticket = ticket_transition(ticket=ticket, action="hold", actor=admin, note="客户改约")
        reveal = f"/console/tickets/{ticket.code}/reveal/"
        assert desk.post(reveal, {"reason": "上门前核对地址"}).status_code == 200
        ticket_tracking_reset(ticket=ticket, actor=agent)
    customer = Customer.objects.order_by("id").first()
    customer.id_number = ID_NUMBER
    customer.save(update_fields=["id_number"])
    _desk_and_register_flows(Ticket.objects.order_by("id").first(), technician, fault_type)
    queue.work(burst=True)
    return [token]


def _desk_and_register_flows(ticket, technician, fault_type):
    """A chat line holding a number, a hotline call, a lock-opening register entry."""
    chat = f"{ticket.tracking_path()}chat/"
    assert Client().post(chat, {"body": CHAT_TEXT}).status_code == 302
    call_event_record(
        event=CallEventData(
            call_id="rest-call-1",
            event="ringing",
            caller=CALLER,
            called="4008001234",
            agent="",
            recording_ref="rec-1",
            occurred_at=timezone.now(),
        )
    )
    complaint = complaint_create(ticket=ticket, kind="complaint", text=COMPLAINT)
    complaint_handle(complaint=complaint, actor=technician.user, reply=REPLY)
    done = ticket_at(TicketStatus.COMPLETED, fault_type=fault_type, technician=technician)
    rating_create(ticket=done, stars=5, comment=COMMENT)
    lockout = FaultTypeFactory(code="rest-lockout", lock_opening=True)
    job = ticket_at(TicketStatus.ON_SITE, fault_type=lockout, technician=technician)
    lock_opening_record_save(
        ticket=job,
        actor=technician.user,
        id_consent=True,
        id_number=REGISTER_ID,
        witness_kind="witness",
        witness_name=WITNESS,
    )


def _variants(value: str) -> list[str]:
    digits = "".join(c for c in value if c.isdigit())
    out = [value]
    if len(digits) >= 11:
        out += [digits, digits[-8:]]
    return out


def test_database_file_holds_no_personal_data_or_token(fault_type):
    before = set(REGISTRY.values)

    issued = run_the_flows(fault_type)

    made_here = {v: kind for v, kind in REGISTRY.values.items() if v not in before}
    planted = [v for person in PEOPLE.values() for v in person] + [ID_NUMBER, *issued]
    planted += [CHAT_TEXT, CHAT_PHONE, CALLER, REGISTER_ID, WITNESS]
    fragments = ["13677778888", "7391，找皇甫"]  # parts of the free text
    planted += [DESCRIPTION, COMPLAINT, REPLY, COMMENT, *fragments]
    unregistered = {ID_NUMBER, CHAT_PHONE, *fragments}
    assert set(planted) - unregistered <= set(REGISTRY.values) | set(issued)
    kinds = set(made_here.values())
    assert {"personal data", "tracking token", "API token", "chat token"} <= kinds, kinds
    raw = database_bytes()
    assert len(raw) > 10_000  # we really read the database
    found = []
    for value in {*made_here, *planted}:
        for variant in _variants(value):
            for encoding in ("utf-8", "utf-16-le"):
                if variant.encode(encoding) in raw:
                    found.append((made_here.get(value, "planted"), variant, encoding))
    assert found == []
    # ...while the application still reads everything back.
    assert Customer.objects.order_by("id").first().id_number == ID_NUMBER
    assert ChatMessage.objects.get().body == CHAT_TEXT
    assert CallRecord.objects.get().caller == CALLER
    assert LockOpeningRecord.objects.get().id_number == REGISTER_ID
    assert [t.description for t in Ticket.objects.all()].count(DESCRIPTION) == 2
    assert (Complaint.objects.get().text, Complaint.objects.get().reply) == (COMPLAINT, REPLY)
    assert Rating.objects.get().comment == COMMENT
    named = [p[0] for p in PEOPLE.values()] + ["王小明"]  # (the lock-opening job's customer)
    assert sorted(c.name for c in Customer.objects.all()) == sorted(named)


def test_pg_dump_is_available_when_running_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite run: the raw database file is read instead of a pg_dump")
    assert shutil.which("pg_dump"), "pg_dump is needed to check the data at rest on PostgreSQL"
