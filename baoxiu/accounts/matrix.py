"""The permission matrix: who may do what, to which objects. The one place.

Each named action maps the roles that may perform it to the scope of objects
they may perform it on:

- ``TOKEN``: the holder of a customer link (tracking link, chat link, receipt
  link) for that one ticket, chat or receipt; customers have no account.
- ``OWN_JOBS``: a technician, on tickets assigned to them.
- ``OWN_OUTLET``: an outlet manager, on tickets (and technicians) of the
  outlet they manage.
- ``REGION``: agents and dispatchers, on tickets whose address lies in their
  region (``User.region``, a prefix of the division code such as ``11`` for
  Beijing or ``4403`` for Shenzhen); an empty region means everywhere.
- ``ALL``: everything (operations, administrators, superusers).

Views declare their action with ``permission_required`` (HTML) or
``api_permission`` (JSON API); object look-ups go through ``access_*``
helpers that narrow by the scope returned here. A role missing from an
action's row may not perform it at all (403, or the login page for an
anonymous visitor); an object outside the scope is a 404, so its existence is
not revealed. ``tests/permissions`` checks every URL and API operation
against a registry of expected access.
"""

from __future__ import annotations

from enum import StrEnum

from baoxiu.accounts.choices import Role


class Scope(StrEnum):
    TOKEN = "token"
    OWN_JOBS = "own_jobs"
    OWN_OUTLET = "own_outlet"
    REGION = "region"
    ALL = "all"


# The holder of a customer link (not a user account) and anyone at all.
CUSTOMER = "customer"
ANYONE = "anyone"

A, D, T, M, OPS, X = (
    Role.AGENT.value,
    Role.DISPATCHER.value,
    Role.TECHNICIAN.value,
    Role.OUTLET_MANAGER.value,
    Role.OPERATIONS.value,
    Role.ADMIN.value,
)
TOKEN, OWN_JOBS, OWN_OUTLET, REGION, ALL = (
    Scope.TOKEN,
    Scope.OWN_JOBS,
    Scope.OWN_OUTLET,
    Scope.REGION,
    Scope.ALL,
)

# Rows reused below. "Desk": every staff role but technicians.
_EVERY_STAFF = {A: REGION, D: REGION, T: OWN_JOBS, M: OWN_OUTLET, OPS: ALL, X: ALL}
_DESK = {A: REGION, D: REGION, M: OWN_OUTLET, OPS: ALL, X: ALL}
_DISPATCH = {D: REGION, M: OWN_OUTLET, OPS: ALL, X: ALL}
_SUPPORT = {A: ALL, D: ALL, OPS: ALL, X: ALL}
_TECH = {T: OWN_JOBS}
_OPS = {OPS: ALL, X: ALL}
_CUSTOMER = {CUSTOMER: TOKEN}
_PUBLIC = {ANYONE: ALL}

