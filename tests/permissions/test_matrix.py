"""Every route × every actor: exactly the declared actors get through, and a
refused write changes nothing in the database."""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from django.db import connection, transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from PIL import Image

from baoxiu.accounts.matrix import MATRIX, roles_for
from baoxiu.api.urls import api
from tests.permissions.registry import ADMIN_NAMESPACE, API, HTML
from tests.permissions.world import ACTORS, STAFF, WRONG_TOKEN

pytestmark = pytest.mark.django_db

# Tables a refused request may legitimately touch: the session store and the
# rate-limit and login-failure counters (a refusal may count towards a limit);
# the division table is static and large.
UNSNAPSHOTTED = {
    "django_session",
    "core_ratelimithit",
    "accounts_loginfailure",
    "areas_division",
}


# ---- discovery -------------------------------------------------------------------


def _walk(resolver, namespace=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or namespace
            if pattern.namespace and namespace:
                ns = f"{namespace}:{pattern.namespace}"
            yield from _walk(pattern, ns)
        elif isinstance(pattern, URLPattern):
            yield namespace, pattern


def html_routes() -> set[str]:
    """Every named URL pattern outside the API operations and the admin site."""
    names = set()
    for namespace, pattern in _walk(get_resolver()):
        if namespace == ADMIN_NAMESPACE:
            continue
        if namespace == "api-v1" and getattr(pattern.callback, "__module__", "").startswith(
            "ninja.operation"
        ):
            continue  # declared by method and path in API
        if pattern.name:
            names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
        else:
            names.add(f"{namespace}:<catch-all>")
    return names


def api_operations() -> set[str]:
    schema = api.get_openapi_schema()
    return {f"{method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops}


def test_every_route_is_declared():
    """A new page or endpoint fails here until it is declared in the registry."""
    assert sorted(html_routes() - set(HTML)) == []
    assert sorted(set(HTML) - html_routes()) == []
    assert sorted(api_operations() - set(API)) == []
    assert sorted(set(API) - api_operations()) == []


def test_every_declared_action_is_in_the_matrix():
    for name, route in {**HTML, **API}.items():
        assert not route.action or route.action in MATRIX, name


def test_each_staff_view_declares_the_registered_action():
    """The decorator on the view names the same matrix action as the registry."""
    for namespace, pattern in _walk(get_resolver()):
        name = f"{namespace}:{pattern.name}" if namespace else pattern.name
        route = HTML.get(name)
        if route is None or route.kind != "staff":
            continue
        assert getattr(pattern.callback, "permission_action", None) == route.action, name


def test_each_staff_api_operation_declares_the_registered_action():
    declared = {}
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                full = "/api/v1" + (prefix + path).replace("//", "/")
                for method in operation.methods:
                    declared[f"{method} {full}"] = getattr(
                        operation.view_func, "permission_action", None
                    )
    for name, route in API.items():
        if route.kind == "api":
            assert declared.get(name) == route.action, name


# ---- requests ----------------------------------------------------------------------


def url_kwargs(world, key: str, actor: str) -> tuple[dict, dict]:
    """URL arguments (and query string) for a route, as ``actor`` would have them."""
    i = world.ids
    token = world.token_for(actor)
    table = {
        "": ({}, {}),
        "code": ({"code": i["code_a"]}, {}),
        "track": ({"code": i["code_a"], "token": token}, {}),
        "track_photo": ({"code": i["code_a"], "token": token, "photo_id": i["photo_a"]}, {}),
        "track_quote": ({"code": i["code_a"], "token": token, "number": i["quote_a"]}, {}),
        "receipt": ({"token": world.receipt_token_for(actor)}, {}),
        "chat": ({"token": world.chat_token_for(actor)}, {}),
        "badge": ({"code": i["badge_a"]}, {}),
        "badge_tech": ({"pk": i["tech_a"]}, {}),
        "staff_photo": ({"code": i["code_a"], "photo_id": i["photo_a"]}, {}),
        "image": ({"code": i["code_a"], "kind": "residence"}, {}),
        "alert": ({"pk": i["alert_a"]}, {}),
        "complaint": ({"code": i["code_a"], "complaint_id": i["complaint_a"]}, {}),
        "quote": ({"code": i["code_a"], "number": i["quote_a"]}, {}),
        "division": ({"code": i["division"]}, {}),
        "coverage_import": ({"pk": i["coverage_import"]}, {}),
        "draft": ({"number": i["draft"]}, {}),
        "draft_item": ({"number": i["draft"], "item_id": i["draft_item"]}, {}),
        "customer": ({"customer_id": i["customer_a"]}, {}),
        "conversation": ({"pk": i["conversation_a"]}, {}),
        "canned": ({"pk": i["canned"]}, {}),
        "call": ({"call_id": i["call"]}, {}),
        "api_track": ({"code": i["code_a"]}, {"token": token}),
        "api_track_quote": ({"code": i["code_a"], "number": i["quote_a"]}, {"token": token}),
    }
    return table[key]


def html_url(world, name: str, route, actor: str) -> str:
    if name == "api-v1:<catch-all>":
        return "/api/v1/no-such-route"
    kwargs, _query = url_kwargs(world, route.kwargs, actor)
    return reverse(name, kwargs=kwargs)


def api_url(world, name: str, route, actor: str) -> tuple[str, dict]:
    _method, path = name.split(" ", 1)
    kwargs, query = url_kwargs(world, route.kwargs, actor)
    if route.kwargs == "badge":
        kwargs = {"code": world.ids["badge_a"]}
    return path.format(**kwargs), query


FORM = {
    "reason": "客户来电要求核对",
    "note": "测试备注",
    "action": "hold",
    "text": "测试内容",
    "body": "您好",
    "kind": "complaint",
    "stars": "5",
    "code": "123456",
    "serial": "SN-0001",
    "decision": "approve",
    "title": "测试",
    "phone": "13800138009",
}


def _png() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (10, 20, 30)).save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = "x.png"
    return buffer


API_BODIES = {
    "POST /api/v1/tickets": {
        "name": "张三",
        "phone": "13800138009",
        "address": "x",
        "fault_type": "opening",
    },
    "POST /api/v1/tickets/{code}/appointment": {"start": "2030-01-01T10:00:00+08:00"},
    "POST /api/v1/tickets/{code}/quotes/{number}/decision": {"decision": "approve"},
    "POST /api/v1/tickets/{code}/complaints": {"kind": "complaint", "text": "测试"},
    "POST /api/v1/tickets/{code}/cancel": {"reason": "不需要了"},
    "POST /api/v1/tickets/{code}/rating": {"stars": 5},
    "POST /api/v1/staff/tickets/{code}/transitions": {"action": "hold", "note": "等配件"},
    "POST /api/v1/staff/tickets/{code}/quotes": {
        "lines": [{"kind": "labour", "key": "opening"}],
        "reason": "改价",
    },
    "POST /api/v1/staff/tickets/{code}/quotes/{number}/code": {"code": "123456"},
    "POST /api/v1/staff/tickets/{code}/serial": {"serial": "SN-0001"},
    "POST /api/v1/staff/tickets/{code}/payment": {"method": "cash", "amount": "1.00"},
    "POST /api/v1/staff/tickets/{code}/parts": {"name": "锁芯", "old_part": "customer"},
    "POST /api/v1/staff/tickets/{code}/completion-code": {"code": "123456"},
    "POST /api/v1/staff/tickets/{code}/completion-signature": {
        "signature": "data:image/png;base64,AAAA"
    },
    "POST /api/v1/staff/tickets/{code}/review": {"note": "已回访"},
    "PUT /api/v1/staff/tickets/{code}/lock-opening": {"witness_name": "李四"},
    "POST /api/v1/telephony/call-events": {"call_id": "c-9", "event": "ringing"},
}
MULTIPART = {
    "POST /api/v1/staff/tickets/{code}/photos": lambda: {"kind": "before", "photo": _png()},
    "POST /api/v1/staff/tickets/{code}/lock-opening/residence-proof": lambda: {"photo": _png()},
}


def send(world, actor: str, method: str, url: str, *, api_name: str = "", query=None):
    client = world.client(actor)
    if api_name:
        if query:
            url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
        if api_name in MULTIPART:
            return (
                client.generic(method, url)
                if method == "GET"
                else client.post(url, MULTIPART[api_name]())
            )
        body = API_BODIES.get(api_name)
        if method == "GET":
            return client.get(url)
        return client.generic(method, url, json.dumps(body or {}), content_type="application/json")
    if method == "GET":
        return client.get(url)
    return client.post(url, FORM)


def outcome(response) -> str:
    """ "ok" once past the gate (whatever the view then says), else how it refused."""
    status = response.status_code
    if status in (301, 302) and "/login/" in response.get("Location", ""):
        return "login"
    if status in (401, 403, 404, 405):
        return str(status)
    return "ok"


def expected_denial(world, route, actor: str, *, is_api: bool) -> str:
    if route.kind in ("token", "chat", "receipt"):
        return "404"  # another ticket's token, a wrong token, or none: no such link
    if route.kind == "signed":
        return "401"
    if actor not in STAFF:
        return "401" if is_api else "login"
    role = world.users[actor].role
    return "404" if role in roles_for(route.action) else "403"


def snapshot() -> dict[str, str]:
    """A digest of every row of every table (but the few in UNSNAPSHOTTED), read
    raw so sealed columns are compared as stored."""
    digests = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            if table in UNSNAPSHOTTED:
                continue
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted} ORDER BY 1")  # noqa: S608 (table names)
            digests[table] = hashlib.sha256(repr(cursor.fetchall()).encode()).hexdigest()
    return digests


