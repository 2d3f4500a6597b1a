"""Live parts of the pages poll every 5 seconds or less, and a poll that finds
nothing new leaves the page (and whatever is being typed in it) alone."""

import re

import pytest
from django.urls import reverse

from baoxiu.pricing.calculator import LineRequest
from baoxiu.quotes.choices import DecisionChannel
from baoxiu.quotes.services import quote_decide, quote_submit
from baoxiu.tickets.transitions import ticket_transition
from tests.factories import PASSWORD, make_price_list, make_ticket, ticket_at

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


def poll_url(html, element_id):
    match = re.search(rf'id="{element_id}" hx-get="([^"]+)" hx-trigger="every (\d+)s"', html)
    assert match, element_id
    assert int(match.group(2)) <= 5
    return match.group(1).replace("&amp;", "&")


def test_job_list_poll_redraws_only_when_a_job_changes(client, technician, dispatcher, fault_type):
    client.login(username=technician.user.username, password=PASSWORD)
    ticket = make_ticket(fault_type=fault_type)
    ticket_transition(ticket=ticket, action="assign", actor=dispatcher, technician=technician)
    url = poll_url(client.get(reverse("console:my_jobs")).content.decode(), "my-jobs")

    unchanged = client.get(url, headers=HX)
    assert (unchanged.status_code, unchanged.content) == (204, b"")

    newcomer = make_ticket(fault_type=fault_type, phone="13900000009")
    ticket_transition(ticket=newcomer, action="assign", actor=dispatcher, technician=technician)
    redrawn = client.get(url, headers=HX)

    assert redrawn.status_code == 200
    html = redrawn.content.decode()
    assert html.startswith('<div id="my-jobs"') and "<html" not in html
    assert ticket.code in html and newcomer.code in html
    assert client.get(poll_url(html, "my-jobs"), headers=HX).status_code == 204


def test_job_list_redraws_when_the_customer_approves(client, technician, fault_type):
    ticket = ticket_at("on_site", fault_type=fault_type, technician=technician, quoted=False)
    make_price_list(fault_types=[fault_type])
    quote = quote_submit(
        ticket=ticket,
        actor=technician.user,
        requests=[LineRequest(kind="labour", key=fault_type.code)],
    )
    client.login(username=technician.user.username, password=PASSWORD)
    url = poll_url(client.get(reverse("console:my_jobs")).content.decode(), "my-jobs")
    assert client.get(url, headers=HX).status_code == 204

    quote_decide(quote=quote, approve=True, via=DecisionChannel.LINK)

    redrawn = client.get(url, headers=HX)
    assert redrawn.status_code == 200
    assert "客户已同意报价（第1版，应付 ¥110.00）" in redrawn.content.decode()


def test_tracking_page_and_chat_poll_within_five_seconds(client, fault_type):
    ticket = make_ticket(fault_type=fault_type)
    html = client.get(ticket.tracking_path()).content.decode()

    assert poll_url(html, "track") == ticket.tracking_path()
    chat = poll_url(html, "chat-log-wrap")
    # The typing box sits outside both polled elements.
    track_end = html.index('id="chat"')
    assert 'id="chat-body"' not in html[:track_end]
    chat_log = html[html.index('id="chat-log-wrap"') : html.index('data-testid="chat-form"')]
    assert "<textarea" not in chat_log
    assert client.get(chat, headers=HX).status_code == 200


def test_agent_inbox_polls_within_five_seconds(client, agent):
    client.login(username=agent.username, password=PASSWORD)
    html = client.get(reverse("support:inbox")).content.decode()
    rows = poll_url(html, "inbox-rows")
    assert client.get(rows, headers=HX).status_code == 200
