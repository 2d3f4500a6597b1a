from __future__ import annotations

from django.utils import timezone

from baoxiu.accounts.models import ApiToken, Organisation, User


def organisation_profile() -> Organisation | None:
    return Organisation.objects.prefetch_related("channels").order_by("pk").first()


def user_for_api_token(raw: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=ApiToken.hash(raw), revoked=False, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user
