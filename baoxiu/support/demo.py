"""The support slice's demo records: canned replies and one open chat.
Official channels and badge codes come with the demo organisation and technicians."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from baoxiu.support.choices import SenderKind
from baoxiu.support.models import CannedReply, ChatMessage, Conversation

CANNED = [
    ("问候", "您好，这里是官方在线客服，请问有什么可以帮您？"),
    ("索要地址", "请告诉我们您的联系电话和上门地址（区县+详细地址），我们马上为您建单。"),
    (
        "上门前核实",
        "师傅上门时会出示工牌，您可以在本站“核实号码或师傅身份”页面扫码核实，核实前请勿开门。",
    ),
    ("收费说明", "上门维修按公示价目收费，师傅报价需经您确认后才会开工。"),
]


def support_demo_load(*, now=None) -> Conversation:
    """Write the canned replies and one open chat waiting for an agent."""
    now = now or timezone.now()
    CannedReply.objects.bulk_create(CannedReply(title=t, body=b) for t, b in CANNED)
    started = now - timedelta(minutes=4)
    conversation = Conversation.objects.create(
        created_at=started, last_message_at=now - timedelta(minutes=1), agent_unread=2
    )
    ChatMessage.objects.bulk_create(
        [
            ChatMessage(
                conversation=conversation,
                sender=SenderKind.CUSTOMER,
                body="你好，我家指纹锁早上开始一直识别失败，能上门看看吗？",
                created_at=started,
            ),
            ChatMessage(
                conversation=conversation,
                sender=SenderKind.CUSTOMER,
                body="型号是安居 A7，还在保修期内。",
                created_at=now - timedelta(minutes=1),
            ),
        ]
    )
    return conversation
