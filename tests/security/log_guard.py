"""pytest plugin: the logs of the whole suite hold no personal data and no token.

Loaded by the root ``conftest.py`` for every run. At session start a handler
is put on the root logger, behind the same redaction filter as production's
handlers, so it sees every line the application would write (it is put back
before each test should a test reconfigure logging). Meanwhile the values
the tests really create are registered as they are made:

- every plaintext that reaches an encrypted column (names, phone numbers,
  addresses, ID numbers — whoever wrote them: factories, forms, API,
  Schemathesis, Hypothesis), observed at ``EncryptedTextField.get_prep_value``;
- every tracking token made (``new_tracking_token``) and every API token
  hashed (``ApiToken.hash``: issued ones and the ones callers present).

When the session ends, each captured line is searched for those values and
for the shapes of mainland mobile numbers and 18-digit ID numbers; any hit
fails the session (exit status 1) with a report of what leaked where. New
personal data needs nothing here as long as it is stored encrypted; another
secret is one more ``_observe`` call in ``_install_observers``.
"""

from __future__ import annotations

import logging
import re
import unicodedata

import pytest

MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d{9}(?!\d)")
ID_NUMBER = re.compile(
    r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
    r"\d{3}[\dXx](?![0-9A-Za-z])"
)


class Registry:
    def __init__(self):
        self.values: dict[str, str] = {}  # value → kind

    def add(self, value, kind: str, *, least: int = 6) -> None:
        if not isinstance(value, str):
            return
        value = value.strip()
        if _distinctive(value, least=least):
            self.values.setdefault(value, kind)
        digits = re.sub(r"\D", "", value)
        if kind == "personal data" and len(digits) >= 11 and digits != value:
            self.values.setdefault(digits, kind)


def _distinctive(value: str, *, least: int = 6) -> bool:
    """Long enough not to turn up by chance: ``least``+ characters, or 2+ with a
    Chinese one (names); generated one-character strings and short numbers are
    left out."""
    if len(value) >= least:
        return True
    return len(value) >= 2 and any(unicodedata.name(c, "").startswith("CJK") for c in value)


# Sealed columns of free text (descriptions, notes, complaints, ...): sealed because
# people write names and numbers there, but their values are also ordinary words
# (Schemathesis sends the same "hotlines" as a note and as a URL path that a 404
# line then logs). Mobile and ID numbers inside them are still caught by their
# shape; the text itself counts from 12 characters, or 2 with a Chinese one.
FREE_TEXT = frozenset(
    {
        "tickets.Ticket.description",
        "tickets.TicketEvent.note",
        "feedback.Complaint.text",
        "feedback.Complaint.reply",
        "feedback.Rating.comment",
        "dispatch.DispatchAlert.message",
    }
)
FREE_TEXT_LEAST = 12


def find_leaks(lines: list[str], registry: Registry) -> list[tuple[str, str]]:
    """(what, line) for each line holding a registered value or a number's shape."""
    leaks = []
    for line in lines:
        for pattern, what in ((MOBILE, "mobile number"), (ID_NUMBER, "ID number")):
            match = pattern.search(line)
            if match:
                leaks.append((f"{what} {match.group()}", line))
    text = "\n".join(lines)
    for value, kind in registry.values.items():
        if value in text:
            line = next(line for line in lines if value in line)
            leaks.append((f"{kind} {value[:40]!r}", line))
    return leaks


class CaptureHandler(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.NOTSET)
        from baoxiu.core.log_redaction import RedactTokens

        self.addFilter(RedactTokens())
        self.lines: list[str] = []
        self._formatter = logging.Formatter("%(levelname)s %(name)s %(message)s")

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self._formatter.format(record))
        except Exception:  # noqa: BLE001 - a bad record must not break the test that logged it
            self.lines.append(f"{record.name}: unformattable record {record.msg!r}")


REGISTRY = Registry()
_handler: CaptureHandler | None = None


def _observe(owner, name: str, kind: str, *, argument: bool, static: bool = False) -> None:
    """Wrap ``owner.name`` so that its argument (or its result) is registered."""
    original = getattr(owner, name)

    def observed(*args, **kwargs):
        result = original(*args, **kwargs)
        REGISTRY.add(args[-1] if argument and args else result, kind)
        return result

    setattr(owner, name, staticmethod(observed) if static else observed)
    return observed


def _install_observers() -> None:
    from baoxiu.accounts.models import ApiToken
    from baoxiu.core.fields import EncryptedTextField
    from baoxiu.tickets import models as ticket_models

    sealed = EncryptedTextField.get_prep_value

    def observed_sealed(field, value):
        least = FREE_TEXT_LEAST if field._context in FREE_TEXT else 6
        REGISTRY.add(value, "personal data", least=least)
        return sealed(field, value)

    EncryptedTextField.get_prep_value = observed_sealed
    _observe(ApiToken, "hash", "API token", argument=True, static=True)
    observed = _observe(ticket_models, "new_tracking_token", "tracking token", argument=False)
    ticket_models.Ticket._meta.get_field("tracking_token").default = observed
    # The other bearer links: a chat's token and a receipt's.
    from baoxiu.quotes import models as quote_models
    from baoxiu.support import models as support_models

    observed = _observe(support_models, "new_conversation_token", "chat token", argument=False)
    support_models.Conversation._meta.get_field("token").default = observed
    observed = _observe(quote_models, "new_receipt_token", "receipt token", argument=False)
    quote_models.Payment._meta.get_field("receipt_token").default = observed


def _attach() -> None:
    root = logging.getLogger()
    if _handler not in root.handlers:
        root.addHandler(_handler)


def pytest_sessionstart(session):
    global _handler
    _install_observers()
    _handler = CaptureHandler()
    _attach()


def pytest_runtest_setup(item):
    _attach()


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    if _handler is None:
        return
    logging.getLogger().removeHandler(_handler)
    leaks = find_leaks(_handler.lines, REGISTRY)
    session.config._log_guard_report = (len(_handler.lines), len(REGISTRY.values), leaks)
    if leaks and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    report = getattr(config, "_log_guard_report", None)
    if report is None:
        return
    lines, values, leaks = report
    if not leaks:
        terminalreporter.write_line(
            f"log guard: {lines} log lines, {values} personal values and tokens: no leak"
        )
        return
    terminalreporter.section("log guard: personal data or tokens in the logs", red=True)
    for what, line in leaks[:50]:
        terminalreporter.write_line(f"{what}: {line[:300]}")
    terminalreporter.write_line(f"{len(leaks)} leak(s); the session fails.")
