from __future__ import annotations

import secrets

from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from baoxiu.accounts.choices import Role
from baoxiu.accounts.models import ApiToken, User


def api_token_create(*, user: User, name: str) -> str:
    """Create a token for ``user`` and return the raw value (shown once, never stored)."""
    raw = "bx_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        ApiToken.objects.create(user=user, name=name, token_hash=ApiToken.hash(raw))
    return raw


def admin_user_upsert(*, username: str, password: str, email: str = "") -> tuple[User, bool]:
    """Make ``username`` an active superuser with role admin and this password.

    Returns ``(user, created)``. The password is checked by the configured
    validators first; ValidationError leaves the database unchanged.
    """
    with transaction.atomic():
        user = User.objects.filter(username=username).first()
        created = user is None
        if created:
            user = User(username=username, display_name=username)
        validate_password(password, user)
        user.role = Role.ADMIN
        user.is_staff = True
        user.is_superuser = True
        user.is_active = True
        if email:
            user.email = email
        user.set_password(password)
        if created:
            user.save()
        else:
            user.save(
                update_fields=["role", "is_staff", "is_superuser", "is_active", "email", "password"]
            )
    return user, created
