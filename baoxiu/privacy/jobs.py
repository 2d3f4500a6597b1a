import logging
from datetime import timedelta

from baoxiu.core.queue import job, periodic
from baoxiu.privacy.bindings import bindings_sweep, privacy_number_bind, privacy_number_unbind
from baoxiu.privacy.retention import retention_purge

logger = logging.getLogger(__name__)


@job("privacy.number_bind")
def number_bind(payload: dict) -> None:
    privacy_number_bind(binding_id=payload["binding_id"])


@job("privacy.number_unbind")
def number_unbind(payload: dict) -> None:
    privacy_number_unbind(binding_id=payload["binding_id"])


@periodic("privacy.retention_purge", every=timedelta(hours=1))
def retention_purge_job(payload: dict) -> None:
    counts = retention_purge()
    logger.info("retention purge: %s", counts)


@periodic("privacy.numbers_sweep", every=timedelta(minutes=5))
def numbers_sweep(payload: dict) -> None:
    bindings_sweep()
