"""XSS corpus through every free-text field, checked in every page that shows it.

Two registries drive the suite:

``FIELDS`` — every free-text input that ends up on a page: how a payload gets
in (through the real form, API or service the data comes from) and which
pages must then show it. For each field and each payload that fits it, the
payload must be rendered (as text a reader sees — so the test proves it
reached the page) and nothing of it may be live markup (``xss.find_live_markup``).
A new free-text field is one entry here.

``URL_VALUES`` — how to fill each URL parameter. ``test_every_page_is_clean``
walks every URL pattern of the site (except the API, which Schemathesis
covers, and the admin, which is Django's) with the whole corpus planted in
every field, as each role and anonymously, and fails on live markup anywhere
— and on any new pattern whose parameters it cannot fill: add a line to
``URL_VALUES`` (or, with a reason, to ``NOT_CRAWLED``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from itertools import count

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from baoxiu.accounts.choices import Role
from baoxiu.api.tests.helpers import post_json
from baoxiu.areas.models import CoverageImport
from baoxiu.evidence.models import CompletionReview, JobPhoto
from baoxiu.evidence.services import completion_review_open
from baoxiu.feedback.models import Complaint
from baoxiu.lockopening.models import LockOpeningRecord
from baoxiu.pricing.calculator import version_in_force
from baoxiu.pricing.models import PriceItem, PriceListVersion
from baoxiu.privacy.services import ticket_contact_reveal
from baoxiu.quotes.models import Payment, Quote
from baoxiu.quotes.services import ticket_serial_link
from baoxiu.support.models import CallRecord, CannedReply, Conversation
from baoxiu.support.services import call_event_record, conversation_start
from baoxiu.support.telephony.base import CallEventData
from baoxiu.tickets.choices import TicketStatus
from baoxiu.tickets.models import Ticket
from baoxiu.tickets.transitions import ticket_transition
from tests.factories import (
    PASSWORD,
    FaultTypeFactory,
    LockModelFactory,
    OutletFactory,
    TechnicianFactory,
    UserFactory,
    image_file,
    make_price_list,
    make_ticket,
    ticket_at,
)
from tests.security.xss import PAYLOADS, find_live_markup, rendered_text

pytestmark = pytest.mark.django_db

_phones = count(1)


def _phone() -> str:
    return f"1370000{next(_phones):04d}"


# ---- the world the payloads are planted in ---------------------------------------


@dataclass
class World:
    users: dict
    technician: object
    fault_type: object
    clients: dict = field(default_factory=dict)

    def client(self, role: str | None) -> Client:
        if role not in self.clients:
            client = Client()
            if role is not None:
                assert client.login(username=self.users[role].username, password=PASSWORD)
            self.clients[role] = client
        return self.clients[role]

    def assigned_ticket(self, **kwargs) -> Ticket:
        ticket = make_ticket(fault_type=self.fault_type, phone=_phone(), **kwargs)
        return ticket_transition(
            ticket=ticket,
            action="assign",
            actor=self.users[Role.DISPATCHER],
            technician=self.technician,
        )


@pytest.fixture
def world(db):
    users = {
        role: UserFactory(username=f"xss-{role}", role=role)
        for role in (Role.AGENT, Role.DISPATCHER, Role.OPERATIONS, Role.ADMIN)
    }
    technician = TechnicianFactory(user__username="xss-tech")
    users[Role.TECHNICIAN] = technician.user
    return World(users=users, technician=technician, fault_type=FaultTypeFactory(code="ft-xss"))


@dataclass(frozen=True)
class Page:
    role: str | None  # None: anonymous
    url: str
    post: dict | None = None  # a form the page answers (reflected input)

    def fetch(self, world: World) -> str:
        client = world.client(self.role)
        if self.post is None:
            response = client.get(self.url)
        else:
            response = client.post(self.url, self.post)
        assert response.status_code in (200, 400), (self.url, response.status_code)
        return response.content.decode()


def detail(ticket, role=Role.AGENT) -> Page:
    return Page(role, reverse("console:ticket_detail", kwargs={"code": ticket.code}))


def tracking(ticket) -> Page:
    return Page(None, ticket.tracking_path())


LIST = Page(Role.AGENT, "/console/tickets/")
BOARD = Page(Role.DISPATCHER, "/console/dispatch/")
MY_JOBS = Page(Role.TECHNICIAN, "/console/jobs/")
AUDIT = Page(Role.OPERATIONS, "/console/audit/")


# ---- how each free-text field gets a payload in, and where it must show -------------


def plant_description(world, payload):
    client = world.client(None)
    response = client.post(
        "/report/",
        {
            "name": "张三",
            "phone": _phone(),
            "address": "深圳市南山区科技园路1号",
            "area_name": "深圳市南山区",
            "fault_type": world.fault_type.pk,
            "description": payload,
            "consent": "on",
            "submission_id": f"00000000-0000-4000-8000-{next(_phones):012d}",
        },
        REMOTE_ADDR=f"10.1.{next(_phones) % 250}.{next(_phones) % 250}",
    )
    assert response.status_code == 302, response.content.decode()[:500]
    ticket = Ticket.objects.order_by("-id").first()
    assert ticket.description == payload
    ticket = ticket_transition(
        ticket=ticket,
        action="assign",
        actor=world.users[Role.DISPATCHER],
        technician=world.technician,
    )
    pages = [detail(ticket), detail(ticket, Role.TECHNICIAN)]
    if len(payload) <= 80:  # my jobs shows the first 80 characters
        pages.append(MY_JOBS)
    return pages


def plant_name_by_api(world, payload):
    body = {
        "name": payload,
        "phone": _phone(),
        "address": "深圳市南山区科技园路2号",
        "fault_type": world.fault_type.code,
        "consent": True,
    }
    response = post_json(world.client(Role.AGENT), "/api/v1/tickets", body)
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get(code=response.json()["code"])
    reveal = Page(
        Role.AGENT,
        reverse("console:ticket_reveal", kwargs={"code": ticket.code}),
        post={"reason": "客户来电核实身份"},
    )
    return [reveal]


def plant_address_by_console(world, payload):
    response = world.client(Role.AGENT).post(
        "/console/tickets/new/",
        {
            "name": "李四",
            "phone": _phone(),
            "address": payload,
            "area_name": payload[:100],
            "fault_type": world.fault_type.pk,
            "consent": "on",
            "submission_id": f"00000000-0000-4000-9000-{next(_phones):012d}",
        },
    )
    if response.status_code != 302:
        # (An address naming a place in several cities would ask which one.)
        pytest.fail(f"console intake refused {payload!r}: {response.content.decode()[:300]}")
    ticket = Ticket.objects.order_by("-id").first()
    reveal = Page(
        Role.AGENT,
        reverse("console:ticket_reveal", kwargs={"code": ticket.code}),
        post={"reason": "上门前核对地址"},
    )
    # The district the agent typed shows on the list, the detail and the board.
    ticket_transition(ticket=ticket, action="dispatch")
    return [reveal, detail(ticket), Page(Role.AGENT, f"/console/tickets/?q={ticket.code}"), BOARD]


def plant_reason_by_console(world, payload):
    ticket = world.assigned_ticket()
    url = reverse("console:ticket_action", kwargs={"code": ticket.code})
    response = world.client(Role.DISPATCHER).post(
        url, {"action": "hold", "note": payload, "version": ticket.version}
    )
    assert response.status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).status == "on_hold", payload
    return [detail(ticket)]


def plant_reveal_reason(world, payload):
    ticket = world.assigned_ticket()
    reason = f"核实{payload}"[:200]
    ticket_contact_reveal(user=world.users[Role.AGENT], ticket=ticket, reason=reason)
    return [Page(Role.OPERATIONS, f"/console/audit/?ticket={ticket.code}")], reason


def plant_staff_names(world, payload):
    """Names staff type in the admin: technician, outlet, a desk user's display name."""
    outlet = OutletFactory(name=payload[:100])
    tech = TechnicianFactory(name=payload[:50], outlet=outlet)
    desk = world.users[Role.DISPATCHER]
    desk.display_name = payload[:50]
    desk.save(update_fields=["display_name"])
    ticket = make_ticket(fault_type=world.fault_type, phone=_phone())
    ticket = ticket_transition(ticket=ticket, action="assign", actor=desk, technician=tech)
    search = Page(Role.AGENT, f"/console/tickets/?q={ticket.code}")
    return [tracking(ticket), detail(ticket), search]


