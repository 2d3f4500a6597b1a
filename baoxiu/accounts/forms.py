from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baoxiu.accounts.models import LoginFailure

# At most this many failed logins per account per window; then the account
# refuses every attempt, right or wrong, until the window has passed.
MAX_FAILURES = 100
WINDOW = timedelta(hours=1)


def login_locked(username: str) -> bool:
    since = timezone.now() - WINDOW
    return LoginFailure.objects.filter(username=username.lower(), at__gte=since).count() >= (
        MAX_FAILURES
    )


class ThrottledLoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("用户名或密码不正确。"),
        "locked": _("该账号登录失败次数过多，请一小时后再试。"),
    }
    locked = False

    def clean(self):
        username = (self.data.get("username") or "").strip()
        if username and login_locked(username):
            self.locked = True
            raise forms.ValidationError(self.error_messages["locked"], code="locked")
        try:
            return super().clean()
        except forms.ValidationError:
            if username:
                LoginFailure.objects.create(
                    username=username.lower()[:150],
                    at=timezone.now(),
                    ip=self.request.META.get("REMOTE_ADDR") if self.request else None,
                )
                LoginFailure.objects.filter(at__lt=timezone.now() - WINDOW * 24).delete()
            raise
