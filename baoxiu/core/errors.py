"""Domain errors: a machine-readable code and a message fit to show a user.

Services raise these; the API turns them into 4xx JSON and pages into form or
flash messages. Nothing here knows about HTTP beyond a suggested status.
"""

from __future__ import annotations


class DomainError(Exception):
    code = "domain_error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, details=None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details


class ValidationFailed(DomainError):
    code = "validation_error"
    status = 422


class NotFound(DomainError):
    code = "not_found"
    status = 404


class PermissionDenied(DomainError):
    code = "forbidden"
    status = 403


class IllegalTransition(DomainError):
    code = "illegal_transition"
    status = 409


class ConcurrentUpdate(DomainError):
    code = "concurrent_update"
    status = 409


class IdempotencyConflict(DomainError):
    code = "idempotency_key_reused"
    status = 422


class RateLimited(DomainError):
    code = "rate_limited"
    status = 429
