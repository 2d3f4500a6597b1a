import logging

from baoxiu.core.log_redaction import RedactTokens, redact


def test_tracking_paths_and_tokens_are_redacted():
    line = "GET /t/BX2611280001/AbC_d-123xyz/ and /api/v1/tickets/BX2611280001?token=s3cr3t&x=1"
    assert redact(line) == (
        "GET /t/BX2611280001/[redacted]/ and /api/v1/tickets/BX2611280001?token=[redacted]&x=1"
    )
    assert redact("Authorization: Bearer bx_abc.def") == "Authorization: Bearer [redacted]"


def test_filter_rewrites_uvicorn_style_access_records():
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/t/BX2611280001/secret-token/", "1.1", 200),
        None,
    )
    assert RedactTokens().filter(record) is True
    assert record.getMessage() == '127.0.0.1:5000 - "GET /t/BX2611280001/[redacted]/ HTTP/1.1" 200'
