from baoxiu.core.queue import job
from baoxiu.quotes.services import quote_code_deliver


@job("quotes.send_code")
def send_code(payload: dict) -> None:
    quote_code_deliver(
        notification_id=payload["notification_id"],
        quote_id=payload["quote_id"],
        sealed_code=payload["sealed_code"],
    )