def _request(world, name, route, actor, method, *, is_api):
    if is_api:
        url, query = api_url(world, name, route, actor)
        return send(world, actor, method, url, api_name=name, query=query)
    return send(world, actor, method, html_url(world, name, route, actor))


def _check_public(world, name, route, *, is_api):
    """Anyone gets the same answer, whoever they are, and never a refusal."""
    for method in route.methods:
        statuses = {a: _request(world, name, route, a, method, is_api=is_api) for a in ACTORS}
        codes = {a: r.status_code for a, r in statuses.items()}
        assert len(set(codes.values())) == 1, (name, method, codes)
        assert {outcome(r) for r in statuses.values()} <= {"ok", "404", "login"}, (name, codes)


def _check(world, name, route, *, is_api):
    if route.kind == "public":
        return _check_public(world, name, route, is_api=is_api)
    problems = []
    for method, allowed in route.methods.items():
        refused = [a for a in ACTORS if a not in allowed]
        before = snapshot() if method != "GET" else None
        for actor in refused:
            response = _request(world, name, route, actor, method, is_api=is_api)
            got = outcome(response)
            want = expected_denial(world, route, actor, is_api=is_api)
            if got != want:
                problems.append(
                    f"{method} as {actor}: got {got} ({response.status_code}), want {want}"
                )
        if before is not None:
            after = snapshot()
            changed = sorted(t for t in before if before[t] != after.get(t))
            if changed:
                problems.append(f"{method}: refused requests changed {changed}")
        for actor in sorted(allowed):
            # Each allowed write is undone, so the next actor meets the same world.
            with transaction.atomic():
                response = _request(world, name, route, actor, method, is_api=is_api)
                transaction.set_rollback(True)
            if outcome(response) != "ok":
                problems.append(
                    f"{method} as {actor}: refused ({response.status_code}), want through"
                )
    assert problems == [], "\n".join([name, *problems])


