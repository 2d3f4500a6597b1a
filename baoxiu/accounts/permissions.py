"""Which roles may do what. Views and API endpoints ask here, nowhere else."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from baoxiu.accounts.choices import Role

STAFF_ROLES = tuple(Role.values)
TICKET_DESK_ROLES = (Role.AGENT, Role.DISPATCHER, Role.OUTLET_MANAGER, Role.OPERATIONS, Role.ADMIN)
DISPATCH_ROLES = (Role.DISPATCHER, Role.OPERATIONS, Role.ADMIN)


def role_required(*roles: str):
    """Decorator for HTML views: log in first, then the role must match."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.has_role(*roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