MATRIX: dict[str, dict[str, Scope]] = {
    # --- public pages and endpoints (no account, no token) ---
    "public.view": _PUBLIC,  # home, privacy notice, price board, coverage check, health
    "ticket.report": _PUBLIC,  # the report form and POST /api/v1/tickets
    "chat.start": _PUBLIC,
    "badge.verify": _PUBLIC,  # a badge's public page (rate-limited, masked)
    "telephony.webhook": _PUBLIC,  # authorised by its HMAC signature, not by a role
    # --- the customer, by the token of one ticket, chat or receipt ---
    "track.view": _CUSTOMER,
    "track.appointment": _CUSTOMER,
    "track.chat": _CUSTOMER,
    "track.photo": _CUSTOMER,
    "track.confirm": _CUSTOMER,
    "track.complain": _CUSTOMER,
    "track.cancel": _CUSTOMER,
    "track.rate": _CUSTOMER,
    "quote.decide": _CUSTOMER,
    "receipt.view": _CUSTOMER,
    # --- staff: tickets ---
    "console.home": _EVERY_STAFF,
    "ticket.view": {**_EVERY_STAFF},
    "ticket.list": _DESK,
    "ticket.create": {A: REGION, D: REGION, OPS: ALL, X: ALL},
    "ticket.reveal_contact": {A: REGION, D: REGION, OPS: ALL, X: ALL},
    "ticket.tracking_reset": _DESK,
    "ticket.act": _EVERY_STAFF,  # reach the action form; each action is checked below
    "ticket.transition.dispatch": _DISPATCH,
    "ticket.transition.assign": _DISPATCH,
    "ticket.transition.accept": {**_TECH, **_DISPATCH},
    "ticket.transition.decline": _TECH,
    "ticket.transition.unassign": _DISPATCH,
    "ticket.transition.depart": _TECH,
    "ticket.transition.arrive": _TECH,
    "ticket.transition.start_work": _TECH,
    "ticket.transition.complete": _TECH,
    "ticket.transition.close": _DESK,
    "ticket.transition.cancel": _DESK,
    "ticket.transition.hold": {**_DESK, **_TECH},
    "ticket.transition.resume": {**_DESK, **_TECH},
    "ticket.transition.reopen": _DESK,
    "complaint.handle": _DESK,
    "followup.list": _DESK,
    "completion.review": _DESK,
    # --- staff: a technician's own jobs ---
    "job.list": _TECH,
    "job.location": _TECH,
    "evidence.record": _TECH,  # photos, parts
    "completion.code_enter": _TECH,
    "quote.submit": _TECH,
    "quote.code_enter": _TECH,
    "serial.record": _TECH,
    "payment.record": _TECH,
    "lockopening.fill": _TECH,
    # --- staff: reading what hangs off a ticket (scope of ticket.view) ---
    "quote.view": _EVERY_STAFF,
    "photo.view": _EVERY_STAFF,
    "lockopening.view": _EVERY_STAFF,
    "serial.history": _EVERY_STAFF,
    # --- dispatch ---
    "dispatch.board": {D: REGION, OPS: ALL, X: ALL},
    "dispatch.alert_ack": {D: REGION, OPS: ALL, X: ALL},
    "areas.browse": {D: ALL, OPS: ALL, X: ALL},
    "coverage.view": _OPS,
    "coverage.import": _OPS,
    # --- customer service ---
    "chat.inbox": _SUPPORT,
    "chat.reply": _SUPPORT,
    "chat.assign": _SUPPORT,
    "chat.close": _SUPPORT,
    "chat.ticket": _SUPPORT,
    "canned.manage": _SUPPORT,
    "call.answer": _SUPPORT,
    "badge.manage": {M: OWN_OUTLET, OPS: ALL, X: ALL},
    # --- privacy and money ---
    "audit.search": _OPS,
    "privacy.export": _OPS,
    "privacy.erase": _OPS,
    "pricing.view": _OPS,
    "pricing.edit": _OPS,
    "pricing.publish": _OPS,
}


def scope_for(user, action: str) -> Scope | None:
    """The scope within which ``user`` may perform ``action``; None: not at all.

    A superuser has every staff scope, on everything. An inactive or
    anonymous user has no staff scope (public actions aside).
    """
    row = MATRIX[action]
    if ANYONE in row:
        return row[ANYONE]
    if not (user is not None and user.is_authenticated and user.is_active):
        return None
    if user.is_superuser:
        # A superuser may act in every staff row (e.g. repair a stuck job on a
        # technician's behalf), on everything; never as a customer.
        return Scope.ALL if any(role in row for role in Role.values) else None
    return row.get(user.role)


def may(user, action: str) -> bool:
    """Whether ``user``'s role may perform ``action`` on some object at all."""
    return scope_for(user, action) is not None


def roles_for(action: str) -> tuple[str, ...]:
    """The staff roles in an action's row, in the order of ``Role``."""
    row = MATRIX[action]
    return tuple(r for r in Role.values if r in row)


def is_public(action: str) -> bool:
    return ANYONE in MATRIX[action]


def is_customer(action: str) -> bool:
    return CUSTOMER in MATRIX[action]


def user_region(user) -> str:
    return (getattr(user, "region", "") or "").strip()
