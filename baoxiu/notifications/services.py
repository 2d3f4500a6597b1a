from __future__ import annotations

from django.utils import timezone

from baoxiu.accounts.selectors import organisation_profile
from baoxiu.core.queue import enqueue
from baoxiu.notifications.channels import sms_channel
from baoxiu.notifications.choices import DeliveryState
from baoxiu.notifications.models import Notification
from baoxiu.notifications.templates_text import EVENT_TEMPLATES, MESSAGES


def notify_ticket_event(*, ticket, event) -> Notification | None:
    """Queue the message this event owes the customer, if any.

    Call inside the transaction that wrote the event: the outbox row and its
    delivery job commit (or roll back) with it.
    """
    template = EVENT_TEMPLATES.get(event.type)
    if template is None:
        return None
    notification = Notification.objects.create(ticket=ticket, event=event, template=template)
    enqueue(
        "notifications.deliver",
        {"notification_id": notification.pk},
        dedupe_key=f"notification:{notification.pk}",
    )
    return notification


def render_text(notification: Notification) -> str:
    ticket = notification.ticket
    org = organisation_profile()
    text = str(MESSAGES[notification.template]) % {
        "brand": org.brand if org else "baoxiu",
        "code": ticket.code,
        "link": ticket.tracking_url(),
        "technician": ticket.technician.name if ticket.technician else "",
    }
    # Every message names the genuine hotline and the verify page (support app),
    # so a customer can tell the real service from an impostor.
    from baoxiu.support.sms import official_sms_footer

    return text + official_sms_footer(org)


def notification_deliver(*, notification_id: int) -> None:
    """Send one outbox message; a message already sent is not sent again."""
    notification = (
        Notification.objects.select_related("ticket__customer", "ticket__technician")
        .filter(pk=notification_id)
        .first()
    )
    if notification is None or notification.state == DeliveryState.SENT:
        return
    notification_send(notification=notification, text=render_text(notification))


def notification_send(*, notification: Notification, text: str) -> None:
    """Text the ticket's customer and mark the outbox row sent.

    The provider de-duplicates on the row's key, so a retried job after a
    crash between the send and the update texts the customer once.
    """
    result = sms_channel().send(
        phone=notification.ticket.customer.phone,
        text=text,
        idempotency_key=f"notification-{notification.pk}",
    )
    Notification.objects.filter(pk=notification.pk).update(
        state=DeliveryState.SENT, provider_message_id=result.message_id, sent_at=timezone.now()
    )