def plant_catalog_names(world, payload):
    fault = FaultTypeFactory(name=payload[:50])
    ticket = make_ticket(fault_type=fault, phone=_phone())
    return [tracking(ticket), detail(ticket), Page(None, "/report/")]


def reflect_search_inputs(world, payload):
    from urllib.parse import urlencode

    return [
        Page(Role.AGENT, "/console/tickets/?" + urlencode({"q": payload[:50]})),
        Page(Role.OPERATIONS, "/console/audit/?" + urlencode({"actor": payload})),
        Page(None, "/coverage/?" + urlencode({"address": payload})),
    ]


def reflect_report_form(world, payload):
    """A refused report shows the reporter's input again (here: consent missing)."""
    post = {
        "name": payload[:30],
        "phone": "13800138000",
        "address": payload,
        "description": payload,
        "area_name": payload[:100],
        "fault_type": world.fault_type.pk,
        "submission_id": "00000000-0000-4000-8000-000000000001",
    }
    return [Page(None, "/report/", post=post), Page(Role.AGENT, "/console/tickets/new/", post=post)]


def plant_coverage_import(world, payload):
    outlet = OutletFactory()
    client = world.client(Role.OPERATIONS)
    data = {"outlet": outlet.pk, "text": f"本溪市南芬区\n{payload}", "response_hours": 24}
    response = client.post("/console/areas/coverage/import/", {**data, "step": "save"})
    assert response.status_code == 302, response.content.decode()[:300]
    return [
        Page(Role.OPERATIONS, "/console/areas/coverage/import/", post=data),  # the preview
        Page(Role.OPERATIONS, response.url),  # the result lists the unsaved line
    ]


