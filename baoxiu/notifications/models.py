from django.db import models
from django.utils.translation import gettext_lazy as _

from baoxiu.notifications.choices import Channel, DeliveryState


class Notification(models.Model):
    """The outbox: one message owed to a ticket's customer.

    It names the template and the ticket, never a phone number or a name:
    the recipient is looked up only when the channel sends, so the outbox
    itself holds no personal data.
    """

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.OneToOneField(
        "tickets.TicketEvent", on_delete=models.CASCADE, null=True, related_name="notification"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.SMS)
    template = models.CharField(max_length=40)
    state = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    provider_message_id = models.CharField(max_length=100, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.template}→{self.ticket_id}"
