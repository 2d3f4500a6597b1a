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
from itertools import count

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from baoxiu.accounts.choices import Role
from baoxiu.api.tests.helpers import post_json
from baoxiu.areas.models import CoverageImport
from baoxiu.privacy.services import ticket_contact_reveal
from baoxiu.tickets.models import Ticket
from baoxiu.tickets.transitions import ticket_transition
from tests.factories import (
    PASSWORD,
    FaultTypeFactory,
    OutletFactory,
    TechnicianFactory,
    UserFactory,
    make_ticket,
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
    return World(users=users, technician=technician, fault_type=FaultTypeFactory(code="xss"))


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
    ticket = Ticket.objects.get(description=payload)
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
}
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