# ---- the apps beside the ticket: desk, feedback, quotes, evidence, register, prices ----


def _ip() -> str:
    n = next(_phones)
    return f"10.{n // 62500 % 250}.{n // 250 % 250}.{n % 250 + 1}"


def _on_site(world, *, quoted=False, fault_type=None):
    return ticket_at(
        TicketStatus.ON_SITE,
        fault_type=fault_type or world.fault_type,
        technician=world.technician,
        quoted=quoted,
    )


def _price_list(world):
    if version_in_force() is None:
        make_price_list(fault_types=[world.fault_type])


def plant_chat_message(world, payload):
    """The customer writes in the chat box of the tracking page; the agent answers."""
    ticket = world.assigned_ticket()
    chat = reverse(
        "support:ticket_chat", kwargs={"code": ticket.code, "token": ticket.tracking_token}
    )
    response = Client().post(chat, {"body": payload}, REMOTE_ADDR=_ip())
    assert response.status_code == 302, response.content.decode()[:300]
    conversation = Conversation.objects.get(ticket=ticket)
    inside = reverse("support:conversation", kwargs={"pk": conversation.pk})
    response = world.client(Role.AGENT).post(inside, {"body": "回复：" + payload})
    assert response.status_code in (200, 302), response.content.decode()[:300]
    log = reverse("support:chat_log", kwargs={"token": conversation.token})
    return [
        Page(None, chat),
        Page(None, log),
        Page(Role.AGENT, inside),
        Page(Role.AGENT, reverse("support:conversation_log", kwargs={"pk": conversation.pk})),
    ]


