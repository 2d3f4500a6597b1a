"""Message texts per template. Only the ticket code, a link and staff names go in."""

from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "ticket_created": _("【%(brand)s】您的报修已受理，工单号%(code)s，查看进度：%(link)s"),
    "ticket_assigned": _(
        "【%(brand)s】已为您安排%(technician)s师傅，工单号%(code)s，进度：%(link)s"
    ),
    "ticket_en_route": _("【%(brand)s】%(technician)s师傅已出发，请保持电话畅通。进度：%(link)s"),
    "ticket_completed": _("【%(brand)s】工单%(code)s维修已完成，欢迎评价：%(link)s"),
    "ticket_link_reset": _("【%(brand)s】工单%(code)s的查询链接已更新，旧链接已失效：%(link)s"),
    "ticket_cancelled": _("【%(brand)s】工单%(code)s已取消。如有疑问请致电官方热线。"),
    # Sent by baoxiu.quotes with the one-time code added; stored and exported without it.
    "quote_ready": _("【%(brand)s】工单%(code)s有新的报价，请在查询页确认：%(link)s"),
}

# Which timeline events owe the customer a message.
EVENT_TEMPLATES = {
    "created": "ticket_created",
    "assigned": "ticket_assigned",
    "en_route": "ticket_en_route",
    "completed": "ticket_completed",
    "cancelled": "ticket_cancelled",
    "tracking_reset": "ticket_link_reset",
}