@pytest.mark.parametrize("name", sorted(HTML))
def test_html_route(world, name):
    _check(world, name, HTML[name], is_api=False)


@pytest.mark.parametrize("name", sorted(API))
def test_api_operation(world, name):
    _check(world, name, API[name], is_api=True)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/accounts/user/",
        "/admin/customers/customer/",
        "/admin/privacy/auditentry/",
    ],
)
def test_admin_site_is_for_administrators_only(world, url):
    for actor in ACTORS:
        response = world.client(actor).get(url)
        assert outcome(response) == ("ok" if actor == "admin" else "login"), actor


def test_an_expired_tracking_link_opens_nothing(world):
    code, token = world.ids["code_expired"], world.ids["token_expired"]
    client = world.client("anon")
    for name, route in HTML.items():
        if route.kind == "token" and route.kwargs == "track":
            for method in route.methods:
                url = reverse(name, kwargs={"code": code, "token": token})
                response = client.get(url) if method == "GET" else client.post(url, FORM)
                assert response.status_code == 404, name
    response = client.get(f"/api/v1/tickets/{code}?token={token}")
    assert response.status_code == 404
    assert response.json()["code"] == "tracking_expired"


def test_a_wrong_token_is_refused_on_the_customer_api(world):
    response = world.client("anon").get(
        f"/api/v1/tickets/{world.ids['code_a']}?token={WRONG_TOKEN}"
    )
    assert response.status_code == 404