def plant_canned_reply(world, payload):
    response = world.client(Role.AGENT).post(
        "/console/support/canned/", {"title": payload[:40], "body": payload}
    )
    assert response.status_code == 302, response.content.decode()[:300]
    canned = CannedReply.objects.get(body=payload)
    conversation = conversation_start(body="你好", client_ip=_ip())
    inside = reverse("support:conversation", kwargs={"pk": conversation.pk})
    # Sent with one click: the text is the chat's next message.
    response = world.client(Role.AGENT).post(inside, {"body": "", "canned": canned.pk})
    assert response.status_code in (200, 302), response.content.decode()[:300]
    assert conversation.messages.last().body == payload
    log = reverse("support:chat_log", kwargs={"token": conversation.token})
    return [Page(Role.AGENT, "/console/support/canned/"), Page(Role.AGENT, inside), Page(None, log)]


def plant_call(world, payload):
    """What the telephony vendor sends: the recording reference and the called line."""
    call_id = f"xss-call-{next(_phones)}"
    call_event_record(
        event=CallEventData(
            call_id=call_id,
            event="ringing",
            caller=_phone(),
            called=payload[:30],
            agent="",
            recording_ref=payload,
            occurred_at=timezone.now(),
        )
    )
    return [Page(Role.AGENT, reverse("support:call", kwargs={"call_id": call_id}))], payload[:30]


def plant_complaint(world, payload):
    """The customer complains on the tracking page; the desk replies."""
    ticket = world.assigned_ticket()
    kwargs = {"code": ticket.code, "token": ticket.tracking_token}
    response = Client().post(
        reverse("feedback:complaint", kwargs=kwargs), {"kind": "complaint", "text": payload}
    )
    assert response.status_code == 302, response.content.decode()[:300]
    complaint = Complaint.objects.get(ticket=ticket)
    handle = reverse(
        "feedback:complaint_handle", kwargs={"code": ticket.code, "complaint_id": complaint.pk}
    )
    response = world.client(Role.AGENT).post(handle, {"reply": "答复：" + payload})
    assert response.status_code == 302
    assert Complaint.objects.get(pk=complaint.pk).reply == "答复：" + payload
    # A second one stays open: the desk's follow-ups page lists it.
    response = Client().post(
        reverse("feedback:complaint", kwargs=kwargs), {"kind": "escalation", "text": payload}
    )
    assert response.status_code == 302, response.content.decode()[:300]
    # (The board's alert quotes it too, but shows only the latest alerts: the crawl reads it.)
    return [tracking(ticket), detail(ticket), Page(Role.AGENT, "/console/followups/")]


def plant_cancel_reason(world, payload):
    ticket = make_ticket(fault_type=world.fault_type, phone=_phone())
    kwargs = {"code": ticket.code, "token": ticket.tracking_token}
    response = Client().post(reverse("feedback:cancel", kwargs=kwargs), {"reason": payload})
    assert response.status_code == 302, response.content.decode()[:300]
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.CANCELLED
    return [detail(ticket)]


def plant_rating(world, payload):
    ticket = ticket_at(
        TicketStatus.COMPLETED, fault_type=world.fault_type, technician=world.technician
    )
    kwargs = {"code": ticket.code, "token": ticket.tracking_token}
    response = Client().post(
        reverse("feedback:rate", kwargs=kwargs), {"stars": "1", "comment": payload}
    )
    assert response.status_code == 302, response.content.decode()[:300]
    return [tracking(ticket), detail(ticket)]


def plant_quote_free_text(world, payload):
    """A line not on the price list (name and reason), then a revision with its reason,
    through the technician's quote form."""
    _price_list(world)
    ticket = _on_site(world)
    url = reverse("quotes:job_quote", kwargs={"code": ticket.code})
    client = world.client(Role.TECHNICIAN)
    base = {"free_price": "20.00", "free_quantity": "1", "free_reason": payload}
    response = client.post(url, {**base, "free_name": payload})
    assert response.status_code == 302, response.content.decode()[:500]
    response = client.post(url, {**base, "free_name": payload, "reason": "改：" + payload})
    assert response.status_code == 302, response.content.decode()[:500]
    assert ticket.quotes.count() == 2
    return [tracking(ticket), detail(ticket), Page(Role.TECHNICIAN, url)]


