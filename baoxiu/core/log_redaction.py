"""Keep customers' tracking tokens out of logs.

A tracking link is a bearer credential: anyone holding it sees the ticket.
Access logs and Django's request warnings print request paths, so every
handler runs records through ``RedactTokens`` first.
"""

from __future__ import annotations

import logging
import re

_PATTERNS = [
    (re.compile(r"(/t/[A-Za-z0-9]+/)[A-Za-z0-9_\-]+"), r"\1[redacted]"),
    (re.compile(r"([?&]token=)[^&\s\"']+"), r"\1[redacted]"),
    # Customer chat links (support app) and phone numbers typed into the verify checks.
    (re.compile(r"(/support/chat/)[A-Za-z0-9_\-]+"), r"\1[redacted]"),
    # Receipt links (quotes app) are bearer links too.
    (re.compile(r"(/receipt/)[A-Za-z0-9_\-]+"), r"\1[redacted]"),
    (re.compile(r"([?&](?:caller|phone|number)=)[^&\s\"']+"), r"\1[redacted]"),
    (re.compile(r"(Bearer\s+)\S+", re.IGNORECASE), r"\1[redacted]"),
]


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {
                k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()
            }
        return True
