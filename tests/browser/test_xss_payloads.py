"""The XSS corpus in a real browser: payloads planted in the free-text fields,
every page that shows them loaded in headless Chromium, and nothing runs.

Each payload would set ``window.__xss`` or open an alert if it ran. The page
also records Content-Security-Policy violations from the first instant
(an init script): an escaped payload never even reaches the CSP, so a
violation means the escaping failed and only the CSP saved us — that fails
too. The server-side suite (``test_xss.py``) covers the whole corpus and
every field; this one proves the browser agrees with it. It lives beside
the other browser tests to share their one Chromium. New pages: add them to
the list in the test.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from baoxiu.accounts.choices import Role
from baoxiu.feedback.services import complaint_create
from baoxiu.privacy.services import ticket_contact_reveal
from baoxiu.support.models import Conversation
from baoxiu.support.services import conversation_start
from baoxiu.tickets.services import TicketRequest, ticket_create
from baoxiu.tickets.transitions import ticket_transition
from tests.factories import (
    PASSWORD,
    FaultTypeFactory,
    OutletFactory,
    TechnicianFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BROWSER_PAYLOADS = [
    "<script>window.__xss=1</script>",
    "<img src=x onerror=window.__xss=3>",
    "<svg onload=alert('__xss5')>",
    '" autofocus onfocus="window.__xss=9',
    '<a href="javascript:window.__xss=13">点我</a>',
    "<details open ontoggle=window.__xss=16>",
    "{{7*7}}{{ __xss19 }}",
    "</textarea><script>window.__xss=22</script>",
]

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.sample || ""));
});
"""


@pytest.fixture
def planted(db):
    dispatcher = UserFactory(username="bx-dispatcher", role=Role.DISPATCHER)
    agent = UserFactory(username="bx-agent", role=Role.AGENT)
    operations = UserFactory(username="bx-ops", role=Role.OPERATIONS)
    fault = FaultTypeFactory(code="bx-fault", name=BROWSER_PAYLOADS[1][:50])
    tickets = []
    for n, payload in enumerate(BROWSER_PAYLOADS):
        tech = TechnicianFactory(
            name=payload[:50], outlet=OutletFactory(name=payload), user__username=f"bx-tech{n}"
        )
        ticket, _ = ticket_create(
            request=TicketRequest(
                name=payload[:30],
                phone=f"1360000{n:04d}",
                address_text=payload,
                fault_type=fault,
                description=payload,
                area_name=payload[:100],
            )
        )
        ticket = ticket_transition(ticket=ticket, action="dispatch")
        if n % 2:
            ticket = ticket_transition(
                ticket=ticket, action="assign", actor=dispatcher, technician=tech
            )
            ticket = ticket_transition(ticket=ticket, action="hold", actor=dispatcher, note=payload)
            ticket_contact_reveal(user=agent, ticket=ticket, reason=f"核实{payload}"[:200])
        # The desk's apps show customers' words too: a chat line and a complaint.
        conversation_start(body=payload, client_ip=f"10.2.0.{n + 1}", ticket=ticket)
        complaint_create(ticket=ticket, kind="complaint", text=payload)
        tickets.append((ticket, tech))
    return {"tickets": tickets, "agent": agent, "dispatcher": dispatcher, "ops": operations}


def _session(page, base, user):
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}]
    )


def test_no_payload_runs_in_the_browser(live_server, new_page, planted):
    base = live_server.url
    held = [(t, tech) for t, tech in planted["tickets"] if tech.user_id and t.technician_id]
    pages = [(None, t.tracking_path()) for t, _tech in planted["tickets"]] + [
        (planted["agent"], "/console/tickets/"),
        (planted["dispatcher"], "/console/dispatch/"),
        (planted["ops"], "/console/audit/"),
        (None, "/coverage/?address=" + BROWSER_PAYLOADS[0]),
        (None, "/report/"),
    ]
    pages += [
        (planted["agent"], reverse("console:ticket_detail", kwargs={"code": t.code}))
        for t, _tech in planted["tickets"]
    ]
    pages += [(tech.user, "/console/jobs/") for _t, tech in held]
    pages += [(planted["agent"], "/console/support/"), (planted["agent"], "/console/followups/")]
    pages += [
        (planted["agent"], reverse("support:conversation", kwargs={"pk": pk}))
        for pk in Conversation.objects.values_list("pk", flat=True)
    ]

    dialogs, failures = [], []
    by_user: dict = {}
    for user, path in pages:
        key = user.pk if user else None
        if key not in by_user:
            page = new_page()
            page.add_init_script(WATCH)
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            if user is not None:
                _session(page, base, user)
            by_user[key] = page
        page = by_user[key]
        response = page.goto(base + path)
        assert response.status == 200, (path, response.status)
        page.wait_for_load_state("load")
        # Focus and hover everything once: handlers waiting for a user would fire now.
        page.keyboard.press("Tab")
        page.mouse.move(5, 5)
        page.mouse.move(300, 300)
        ran = page.evaluate("window.__xss")
        csp = page.evaluate("window.__csp")
        if ran is not None or csp:
            failures.append((path, ran, csp))
    assert dialogs == []
    assert failures == []
    # The payloads were on the pages, as text.
    detail = by_user[planted["agent"].pk]
    detail.goto(base + reverse("console:ticket_detail", kwargs={"code": held[0][0].code}))
    assert BROWSER_PAYLOADS[1] in detail.locator("body").inner_text()