def plant_part(world, payload):
    ticket = _on_site(world, quoted=True)
    url = reverse("evidence:part_record", kwargs={"code": ticket.code})
    response = world.client(Role.TECHNICIAN).post(
        url,
        {
            "name": payload,
            "code": payload[:40],
            "new_serial": payload[:60],
            "old_serial": payload[:60],
            "old_part": "outlet",
        },
    )
    assert response.status_code == 302, response.content.decode()[:300]
    assert ticket.parts.get().name == payload
    evidence = reverse("evidence:job", kwargs={"code": ticket.code})
    return [Page(Role.TECHNICIAN, evidence), detail(ticket)], payload[:40]


def plant_photo_caption(world, payload):
    ticket = _on_site(world, quoted=True)
    url = reverse("evidence:photo_upload", kwargs={"code": ticket.code})
    response = world.client(Role.TECHNICIAN).post(
        url, {"kind": "before", "caption": payload, "photo": image_file()}
    )
    assert response.status_code == 302, response.content.decode()[:300]
    evidence = reverse("evidence:job", kwargs={"code": ticket.code})
    return [Page(Role.TECHNICIAN, evidence), detail(ticket)]


def plant_review_note(world, payload):
    ticket = ticket_at(
        TicketStatus.COMPLETED, fault_type=world.fault_type, technician=world.technician
    )
    completion_review_open(ticket=ticket, reason="客户未确认完工")
    url = reverse("evidence:review_resolve", kwargs={"code": ticket.code})
    response = world.client(Role.AGENT).post(url, {"note": payload})
    assert response.status_code == 302, response.content.decode()[:300]
    assert CompletionReview.objects.get(ticket=ticket).note == payload
    return [detail(ticket)]


def plant_register(world, payload):
    """The witness's name and the police reference, through the register form."""
    lockout = FaultTypeFactory(code=f"xss-lock-{next(_phones)}", lock_opening=True)
    ticket = _on_site(world, fault_type=lockout, quoted=False)
    url = reverse("lockopening:form", kwargs={"code": ticket.code})
    response = world.client(Role.TECHNICIAN).post(
        url,
        {"witness_kind": "police", "witness_name": payload[:30], "police_reference": payload[:40]},
    )
    assert response.status_code == 302, response.content.decode()[:300]
    record = LockOpeningRecord.objects.get(ticket=ticket)
    assert (record.witness_name, record.police_reference) == (payload[:30], payload[:40])
    printed = reverse("lockopening:print", kwargs={"code": ticket.code})
    return [Page(Role.TECHNICIAN, url), Page(Role.AGENT, printed)], payload[:30]


def plant_price_item(world, payload):
    """An item name typed into a draft price list, published on the price board."""
    from baoxiu.pricing.services import price_item_set, price_list_draft_create, price_list_publish

    draft = price_list_draft_create(title=payload[:60], copy_from=version_in_force())
    price_item_set(
        version=draft,
        kind="part",
        key=f"X{next(_phones)}",
        name=payload[:60],
        amount=Decimal("9.00"),
    )
    price_list_publish(version=draft, effective_from=None, actor=world.users[Role.OPERATIONS])
    detail_page = reverse("pricing:version_detail", kwargs={"number": draft.number})
    return [Page(None, "/prices/"), Page(Role.OPERATIONS, detail_page)], payload[:60]


