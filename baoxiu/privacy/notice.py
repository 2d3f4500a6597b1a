"""The personal-information notice customers agree to when they report a fault.

Its version is recorded with every report (``Ticket.consent_version`` and
``consent_at``); a new text gets a new version, and old reports keep the one
their reporter saw. The text itself is the template ``privacy/notice.html``.
"""

NOTICE_VERSION = "2026-11-v1"
