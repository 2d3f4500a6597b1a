from baoxiu.core.queue import job
from baoxiu.notifications.services import notification_deliver


@job("notifications.deliver")
def deliver(payload: dict) -> None:
    notification_deliver(notification_id=payload["notification_id"])