def plant_lock_serial(world, payload):
    """A serial number as the brand imported it, shown in the service history."""
    from urllib.parse import urlencode

    from baoxiu.pricing.models import LockSerial

    # (Imported as the brand's systems keep serials: trimmed, upper case.)
    serial = LockSerial.objects.create(
        serial=payload[:40].strip().upper(), lock_model=LockModelFactory()
    )
    ticket = _on_site(world)
    ticket_serial_link(ticket=ticket, serial=serial.serial, actor=world.technician.user)
    history = "/console/serials/?" + urlencode({"serial": serial.serial})
    return [
        Page(Role.AGENT, history),
        Page(Role.TECHNICIAN, reverse("quotes:job_quote", kwargs={"code": ticket.code})),
    ], serial.serial


@dataclass(frozen=True)
class FreeText:
    name: str
    plant: object  # fn(world, payload) -> pages | (pages, shown_text)
    max_length: int = 1000


FIELDS = [
    FreeText("ticket description (public report form)", plant_description),
    FreeText("customer name (API, staff caller)", plant_name_by_api, max_length=30),
    FreeText("address and district (agent console)", plant_address_by_console, max_length=200),
    FreeText("hold reason / event note (console action)", plant_reason_by_console, 500),
    FreeText("reveal reason (audit page)", plant_reveal_reason, max_length=196),
    FreeText("technician, outlet and staff names", plant_staff_names, max_length=50),
    FreeText("fault type name (catalogue)", plant_catalog_names, max_length=50),
    FreeText("search inputs reflected", reflect_search_inputs, max_length=50),
    FreeText("report form re-shown after an error", reflect_report_form, max_length=30),
    FreeText("coverage import line", plant_coverage_import, max_length=100),
    FreeText("chat message, customer and agent (tracking page chat)", plant_chat_message, 490),
    FreeText("canned reply title and text (agent console)", plant_canned_reply, 500),
    FreeText("call recording reference and called line (webhook)", plant_call, 200),
    FreeText("complaint text and the desk's reply (tracking page)", plant_complaint, 490),
    FreeText("cancellation reason (tracking page)", plant_cancel_reason, 200),
    FreeText("rating comment (tracking page)", plant_rating, 500),
    FreeText("quote free-text line and revision reason", plant_quote_free_text, 100),
    FreeText("replaced part name, code and serials", plant_part, 100),
    FreeText("photo caption", plant_photo_caption, 100),
    FreeText("completion review note", plant_review_note, 500),
    FreeText("witness name and police reference (register)", plant_register, 200),
    FreeText("price list title and item name", plant_price_item, 200),
    FreeText("lock serial number (brand import)", plant_lock_serial, 200),
]


@pytest.mark.parametrize("free_text", FIELDS, ids=[f.name for f in FIELDS])
def test_every_payload_is_shown_as_text_and_never_live(world, free_text):
    payloads = [p for p in PAYLOADS if len(p) <= free_text.max_length]
    assert len(payloads) >= 10
    # Plant every payload first, then read each page once with all it must show.
    expected: dict[tuple, tuple[Page, list[str]]] = {}
    for payload in payloads:
        planted = free_text.plant(world, payload)
        pages, shown = planted if isinstance(planted, tuple) else (planted, payload)
        for page in pages:
            key = (page.role, page.url, repr(page.post))
            expected.setdefault(key, (page, []))[1].append(shown)
    failures = []
    for page, texts in expected.values():
        html = page.fetch(world)
        live = find_live_markup(html)
        if live:
            failures.append((page.url, live))
        text = rendered_text(html)
        for shown in texts:
            # A reader sees exactly what was typed (line separators may split it).
            missing = [part for part in shown.splitlines() if part.strip() not in text]
            if missing:
                failures.append((page.url, "not shown as text", shown))
    assert failures == []


# ---- every page, every role, with the corpus planted ------------------------------

