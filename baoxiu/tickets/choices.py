from django.db import models
from django.utils.translation import gettext_lazy as _


class TicketStatus(models.TextChoices):
    NEW = "new", _("已受理")
    DISPATCHING = "dispatching", _("待派单")
    ASSIGNED = "assigned", _("已派单")
    ACCEPTED = "accepted", _("师傅已接单")
    EN_ROUTE = "en_route", _("师傅在路上")
    ON_SITE = "on_site", _("师傅已到达")
    IN_PROGRESS = "in_progress", _("维修中")
    COMPLETED = "completed", _("已完工")
    CLOSED = "closed", _("已关闭")
    CANCELLED = "cancelled", _("已取消")
    ON_HOLD = "on_hold", _("已挂起")


OPEN_STATUSES = (
    TicketStatus.NEW,
    TicketStatus.DISPATCHING,
    TicketStatus.ASSIGNED,
    TicketStatus.ACCEPTED,
    TicketStatus.EN_ROUTE,
    TicketStatus.ON_SITE,
    TicketStatus.IN_PROGRESS,
    TicketStatus.ON_HOLD,
)
UNASSIGNED_STATUSES = (TicketStatus.NEW, TicketStatus.DISPATCHING)


class TicketChannel(models.TextChoices):
    WEB = "web", _("网上报修")
    PHONE = "phone", _("电话报修")
    API = "api", _("接口")


class EventType(models.TextChoices):
    CREATED = "created", _("工单已创建")
    DISPATCHING = "dispatching", _("进入派单")
    ASSIGNED = "assigned", _("已派给师傅")
    ACCEPTED = "accepted", _("师傅接单")
    DECLINED = "declined", _("师傅拒单")
    UNASSIGNED = "unassigned", _("撤回派单")
    EN_ROUTE = "en_route", _("师傅出发")
    ON_SITE = "on_site", _("师傅到达")
    WORK_STARTED = "work_started", _("开始维修")
    COMPLETED = "completed", _("维修完成")
    CLOSED = "closed", _("工单关闭")
    CANCELLED = "cancelled", _("工单取消")
    ON_HOLD = "on_hold", _("工单挂起")
    RESUMED = "resumed", _("恢复处理")
    REOPENED = "reopened", _("工单重开")
    # Timeline notes that are not status changes (written by ticket_event_record).
    SLA_WARNING = "sla_warning", _("时限预警")
    SLA_BREACHED = "sla_breached", _("已超时")
    NO_TECHNICIAN = "no_technician", _("无可派师傅")
    LATE_RISK = "late_risk", _("无法按时到达")
    APPOINTMENT = "appointment", _("已预约上门时间")
    TRACKING_RESET = "tracking_reset", _("查询链接已重置")
    # On-site evidence and the customer's own actions (baoxiu.evidence, .lockopening, .feedback).
    LOCK_REGISTERED = "lock_registered", _("开锁登记完成")
    CUSTOMER_CONFIRMED = "confirmed", _("客户确认完工")
    REVIEW_REQUIRED = "review_required", _("完工待审核")
    REVIEWED = "reviewed", _("完工审核通过")
    COMPLAINT = "complaint", _("客户投诉")
    RATED = "rated", _("客户评价")
    # Quotes and payment (baoxiu.quotes), written by ticket_event_record.
    QUOTE_SUBMITTED = "quote_submitted", _("师傅提交报价")
    QUOTE_APPROVED = "quote_approved", _("客户同意报价")
    QUOTE_REJECTED = "quote_rejected", _("客户拒绝报价")
    QUOTE_VOIDED = "quote_voided", _("原报价作废，需重新报价")
    PAYMENT_RECORDED = "payment_recorded", _("已收款")


# Event types recorded without a status change; ticket_transition never writes them.
NOTE_EVENTS = (
    EventType.SLA_WARNING,
    EventType.SLA_BREACHED,
    EventType.NO_TECHNICIAN,
    EventType.LATE_RISK,
    EventType.TRACKING_RESET,
    EventType.REVIEW_REQUIRED,
    EventType.REVIEWED,
)

# Lines without a status change that the customer also sees on the public
# timeline (written by ticket_event_record; notes carry no personal data).
PUBLIC_NOTE_EVENTS = (
    EventType.QUOTE_SUBMITTED,
    EventType.QUOTE_APPROVED,
    EventType.QUOTE_REJECTED,
    EventType.QUOTE_VOIDED,
    EventType.PAYMENT_RECORDED,
)
