from __future__ import annotations

import secrets

from django.db import transaction

from baoxiu.accounts.models import ApiToken, User


def api_token_create(*, user: User, name: str) -> str:
    """Create a token for ``user`` and return the raw value (shown once, never stored)."""
    raw = "bx_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        ApiToken.objects.create(user=user, name=name, token_hash=ApiToken.hash(raw))
    return raw