# URL name → the keyword arguments to visit it with (given the world and the
# tickets planted). A new URL pattern with parameters needs one line here.
URL_VALUES = {
    "portal:track": lambda w, tickets: [
        {"code": t.code, "token": t.tracking_token} for t in tickets
    ],
    "portal:book": lambda w, tickets: [
        {"code": tickets[0].code, "token": tickets[0].tracking_token}
    ],
    "console:ticket_detail": lambda w, tickets: [{"code": t.code} for t in tickets],
    "console:ticket_action": lambda w, tickets: [{"code": tickets[0].code}],
    "console:ticket_reveal": lambda w, tickets: [{"code": tickets[0].code}],
    "console:ticket_tracking_reset": lambda w, tickets: [{"code": tickets[0].code}],
    "console:alert_ack": lambda w, tickets: [{"pk": 1}],
    "areas:browse_division": lambda w, tickets: [{"code": "440305"}, {"code": "4403"}],
    "areas:coverage_import_result": lambda w, tickets: [
        {"pk": pk} for pk in CoverageImport.objects.values_list("pk", flat=True)
    ],
    # the desk and badge verification
    "support:verify_badge": lambda w, tickets: _badges(),
    "support:verify_badge_qr": lambda w, tickets: _badges(),
    "support:verify_badge_photo": lambda w, tickets: _badges(),
    "support:chat": lambda w, tickets: _conversations("token"),
    "support:chat_log": lambda w, tickets: _conversations("token"),
    "support:ticket_chat": lambda w, tickets: _tracked(tickets),
    "support:conversation": lambda w, tickets: _conversations("pk"),
    "support:conversation_log": lambda w, tickets: _conversations("pk"),
    "support:conversation_assign": lambda w, tickets: _conversations("pk")[:1],
    "support:conversation_close": lambda w, tickets: _conversations("pk")[:1],
    "support:conversation_ticket": lambda w, tickets: _conversations("pk")[:3],
    "support:canned_toggle": lambda w, tickets: [{"pk": CannedReply.objects.first().pk}],
    "support:call": lambda w, tickets: [
        {"call_id": c} for c in CallRecord.objects.values_list("call_id", flat=True)
    ],
    "support:call_attach": lambda w, tickets: [
        {"call_id": CallRecord.objects.values_list("call_id", flat=True).first()}
    ],
    "support:technician_badge": lambda w, tickets: [{"pk": w.technician.pk}],
    # evidence and the lock-opening register
    "evidence:job": lambda w, tickets: _codes(tickets),
    "evidence:photo_upload": lambda w, tickets: _codes(tickets)[:1],
    "evidence:part_record": lambda w, tickets: _codes(tickets)[:1],
    "evidence:code_enter": lambda w, tickets: _codes(tickets)[:1],
    "evidence:signature_enter": lambda w, tickets: _codes(tickets)[:1],
    "evidence:review_resolve": lambda w, tickets: _codes(tickets)[:1],
    "evidence:staff_photo": lambda w, tickets: [
        {"code": p.ticket.code, "photo_id": p.pk} for p in JobPhoto.objects.all()[:3]
    ],
    "evidence:customer_photo": lambda w, tickets: [
        {"code": p.ticket.code, "token": p.ticket.tracking_token, "photo_id": p.pk}
        for p in JobPhoto.objects.all()[:3]
    ],
    "evidence:customer_confirm": lambda w, tickets: _tracked(tickets)[:3],
    "lockopening:form": lambda w, tickets: _registered("code"),
    "lockopening:print": lambda w, tickets: _registered("code"),
    "lockopening:image": lambda w, tickets: [
        {**kw, "kind": kind}
        for kw in _registered("code")[:1]
        for kind in ("residence", "signature")
    ],
    # feedback
    "feedback:complaint": lambda w, tickets: _tracked(tickets),
    "feedback:cancel": lambda w, tickets: _tracked(tickets),
    "feedback:rate": lambda w, tickets: _tracked(tickets),
    "feedback:complaint_handle": lambda w, tickets: [
        {"code": c.ticket.code, "complaint_id": c.pk} for c in Complaint.objects.all()[:3]
    ],
    # data-subject requests (export and erase answer POSTs; a GET shows nothing personal)
    "privacy:subject_export": lambda w, tickets: [{"customer_id": tickets[0].customer_id}],
    "privacy:subject_erase": lambda w, tickets: [{"customer_id": tickets[0].customer_id}],
    # prices and quotes
    "pricing:version_detail": lambda w, tickets: _price_lists(),
    "pricing:publish": lambda w, tickets: _price_lists()[:1],
    "pricing:item_remove": lambda w, tickets: [
        {"number": i.version.number, "item_id": i.pk} for i in PriceItem.objects.all()[:1]
    ],
    "quotes:job_quote": lambda w, tickets: _codes(tickets),
    "quotes:job_quote_status": lambda w, tickets: _codes(tickets),
    "quotes:job_serial": lambda w, tickets: _codes(tickets)[:1],
    "quotes:job_code": lambda w, tickets: [
        {"code": q.ticket.code, "number": q.number} for q in Quote.objects.all()[:3]
    ],
    "quotes:job_payment": lambda w, tickets: _codes(tickets),
    "quotes:track_decide": lambda w, tickets: [
        {"code": q.ticket.code, "token": q.ticket.tracking_token, "number": q.number}
        for q in Quote.objects.all()[:3]
    ],
    "quotes:receipt": lambda w, tickets: [
        {"token": t} for t in Payment.objects.values_list("receipt_token", flat=True)
    ],
}


