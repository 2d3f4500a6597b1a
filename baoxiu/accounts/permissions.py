"""Gates for views and API endpoints; the rules themselves live in ``matrix.py``."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja.signature.utils import get_typed_signature

from baoxiu.accounts.matrix import MATRIX, may, roles_for
from baoxiu.core import errors

# Role lists derived from the matrix, for code that filters users by role.
STAFF_ROLES = roles_for("console.home")
TICKET_DESK_ROLES = roles_for("ticket.list")
DISPATCH_ROLES = roles_for("dispatch.board")


def permission_required(action: str):
    """Decorator for HTML views: log in first, then the matrix must allow ``action``.

    The view is marked with the action (``view.permission_action``) so the
    permission tests can check every route against its declaration.
    """
    if action not in MATRIX:
        raise KeyError(action)

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not may(user, action):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.permission_action = action
        return wrapped

    return decorator


def require(user, action: str) -> None:
    """For API endpoints and services: raise the domain 403 unless the role may."""
    if not may(user, action):
        raise errors.PermissionDenied(_("您没有权限执行此操作。"))


def api_permission(action: str):
    """Decorator for ninja operations behind ``staff_auth``: the caller
    (``request.auth``) must be allowed ``action`` by the matrix (403 otherwise)."""
    if action not in MATRIX:
        raise KeyError(action)

    def decorator(operation):
        @wraps(operation)
        def wrapped(request, *args, **kwargs):
            require(request.auth, action)
            return operation(request, *args, **kwargs)

        # ninja reads the parameters' types from the function it is given; the
        # operation's string annotations resolve only in its own module.
        wrapped.__signature__ = get_typed_signature(operation)
        wrapped.permission_action = action
        return wrapped

    return decorator
