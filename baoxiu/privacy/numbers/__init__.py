"""Privacy numbers (隐私号, AXB binding): one interface, one module per vendor.

A provider links a virtual number X to the customer's real number A (and,
where the vendor supports it, to the technician's number B), so the
technician calls X and never learns A. ``settings.PRIVACY_NUMBER_BACKEND``
names the provider class; ``fake.FakePrivacyNumbers`` serves tests and the
demo, ``http.HttpPrivacyNumbers`` speaks the JSON protocol documented there.

Providers raise ``ProviderError`` for anything but a clear success; its
message never carries a phone number (it ends up in the job's last_error).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class ProviderError(Exception):
    """The provider did not confirm the request (timeout, 5xx, malformed answer)."""


@dataclass(frozen=True)
class Bound:
    binding_id: str  # the provider's reference, used to unbind
    virtual_number: str
    expires_at: datetime


class PrivacyNumberProvider(Protocol):
    def bind(self, *, request_id: str, a_number: str, b_number: str, expires_at: datetime) -> Bound:
        """Bind a virtual number to ``a_number``; the same ``request_id`` gives the same binding."""
        ...

    def unbind(self, *, binding_id: str) -> None:
        """Release a binding; releasing one that is already gone succeeds."""
        ...


def privacy_number_provider() -> PrivacyNumberProvider:
    return import_string(settings.PRIVACY_NUMBER_BACKEND)()
