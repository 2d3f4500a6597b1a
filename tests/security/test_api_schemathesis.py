"""Schemathesis against the published OpenAPI schema, in process.

Every operation listed in ``/api/v1/openapi.json`` is exercised through
Django's WSGI handler (no network, no server): operations that declare
``security`` with an administrator's bearer token, a technician's of another
outlet and none; public ones anonymously and with a staff token.
Each gets valid data (random, and aimed at records that exist) and invalid
data. Every response must have a documented status code and content type and
a body matching its documented schema, and none may be a 5xx.

New endpoints need nothing here: the test is parametrized from the schema,
so anything added to the ninja API is tested. Parameters named in
``REAL_VALUES`` are filled, in a share of the examples, with values of
records that exist so that the happy paths are reached; add a line there
when a new endpoint takes another kind of identifier (a quote number, ...).

Deterministic: Hypothesis is derandomized and keeps no example database.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS

from baoxiu.accounts.services import api_token_create
from baoxiu.api.urls import api
from baoxiu.pricing.calculator import LineRequest
from baoxiu.quotes.services import quote_submit
from baoxiu.tickets.choices import TicketStatus
from baoxiu.tickets.models import Ticket
from baoxiu.tickets.transitions import ACTIONS, ticket_transition
from tests.factories import (
    FaultTypeFactory,
    TechnicianFactory,
    UserFactory,
    make_price_list,
    make_ticket,
)

pytestmark = pytest.mark.django_db

SCHEMA_PATH = "/api/v1/openapi.json"
EXAMPLES_PER_OPERATION = 30

# The checks run on every response: no 5xx; status code, content type and
# body as documented.
CHECK_NAMES = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)

# Parameter name → the value of an existing record (given the test's world).
REAL_VALUES = {
    "code": lambda world: world["ticket"].code,
    "token": lambda world: world["ticket"].tracking_token,
    "number": lambda world: world["quote"].number,  # the ticket's pending quote
}


# Operation → strategy of request bodies that pass validation, so that the
# operation's own logic (not only its input validation) is attacked: the free
# text stays arbitrary. One line per operation that takes a body.
VALID_BODIES = {
    ("/api/v1/tickets", "POST"): lambda world: st.fixed_dictionaries(
        {
            "name": st.text(min_size=1, max_size=50),
            "phone": st.sampled_from(["13800138000", "+86 139 0000 0002", "15912345678"]),
            "address": st.text(min_size=1, max_size=200),
            "fault_type": st.just("fingerprint"),
            "description": st.text(max_size=300),
            "area_name": st.sampled_from(["", "深圳市南山区", "海南共和县"]) | st.text(max_size=30),
            "consent": st.booleans(),
        },
        optional={"channel": st.sampled_from(["web", "phone", "api"])},
    ),
    ("/api/v1/staff/tickets/{code}/transitions", "POST"): lambda world: st.fixed_dictionaries(
        {"action": st.sampled_from(sorted(ACTIONS))},
        optional={
            "note": st.text(max_size=500),
            "technician_id": st.sampled_from([world["technician"].pk, 0, -1, 2**31]),
            "expected_version": st.integers(min_value=0, max_value=5),
        },
    ),
}


def _operations() -> list[tuple[str, str]]:
    paths = api.get_openapi_schema(path_prefix="/api/v1/")["paths"]
    return [(path, method.upper()) for path, item in paths.items() for method in item]


def _operations_and_callers() -> list[tuple[str, str, str]]:
    """Staff operations as an administrator, as a technician of another outlet (scope)
    and anonymously (401); public ones anonymously and as staff (who may do more)."""
    paths = api.get_openapi_schema(path_prefix="/api/v1/")["paths"]
    cases = []
    for path, item in paths.items():
        for method, definition in item.items():
            secured = bool(definition.get("security"))
            callers = ["admin", "technician", "anonymous"] if secured else ["anonymous", "admin"]
            cases += [(path, method.upper(), caller) for caller in callers]
    return cases


@pytest.fixture
def api_schema(db):
    # Django's WSGI handler closes the database connection as each request
    # starts and ends, which would end the test's transaction; Django's test
    # client switches that off the same way.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi(SCHEMA_PATH, WSGIHandler())
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def world(db):
    """Records for the generated requests to find: an assigned ticket, a token."""
    FaultTypeFactory(code="fingerprint", name="指纹无法识别")
    dispatcher = UserFactory(username="st-dispatcher", role="dispatcher")
    admin = UserFactory(username="st-admin", role="admin")
    technician = TechnicianFactory(user__username="st-tech")
    ticket = make_ticket(phone="13900000001", name="接口测试")
    ticket = ticket_transition(
        ticket=ticket, action="assign", actor=dispatcher, technician=technician
    )
    # On site with a pending quote, so the quote, evidence and payment operations
    # reach their own logic (the register, photos and parts need an on-site job).
    Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.ON_SITE)
    ticket.refresh_from_db()
    make_price_list(fault_types=[ticket.fault_type])
    quote = quote_submit(
        ticket=ticket,
        actor=technician.user,
        requests=[LineRequest(kind="labour", key=ticket.fault_type.code)],
    )
    stranger = TechnicianFactory(user__username="st-tech-elsewhere")
    return {
        "tokens": {
            "admin": api_token_create(user=admin, name="schemathesis"),
            "technician": api_token_create(user=stranger.user, name="schemathesis"),
            "anonymous": None,
        },
        "ticket": ticket,
        "technician": technician,
        "quote": quote,
    }


def test_the_parametrization_covers_every_operation_of_the_served_schema(api_schema):
    served = {
        (operation.ok().path, operation.ok().method.upper())
        for operation in api_schema.get_all_operations()
    }
    assert served == set(_operations())


@pytest.mark.parametrize(("path", "method", "caller"), _operations_and_callers())
def test_operation_conforms_to_its_schema(api_schema, world, path, method, caller):
    operation = api_schema[path][method]
    token = world["tokens"][caller]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    names = {p.name for p in operation.path_parameters} | {p.name for p in operation.query}
    real = {name: value(world) for name, value in REAL_VALUES.items() if name in names}
    real_path = {k: v for k, v in real.items() if k in {p.name for p in operation.path_parameters}}
    real_query = {k: v for k, v in real.items() if k not in real_path}
    strategy = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(
            GenerationMode.POSITIVE, path_parameters=real_path or None, query=real_query or None
        ),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )
    if (path, method) in VALID_BODIES:
        strategy |= VALID_BODIES[path, method](world).flatmap(
            lambda body: operation.as_strategy(
                GenerationMode.POSITIVE,
                body=body,
                path_parameters=real_path or None,
                query=real_query or None,
            )
        )
    checks = [check for check in CHECKS.get_all() if check.__name__ in CHECK_NAMES]
    assert len(checks) == len(CHECK_NAMES)

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def attack(case):
        case.call_and_validate(headers=headers, checks=checks)

    attack()
