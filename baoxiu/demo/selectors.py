from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Max, Min, Q

from baoxiu.accounts.choices import Role
from baoxiu.accounts.models import User
from baoxiu.demo import data
from baoxiu.tickets.choices import OPEN_STATUSES


@dataclass(frozen=True)
class DemoLogin:
    role_label: str
    first: str
    last: str
    count: int
    example: str = ""  # a login that has something to show right now


def demo_logins() -> list[DemoLogin]:
    """The demo's logins per role, in the order of the staff list, then managers and technicians."""
    logins = []
    staff = {u.username: u for u in User.objects.filter(username__in=[s[0] for s in data.STAFF])}
    for username, role, _display, _superuser in data.STAFF:
        if username in staff:
            logins.append(DemoLogin(Role(role).label, username, username, 1))
    for role, prefix in ((Role.OUTLET_MANAGER, "outlet"), (Role.TECHNICIAN, "tech")):
        span = User.objects.filter(role=role, username__startswith=prefix).aggregate(
            first=Min("username"), last=Max("username")
        )
        count = User.objects.filter(role=role, username__startswith=prefix).count()
        if count:
            example = _busiest_technician() if role == Role.TECHNICIAN else ""
            logins.append(DemoLogin(role.label, span["first"], span["last"], count, example))
    return logins


def _busiest_technician() -> str:
    busiest = (
        User.objects.filter(role=Role.TECHNICIAN, technician__isnull=False)
        .annotate(
            open_jobs=Count(
                "technician__tickets", filter=Q(technician__tickets__status__in=OPEN_STATUSES)
            )
        )
        .filter(open_jobs__gt=0)
        .order_by("-open_jobs", "username")
        .values_list("username", flat=True)
        .first()
    )
    return busiest or ""
