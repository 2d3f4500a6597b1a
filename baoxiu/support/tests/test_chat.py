"""Chat between a customer and the desk: starting, replying, unread counts,
assignment, canned replies, turning a chat into a ticket, escaping and limits."""

import uuid

import pytest
from django.test import override_settings
from django.urls import reverse

from baoxiu.support.choices import ConversationStatus, SenderKind
from baoxiu.support.models import CannedReply, ChatMessage, Conversation
from baoxiu.tickets.choices import TicketChannel
from baoxiu.tickets.models import Ticket
from tests.factories import PASSWORD, UserFactory, make_ticket

pytestmark = pytest.mark.django_db


def start_chat(client, body="指纹锁打不开了，能上门吗？"):
    response = client.post(reverse("support:chat_start"), {"body": body})
    assert response.status_code == 302
    return Conversation.objects.get(), response


def desk_client(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


def test_customer_starts_chat_before_any_ticket(client):
    conversation, response = start_chat(client)
    assert response.url == f"/support/chat/{conversation.token}/"
    assert len(conversation.token) == 32
    assert conversation.ticket is None
    assert conversation.agent_unread == 1
    assert [(m.sender, m.body) for m in conversation.messages.all()] == [
        (SenderKind.CUSTOMER, "指纹锁打不开了，能上门吗？")
    ]
    # The same browser finds its chat again from the report page's link.
    again = client.get(reverse("support:chat_start"))
    assert again.status_code == 302 and again.url == response.url
    page = client.get(response.url)
    assert page.status_code == 200
    assert page["Referrer-Policy"] == "same-origin"
    assert "指纹锁打不开了，能上门吗？" in page.content.decode()


def test_unknown_token_is_404(client):
    assert client.get("/support/chat/not-a-real-token/").status_code == 404
    assert client.get("/support/chat/not-a-real-token/log/").status_code == 404
    assert client.post("/support/chat/not-a-real-token/", {"body": "hi"}).status_code == 404


@pytest.mark.parametrize(
    ("body", "message"), [("   ", "请输入消息内容。"), ("锁" * 501, "消息不能超过500个字。")]
)
def test_empty_or_too_long_first_message_is_refused(client, body, message):
    response = client.post(reverse("support:chat_start"), {"body": body})
    assert response.status_code == 422
    assert message in response.content.decode()
    assert Conversation.objects.count() == 0 and ChatMessage.objects.count() == 0


@override_settings(SUPPORT_CHAT_LIMIT_PER_IP=2)
def test_anonymous_senders_are_rate_limited_per_address(client):
    conversation, response = start_chat(client, "第一条")
    client.post(response.url, {"body": "第二条"}, headers={"HX-Request": "true"})
    third = client.post(response.url, {"body": "第三条"}, headers={"HX-Request": "true"})
    assert "发送过于频繁" in third.content.decode()
    assert [m.body for m in conversation.messages.all()] == ["第一条", "第二条"]
    fourth = client.post(response.url, {"body": "第四条"})
    assert fourth.status_code == 429
    another = client.post(reverse("support:chat_start"), {"body": "新会话"})
    assert another.status_code == 429 and Conversation.objects.count() == 1


def test_message_text_is_escaped_on_both_sides(client, agent):
    script = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    conversation, response = start_chat(client, script)
    customer_page = client.get(response.url).content.decode()
    assert "<script>alert" not in customer_page and "<img src=x" not in customer_page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in customer_page
    desk = desk_client(client.__class__(), agent)
    for url in (
        reverse("support:conversation", kwargs={"pk": conversation.pk}),
        reverse("support:conversation_log", kwargs={"pk": conversation.pk}),
    ):
        html = desk.get(url).content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;" in html


def test_agent_reply_reaches_customer_and_unread_counts_move(client, agent):
    conversation, response = start_chat(client)
    desk = desk_client(client.__class__(), agent)
    inbox = desk.get(reverse("support:inbox"), headers={"HX-Request": "true"}).content.decode()
    assert f'data-conversation="{conversation.pk}"' in inbox
    assert 'data-testid="unread">1<' in inbox

    reply = desk.post(
        reverse("support:conversation", kwargs={"pk": conversation.pk}),
        {"body": "您好，可以上门，请留下地址。"},
        headers={"HX-Request": "true"},
    )
    assert reply.status_code == 200
    conversation.refresh_from_db()
    assert conversation.agent_unread == 0  # the agent has read it
    assert conversation.customer_unread == 1
    assert conversation.assigned_to == agent  # whoever answers first takes it
    log = client.get(reverse("support:chat_log", kwargs={"token": conversation.token}))
    assert "您好，可以上门，请留下地址。" in log.content.decode()
    conversation.refresh_from_db()
    assert conversation.customer_unread == 0


def test_agent_can_send_a_canned_reply(client, agent):
    conversation, _response = start_chat(client)
    canned = CannedReply.objects.create(title="问候", body="您好，这里是官方客服。")
    inactive = CannedReply.objects.create(title="旧", body="停用的回复", active=False)
    desk = desk_client(client.__class__(), agent)
    url = reverse("support:conversation", kwargs={"pk": conversation.pk})
    desk.post(url, {"body": "", "canned": canned.pk})
    bad = desk.post(url, {"body": "", "canned": inactive.pk})
    assert bad.status_code == 400 and "请输入消息内容。" in bad.content.decode()
    assert [m.body for m in conversation.messages.all()] == [
        "指纹锁打不开了，能上门吗？",
        "您好，这里是官方客服。",
    ]


def test_canned_replies_are_managed_by_the_desk(client, agent, technician):
    desk = desk_client(client, agent)
    response = desk.post(
        reverse("support:canned"), {"title": "上门时间", "body": "师傅将在2小时内联系您。"}
    )
    assert response.status_code == 302
    reply = CannedReply.objects.get()
    assert (reply.title, reply.body, reply.active) == ("上门时间", "师傅将在2小时内联系您。", True)
    desk.post(reverse("support:canned_toggle", kwargs={"pk": reply.pk}))
    reply.refresh_from_db()
    assert reply.active is False
    missing = desk.post(reverse("support:canned"), {"title": "", "body": "x"})
    assert missing.status_code == 400 and CannedReply.objects.count() == 1
    # A technician is not on the desk.
    tech = client.__class__()
    tech.login(username=technician.user.username, password=PASSWORD)
    assert tech.get(reverse("support:canned")).status_code == 403
    assert tech.get(reverse("support:inbox")).status_code == 403


def test_desk_pages_need_a_login(client):
    conversation, _response = start_chat(client)
    anonymous = client.__class__()
    for url in (
        reverse("support:inbox"),
        reverse("support:conversation", kwargs={"pk": conversation.pk}),
        reverse("support:call_ringing"),
    ):
        response = anonymous.get(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_assign_to_agent_and_back_to_queue(client, agent):
    other = UserFactory(username="agent2", role="agent")
    conversation, _response = start_chat(client)
    desk = desk_client(client.__class__(), agent)
    url = reverse("support:conversation_assign", kwargs={"pk": conversation.pk})
    desk.post(url, {"agent": other.pk})
    conversation.refresh_from_db()
    assert conversation.assigned_to == other
    mine = desk.get(reverse("support:inbox") + "?mine=1", headers={"HX-Request": "true"})
    assert f'data-conversation="{conversation.pk}"' not in mine.content.decode()
    technician_user = UserFactory(username="techx", role="technician")
    desk.post(url, {"agent": technician_user.pk})
    conversation.refresh_from_db()
    assert conversation.assigned_to == other  # not a desk user: refused
    desk.post(url, {"agent": ""})
    conversation.refresh_from_db()
    assert conversation.assigned_to is None


def test_chat_becomes_a_ticket_and_customer_sees_it(client, agent, fault_type):
    conversation, response = start_chat(client)
    desk = desk_client(client.__class__(), agent)
    url = reverse("support:conversation_ticket", kwargs={"pk": conversation.pk})
    data = {
        "name": "王小明",
        "phone": "13800138000",
        "address": "深圳市南山区科技园路1号",
        "area_name": "深圳市南山区",
        "fault_type": fault_type.pk,
        "description": "客户在线咨询",
        "submission_id": str(uuid.uuid4()),
        "consent": "on",
    }
    bad = desk.post(url, {**data, "phone": "123"})
    assert bad.status_code == 400 and "请输入有效的11位中国大陆手机号码。" in bad.content.decode()
    assert Ticket.objects.count() == 0
    made = desk.post(url, data)
    ticket = Ticket.objects.get()
    assert made.status_code == 302 and made.url == f"/console/tickets/{ticket.code}/"
    assert ticket.created_by == agent and ticket.channel == TicketChannel.WEB
    conversation.refresh_from_db()
    assert conversation.ticket == ticket
    assert (
        conversation.messages.last().body
        == f"已为您创建报修工单 {ticket.code}，可在本页打开进度查询。"
    )
    # The customer's chat now links to the tracking page; a second try is refused.
    assert ticket.tracking_path() in client.get(response.url).content.decode()
    again = desk.get(url)
    assert again.status_code == 302 and again.url == f"/console/tickets/{ticket.code}/"
    # The messages are kept with the ticket and shown on its console page.
    detail = desk.get(f"/console/tickets/{ticket.code}/").content.decode()
    assert "指纹锁打不开了，能上门吗？" in detail


def test_tracking_page_chat_links_to_ticket(client, agent, fault_type):
    ticket = make_ticket(fault_type=fault_type)
    url = reverse(
        "support:ticket_chat", kwargs={"code": ticket.code, "token": ticket.tracking_token}
    )
    page = client.get(ticket.tracking_path()).content.decode()
    assert 'data-testid="track-chat"' in page
    sent = client.post(url, {"body": "师傅几点到？"}, headers={"HX-Request": "true"})
    assert sent.status_code == 200 and "师傅几点到？" in sent.content.decode()
    conversation = Conversation.objects.get()
    assert conversation.ticket == ticket and conversation.status == ConversationStatus.OPEN
    client.post(url, {"body": "还有一个问题"}, headers={"HX-Request": "true"})
    assert Conversation.objects.count() == 1
    assert [m.body for m in conversation.messages.all()] == ["师傅几点到？", "还有一个问题"]
    wrong = reverse("support:ticket_chat", kwargs={"code": ticket.code, "token": "x" * 32})
    assert client.post(wrong, {"body": "hi"}).status_code == 404
    assert ChatMessage.objects.count() == 2


def test_closed_chat_reopens_when_customer_writes(client, agent):
    conversation, response = start_chat(client)
    desk = desk_client(client.__class__(), agent)
    desk.post(reverse("support:conversation_close", kwargs={"pk": conversation.pk}))
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.CLOSED
    client.post(response.url, {"body": "还在吗？"})
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.OPEN and conversation.agent_unread == 2


def test_demo_records_give_the_desk_something_to_do(db):
    from baoxiu.support.demo import CANNED, support_demo_load

    conversation = support_demo_load()
    assert list(CannedReply.objects.values_list("title", flat=True).order_by("pk")) == [
        t for t, _b in CANNED
    ]
    assert conversation.status == ConversationStatus.OPEN and conversation.agent_unread == 2
    assert [m.sender for m in conversation.messages.all()] == [SenderKind.CUSTOMER] * 2


def test_chat_tokens_and_typed_numbers_are_kept_out_of_logs():
    from baoxiu.core.log_redaction import redact

    line = (
        "Not Found: /support/chat/AbC-12_x/log/ and GET /api/v1/verify/badge/K2?caller=13800138000"
        " /api/v1/verify/phone?number=4001234567&x=1"
    )
    assert redact(line) == (
        "Not Found: /support/chat/[redacted]/log/ and GET /api/v1/verify/badge/K2?caller=[redacted]"
        " /api/v1/verify/phone?number=[redacted]&x=1"
    )
