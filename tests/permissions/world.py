"""One small world for the permission tests, built once per test module.

Two customers (tickets A and B, each with its tracking link), two technicians
of different outlets (A's job belongs to tech_a of outlet A, B's to tech_b of
outlet B), an agent, a dispatcher, outlet A's manager, operations, an
administrator, an anonymous visitor and a visitor with a wrong token; plus
one object of every kind a URL can name (photo, chat, call, complaint, alert,
price-list draft, coverage import, register image), all on ticket A.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.test import Client
from django.utils import timezone

from tests.factories import (
    FaultTypeFactory,
    OutletFactory,
    TechnicianFactory,
    UserFactory,
    image_file,
    make_price_list,
    ticket_at,
)

CUSTOMERS = ("cust_a", "cust_b")
STAFF = ("agent", "dispatcher", "tech_a", "tech_b", "manager_a", "operations", "admin")
NOBODY = ("anon", "bad_token")
ACTORS = CUSTOMERS + STAFF + NOBODY
WRONG_TOKEN = "x" * 32


@dataclass
class World:
    users: dict = field(default_factory=dict)
    sessions: dict = field(default_factory=dict)
    ids: dict = field(default_factory=dict)

    def client(self, actor: str) -> Client:
        """A fresh client holding the actor's session (a test that logs out
        or rotates a session cannot spoil the next one)."""
        client = Client()
        if actor in self.sessions:
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[actor]
        return client

    def token_for(self, actor: str) -> str:
        """The tracking token an actor holds: their own ticket's, else a wrong one."""
        return {"cust_a": self.ids["token_a"], "cust_b": self.ids["token_b"]}.get(
            actor, WRONG_TOKEN
        )

    def chat_token_for(self, actor: str) -> str:
        # A chat link carries no ticket code: cust_b's own token opens cust_b's
        # chat, so here cust_b, like everyone else, holds no token to chat A.
        return {"cust_a": self.ids["chat_a"]}.get(actor, WRONG_TOKEN)

    def receipt_token_for(self, actor: str) -> str:
        return {"cust_a": self.ids["receipt_a"]}.get(actor, WRONG_TOKEN)


def build_world() -> World:
    from baoxiu.areas.models import CoverageImport
    from baoxiu.dispatch.models import DispatchAlert
    from baoxiu.evidence.services import photo_add
    from baoxiu.feedback.models import Complaint
    from baoxiu.lockopening.services import lock_opening_record_save
    from baoxiu.pricing.models import PriceItem, PriceListVersion
    from baoxiu.quotes.models import Payment
    from baoxiu.quotes.services import latest_quote
    from baoxiu.support.models import CallRecord, CannedReply, Conversation
    from baoxiu.tickets.models import Ticket

    w = World()
    now = timezone.now()
    manager_a = UserFactory(username="manager_a", role="outlet_manager")
    outlet_a = OutletFactory(code="OUTA", manager=manager_a)
    outlet_b = OutletFactory(
        code="OUTB", manager=UserFactory(username="manager_b", role="outlet_manager")
    )
    tech_a = TechnicianFactory(user__username="tech_a", outlet=outlet_a, name="甲师傅")
    tech_b = TechnicianFactory(user__username="tech_b", outlet=outlet_b, name="乙师傅")
    w.users = {
        "agent": UserFactory(username="agent", role="agent"),
        "dispatcher": UserFactory(username="dispatcher", role="dispatcher"),
        "tech_a": tech_a.user,
        "tech_b": tech_b.user,
        "manager_a": manager_a,
        "operations": UserFactory(username="operations", role="operations"),
        "admin": UserFactory(username="admin", role="admin", is_staff=True, is_superuser=True),
    }
    opening = FaultTypeFactory(code="opening", name="开锁", lock_opening=True)
    make_price_list(fault_types=[opening])
    a = ticket_at("on_site", fault_type=opening, technician=tech_a)
    b = ticket_at("on_site", fault_type=opening, technician=tech_b)
    expired = ticket_at("closed", fault_type=opening, technician=tech_a, quoted=False)
    Ticket.objects.filter(pk=expired.pk).update(
        closed_at=now - timedelta(days=60), updated_at=now - timedelta(days=60)
    )
    photo = photo_add(ticket=a, actor=tech_a.user, kind="before", upload=image_file())
    lock_opening_record_save(
        ticket=a, actor=tech_a.user, residence_photo=image_file(name="proof.jpg")
    )
    quote = latest_quote(a)
    payment = Payment.objects.create(
        ticket=a,
        quote=quote,
        method="cash",
        amount=quote.total,
        paid_at=now,
        provider="cash",
        provider_reference="perm-test",
    )
    chat_a = Conversation.objects.create(ticket=a, created_at=now, last_message_at=now)
    chat_b = Conversation.objects.create(ticket=b, created_at=now, last_message_at=now)
    complaint = Complaint.objects.create(ticket=a, kind="complaint", text="太慢了", created_at=now)
    alert = DispatchAlert.objects.create(
        ticket=a, kind="sla_warning", message="待派", created_at=now
    )
    call = CallRecord.objects.create(
        call_id="call-1", caller="13800138001", state="ringing", started_at=now
    )
    canned = CannedReply.objects.create(title="问候", body="您好")
    draft = PriceListVersion.objects.create(number=99, title="草稿", status="draft")
    item = PriceItem.objects.create(version=draft, kind="part", key="P-1", name="配件", amount=10)
    coverage_import = CoverageImport.objects.create(outlet=outlet_a, source="测试")
    division = apps.get_model("areas", "Division").objects.order_by("code").first()
    w.ids = {
        "code_a": a.code,
        "code_b": b.code,
        "token_a": a.tracking_token,
        "token_b": b.tracking_token,
        "code_expired": expired.code,
        "token_expired": expired.tracking_token,
        "photo_a": photo.pk,
        "quote_a": quote.number,
        "receipt_a": payment.receipt_token,
        "chat_a": chat_a.token,
        "chat_b": chat_b.token,
        "conversation_a": chat_a.pk,
        "complaint_a": complaint.pk,
        "alert_a": alert.pk,
        "call": call.call_id,
        "canned": canned.pk,
        "draft": draft.number,
        "draft_item": item.pk,
        "coverage_import": coverage_import.pk,
        "customer_a": a.customer_id,
        "tech_a": tech_a.pk,
        "tech_b": tech_b.pk,
        "badge_a": tech_a.badge_code,
        "division": division.code if division else "110000",
    }
    for actor, user in w.users.items():
        client = Client()
        client.force_login(user)
        w.sessions[actor] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return w
