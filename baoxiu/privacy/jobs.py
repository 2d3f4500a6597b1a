from baoxiu.core.queue import job
from baoxiu.privacy.bindings import privacy_number_bind, privacy_number_unbind


@job("privacy.number_bind")
def number_bind(payload: dict) -> None:
    privacy_number_bind(binding_id=payload["binding_id"])


@job("privacy.number_unbind")
def number_unbind(payload: dict) -> None:
    privacy_number_unbind(binding_id=payload["binding_id"])