def _codes(tickets) -> list[dict]:
    return [{"code": t.code} for t in tickets]


def _tracked(tickets) -> list[dict]:
    return [{"code": t.code, "token": t.tracking_token} for t in tickets]


def _conversations(key: str) -> list[dict]:
    return [
        {key: value} for value in Conversation.objects.order_by("id").values_list(key, flat=True)
    ]


def _registered(key: str) -> list[dict]:
    return [{key: r.ticket.code} for r in LockOpeningRecord.objects.select_related("ticket")]


def _badges() -> list[dict]:
    from baoxiu.workforce.models import Technician

    return [{"code": c} for c in Technician.objects.values_list("badge_code", flat=True)]


def _price_lists() -> list[dict]:
    return [{"number": n} for n in PriceListVersion.objects.values_list("number", flat=True)]


# Prefixes not crawled here, with the reason.
NOT_CRAWLED = {
    "api/": "JSON, covered by the Schemathesis suite",
    "admin/": "Django's admin, staff-only and Django's own escaping",
}
ROLES = [None, Role.AGENT, Role.DISPATCHER, Role.OPERATIONS, Role.ADMIN, Role.TECHNICIAN]


def _url_patterns(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from _url_patterns(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), namespace + (pattern.name or "")


def test_every_page_is_clean_with_the_corpus_planted(world):
    # Each payload goes into one field, round robin: every payload and every field planted.
    for n, payload in enumerate(PAYLOADS):
        candidates = [f for f in FIELDS if len(payload) <= f.max_length]
        candidates[n % len(candidates)].plant(world, payload)
    tickets = list(Ticket.objects.order_by("id"))
    assert len(tickets) >= 20

    visits, unknown = [], []
    for route, name in _url_patterns(get_resolver().url_patterns):
        if route.startswith(tuple(NOT_CRAWLED)):
            continue
        if "<" not in route:
            visits.append(reverse(name))
        elif name in URL_VALUES:
            visits += [reverse(name, kwargs=kw) for kw in URL_VALUES[name](world, tickets)]
        else:
            unknown.append(route)
    assert unknown == [], "add these URL patterns to URL_VALUES (or NOT_CRAWLED)"

    failures = []
    pages_read = 0
    for role in ROLES:
        client = world.client(role)
        for url in visits:
            response = client.get(url)
            if "text/html" not in response.get("Content-Type", ""):
                continue
            pages_read += 1
            live = find_live_markup(response.content.decode())
            if live:
                failures.append((role, url, response.status_code, live))
    assert failures == []
    assert pages_read > len(tickets) * 3  # the ticket pages were really read
