"""Who is calling: a staff member by bearer token or by Django session, or nobody.

Staff endpoints use ``staff_auth`` (either method; anything else is a 401).
Public endpoints call ``caller_or_none`` to learn whether a staff member is
behind the request without requiring one.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.security.session import SessionAuth

from baoxiu.accounts.matrix import may
from baoxiu.accounts.models import User
from baoxiu.accounts.selectors import user_for_api_token


class ApiTokenAuth(HttpBearer):
    """``Authorization: Bearer <token>`` for integrations (call centre, mini-program)."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        if not token:
            return None
        user = user_for_api_token(token)
        # Only an account the permission matrix knows as staff is a caller at all.
        return user if may(user, "console.home") else None


class StaffSessionAuth(SessionAuth):
    """ninja's ``django_auth`` with its CSRF check, run only once a session user is
    found: an anonymous caller is then told 401 (log in) rather than 403 (CSRF),
    and the next authenticator still gets its turn."""

    def __call__(self, request: HttpRequest) -> User | None:
        user = getattr(request, "user", None)
        if user is None or not may(user, "console.home"):
            return None
        return super().__call__(request)


api_token_auth = ApiTokenAuth()
session_auth = StaffSessionAuth()

# Bearer first: an integration that also carries a stale session cookie is
# judged by its token, and needs no CSRF token.
staff_auth = [api_token_auth, session_auth]


def caller_or_none(request: HttpRequest) -> User | None:
    """The staff member behind a request to a public endpoint, if any.

    A session caller must still pass the CSRF check (ninja raises a 403),
    since being recognised as staff grants more (``created_by``, channels).
    """
    for authenticate in staff_auth:
        user = authenticate(request)
        if user:
            return user
    return None
