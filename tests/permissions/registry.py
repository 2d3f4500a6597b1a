"""Who may reach each route: every URL pattern and every API operation is declared here.

A route missing from this file fails ``test_every_route_is_declared``, so a new
page or endpoint cannot ship without saying who may use it. Each entry names
the permission-matrix action the view declares (``baoxiu.accounts.matrix``),
the HTTP methods tested, and for each method the actors that get through the
gate; everyone else is refused (see ``test_matrix.expected_denial``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.permissions.world import ACTORS, STAFF

# Kinds: "public" (anyone), "token" (holder of ticket A's tracking link),
# "chat" (holder of chat A's link), "receipt" (holder of A's receipt link),
# "staff" (an HTML page behind login), "api" (a staff API operation),
# "signed" (a webhook authorised by a signature, refused to everyone here),
# "admin" (Django's admin site: administrators only).

EVERYONE = frozenset(ACTORS)
ALL_STAFF = frozenset(STAFF)
EVERY_A = frozenset({"agent", "dispatcher", "tech_a", "manager_a", "operations", "admin"})
DESK = frozenset({"agent", "dispatcher", "manager_a", "operations", "admin"})
SUPPORT = frozenset({"agent", "dispatcher", "operations", "admin"})
INTAKE = SUPPORT
DISPATCH = frozenset({"dispatcher", "operations", "admin"})
OPS = frozenset({"operations", "admin"})
# The administrator of the test world is a superuser, who passes every staff
# gate (the services then still require the job's own technician, see
# test_mass_assignment and the apps' tests).
TECHS = frozenset({"tech_a", "tech_b", "admin"})
TECH_A = frozenset({"tech_a", "admin"})
# On the API the service's own-job check answers the superuser 403 as well.
TECH_A_API = frozenset({"tech_a"})
BADGE = frozenset({"manager_a", "operations", "admin"})
CUST_A = frozenset({"cust_a"})


@dataclass(frozen=True)
class Route:
    kind: str
    action: str  # the matrix action the view declares ("" for public/token pages)
    methods: dict = field(default_factory=dict)  # method -> actors let through
    kwargs: str = ""  # which URL arguments to fill (see test_matrix.url_kwargs)


def _r(kind, action="", kwargs="", **methods):
    return Route(kind, action, {m.upper(): frozenset(v) for m, v in methods.items()}, kwargs)


def pub(kwargs="", **methods):
    return _r("public", "", kwargs, **{m: EVERYONE for m in methods or {"get": 1}})


HTML: dict[str, Route] = {
    # public pages
    "portal:home": pub(),
    "portal:report": pub(get=1, post=1),
    "portal:coverage": pub(),
    "portal:privacy_notice": pub(),
    "pricing:board": pub(),
    "support:verify": pub(),
    "support:verify_badge": pub("badge"),
    "support:verify_badge_qr": pub("badge"),
    "support:verify_badge_photo": pub("badge"),
    "support:chat_start": pub(get=1, post=1),
    "accounts:login": pub(),
    "accounts:logout": pub(post=1),
    "healthz": pub(),
    "api-v1:openapi-json": pub(),
    "api-v1:openapi-view": pub(),
    "api-v1:api-root": pub(),
    "api-v1:<catch-all>": pub(),
    # the customer's links
    "portal:track": _r("token", "track.view", "track", get=CUST_A),
    "portal:book": _r("token", "track.appointment", "track", post=CUST_A),
    "support:ticket_chat": _r("token", "track.chat", "track", get=CUST_A, post=CUST_A),
    "evidence:customer_photo": _r("token", "track.photo", "track_photo", get=CUST_A),
    "evidence:customer_confirm": _r("token", "track.confirm", "track", post=CUST_A),
    "feedback:complaint": _r("token", "track.complain", "track", post=CUST_A),
    "feedback:cancel": _r("token", "track.cancel", "track", post=CUST_A),
    "feedback:rate": _r("token", "track.rate", "track", post=CUST_A),
    "quotes:track_decide": _r("token", "quote.decide", "track_quote", post=CUST_A),
    "quotes:receipt": _r("receipt", "receipt.view", "receipt", get=CUST_A),
    "support:chat": _r("chat", "track.chat", "chat", get=CUST_A, post=CUST_A),
    "support:chat_log": _r("chat", "track.chat", "chat", get=CUST_A),
    # staff: tickets
    "console:home": _r("staff", "console.home", get=ALL_STAFF),
    "console:tickets": _r("staff", "ticket.list", get=DESK),
    "console:ticket_new": _r("staff", "ticket.create", get=INTAKE, post=INTAKE),
    "console:ticket_detail": _r("staff", "ticket.view", "code", get=EVERY_A),
    "console:ticket_action": _r("staff", "ticket.act", "code", post=EVERY_A),
    "console:ticket_reveal": _r("staff", "ticket.reveal_contact", "code", post=SUPPORT),
    "console:ticket_tracking_reset": _r("staff", "ticket.tracking_reset", "code", post=DESK),
    "console:audit": _r("staff", "audit.search", get=OPS),
    "console:dispatch": _r("staff", "dispatch.board", get=DISPATCH),
    "console:alert_ack": _r("staff", "dispatch.alert_ack", "alert", post=DISPATCH),
    "console:my_jobs": _r("staff", "job.list", get=TECHS),
    "console:my_location": _r("staff", "job.location", post=TECHS),
    "evidence:job": _r("staff", "evidence.record", "code", get=TECH_A),
    "evidence:photo_upload": _r("staff", "evidence.record", "code", post=TECH_A),
    "evidence:part_record": _r("staff", "evidence.record", "code", post=TECH_A),
    "evidence:code_enter": _r("staff", "completion.code_enter", "code", post=TECH_A),
    "evidence:signature_enter": _r("staff", "completion.code_enter", "code", post=TECH_A),
    "evidence:review_resolve": _r("staff", "completion.review", "code", post=DESK),
    "evidence:staff_photo": _r("staff", "photo.view", "staff_photo", get=EVERY_A),
    "lockopening:form": _r("staff", "lockopening.fill", "code", get=TECH_A, post=TECH_A),
    "lockopening:print": _r("staff", "lockopening.view", "code", get=EVERY_A),
    "lockopening:image": _r("staff", "lockopening.view", "image", get=EVERY_A),
    "feedback:desk_followups": _r("staff", "followup.list", get=DESK),
    "feedback:complaint_handle": _r("staff", "complaint.handle", "complaint", post=DESK),
    "quotes:job_quote": _r("staff", "quote.submit", "code", get=TECH_A, post=TECH_A),
    "quotes:job_quote_status": _r("staff", "quote.submit", "code", get=TECH_A),
    "quotes:job_serial": _r("staff", "serial.record", "code", post=TECH_A),
    "quotes:job_code": _r("staff", "quote.code_enter", "quote", post=TECH_A),
    "quotes:job_payment": _r("staff", "payment.record", "code", post=TECH_A),
    "quotes:serial_history": _r("staff", "serial.history", get=ALL_STAFF),
    # staff: areas, prices, privacy
    "areas:browse": _r("staff", "areas.browse", get=DISPATCH),
    "areas:browse_division": _r("staff", "areas.browse", "division", get=DISPATCH),
    "areas:coverage": _r("staff", "coverage.view", get=OPS),
    "areas:coverage_import": _r("staff", "coverage.import", get=OPS, post=OPS),
    "areas:coverage_import_result": _r("staff", "coverage.import", "coverage_import", get=OPS),
    "pricing:versions": _r("staff", "pricing.view", get=OPS),
    "pricing:draft_create": _r("staff", "pricing.edit", post=OPS),
    "pricing:version_detail": _r("staff", "pricing.view", "draft", get=OPS, post=OPS),
    "pricing:publish": _r("staff", "pricing.publish", "draft", post=OPS),
    "pricing:item_remove": _r("staff", "pricing.edit", "draft_item", post=OPS),
    "privacy:subjects": _r("staff", "privacy.export", get=OPS),
    "privacy:subject_export": _r("staff", "privacy.export", "customer", post=OPS),
    "privacy:subject_erase": _r("staff", "privacy.erase", "customer", post=OPS),
    # staff: customer service
    "support:inbox": _r("staff", "chat.inbox", get=SUPPORT),
    "support:conversation": _r("staff", "chat.reply", "conversation", get=SUPPORT, post=SUPPORT),
    "support:conversation_log": _r("staff", "chat.reply", "conversation", get=SUPPORT),
    "support:conversation_assign": _r("staff", "chat.assign", "conversation", post=SUPPORT),
    "support:conversation_close": _r("staff", "chat.close", "conversation", post=SUPPORT),
    "support:conversation_ticket": _r(
        "staff", "chat.ticket", "conversation", get=SUPPORT, post=SUPPORT
    ),
    "support:canned": _r("staff", "canned.manage", get=SUPPORT, post=SUPPORT),
    "support:canned_toggle": _r("staff", "canned.manage", "canned", post=SUPPORT),
    "support:call_ringing": _r("staff", "call.answer", get=SUPPORT),
    "support:call": _r("staff", "call.answer", "call", get=SUPPORT),
    "support:call_attach": _r("staff", "call.answer", "call", post=SUPPORT),
    "support:technician_badge": _r("staff", "badge.manage", "badge_tech", get=BADGE, post=BADGE),
}

# Django's admin site: every page is declared by this one rule (administrators only).
ADMIN_NAMESPACE = "admin"

API: dict[str, Route] = {
    "POST /api/v1/tickets": pub(post=1),
    "GET /api/v1/tickets/{code}": _r("token", "track.view", "api_track", get=CUST_A),
    "GET /api/v1/tickets/{code}/slots": _r("token", "track.appointment", "api_track", get=CUST_A),
    "POST /api/v1/tickets/{code}/appointment": _r(
        "token", "track.appointment", "api_track", post=CUST_A
    ),
    "GET /api/v1/areas/resolve": pub(),
    "GET /api/v1/coverage": pub(),
    "POST /api/v1/telephony/call-events": _r("signed", "telephony.webhook", post=()),
    "GET /api/v1/verify/phone": pub(),
    "GET /api/v1/verify/badge/{code}": pub("badge"),
    "GET /api/v1/prices": pub(),
    "GET /api/v1/tickets/{code}/quotes": _r("token", "track.view", "api_track", get=CUST_A),
    "POST /api/v1/tickets/{code}/quotes/{number}/decision": _r(
        "token", "quote.decide", "api_track_quote", post=CUST_A
    ),
    "GET /api/v1/tickets/{code}/evidence": _r("token", "track.view", "api_track", get=CUST_A),
    "POST /api/v1/tickets/{code}/confirmation": _r(
        "token", "track.confirm", "api_track", post=CUST_A
    ),
    "POST /api/v1/tickets/{code}/complaints": _r(
        "token", "track.complain", "api_track", post=CUST_A
    ),
    "POST /api/v1/tickets/{code}/cancel": _r("token", "track.cancel", "api_track", post=CUST_A),
    "POST /api/v1/tickets/{code}/rating": _r("token", "track.rate", "api_track", post=CUST_A),
    "GET /api/v1/staff/tickets": _r("api", "ticket.view", get=ALL_STAFF),
    "GET /api/v1/staff/tickets/{code}": _r("api", "ticket.view", "code", get=EVERY_A),
    "POST /api/v1/staff/tickets/{code}/transitions": _r("api", "ticket.act", "code", post=EVERY_A),
    "GET /api/v1/staff/tickets/{code}/quotes": _r("api", "quote.view", "code", get=EVERY_A),
    "POST /api/v1/staff/tickets/{code}/quotes": _r("api", "quote.submit", "code", post=TECH_A_API),
    "POST /api/v1/staff/tickets/{code}/quotes/{number}/code": _r(
        "api", "quote.code_enter", "quote", post=TECH_A_API
    ),
    "POST /api/v1/staff/tickets/{code}/quotes/{number}/code/resend": _r(
        "api", "quote.code_enter", "quote", post=TECH_A_API
    ),
    "POST /api/v1/staff/tickets/{code}/serial": _r("api", "serial.record", "code", post=TECH_A_API),
    "POST /api/v1/staff/tickets/{code}/payment": _r(
        "api", "payment.record", "code", post=TECH_A_API
    ),
    "POST /api/v1/staff/tickets/{code}/photos": _r(
        "api", "evidence.record", "code", post=TECH_A_API
    ),
    "POST /api/v1/staff/tickets/{code}/parts": _r(
        "api", "evidence.record", "code", post=TECH_A_API
    ),
    "POST /api/v1/staff/tickets/{code}/completion-code": _r(
        "api", "completion.code_enter", "code", post=TECH_A_API
    ),
    "POST /api/v1/staff/tickets/{code}/completion-signature": _r(
        "api", "completion.code_enter", "code", post=TECH_A_API
    ),
    "POST /api/v1/staff/tickets/{code}/review": _r("api", "completion.review", "code", post=DESK),
    "PUT /api/v1/staff/tickets/{code}/lock-opening": _r(
        "api", "lockopening.fill", "code", put=TECH_A_API
    ),
    "POST /api/v1/staff/tickets/{code}/lock-opening/residence-proof": _r(
        "api", "lockopening.fill", "code", post=TECH_A_API
    ),
}
