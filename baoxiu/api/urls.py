"""JSON API v1, mounted at /api/v1/ by config.urls.

OpenAPI schema at ``openapi.json``, Swagger UI at ``docs`` (served from the
static files ninja ships, no CDN). Each app contributes a ninja Router from
its ``apis.py``; this module only routes, parses and renders.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import URLPattern, re_path
from ninja import NinjaAPI
from ninja.parser import Parser
from ninja.renderers import JSONRenderer

from baoxiu.api.errors import (
    UnsupportedMediaType,
    install_error_handlers,
    json_errors_for_view,
    unknown_route,
)
from baoxiu.areas.apis import router as areas_public
from baoxiu.evidence.apis import public_router as evidence_public
from baoxiu.evidence.apis import staff_router as evidence_staff
from baoxiu.pricing.apis import router as pricing_public
from baoxiu.quotes.apis import public_router as quotes_public
from baoxiu.quotes.apis import staff_router as quotes_staff
from baoxiu.support.apis import telephony_router, verify_router
from baoxiu.tickets.apis import public_router as tickets_public
from baoxiu.tickets.apis import staff_router as tickets_staff


class JsonBodyParser(Parser):
    """Bodies must be JSON; another declared media type is refused (415), not guessed at."""

    def parse_body(self, request: HttpRequest):
        media_type = request.content_type or ""
        if media_type and media_type != "application/json" and not media_type.endswith("+json"):
            raise UnsupportedMediaType(media_type)
        return super().parse_body(request)


class ReadableJSONRenderer(JSONRenderer):
    # Chinese stays readable in curl and logs instead of \uXXXX escapes.
    json_dumps_params = {"ensure_ascii": False}


class BaoxiuAPI(NinjaAPI):
    @property
    def urls(self):
        patterns, app_name, namespace = super().urls
        wrapped = [
            URLPattern(p.pattern, json_errors_for_view(p.callback), p.default_args, p.name)
            if isinstance(p, URLPattern)
            else p
            for p in patterns
        ]
        # Last: any other path under /api/v1/ is a JSON 404, not Django's HTML page.
        return [*wrapped, re_path(r"^.*$", unknown_route)], app_name, namespace


api = BaoxiuAPI(
    title="baoxiu 报修 API",
    version="1",
    description=(
        "智能锁售后报修平台接口。员工接口需登录会话（含 CSRF 令牌）或 "
        "`Authorization: Bearer <令牌>`。错误统一返回 `{code, message, details?}`。"
    ),
    urls_namespace="api-v1",
    parser=JsonBodyParser(),
    renderer=ReadableJSONRenderer(),
)
install_error_handlers(api)

api.add_router("", tickets_public)
api.add_router("", areas_public)
api.add_router("/staff", tickets_staff)
api.add_router("", telephony_router)
api.add_router("", verify_router)
api.add_router("", pricing_public)
api.add_router("", quotes_public)
api.add_router("/staff", quotes_staff)
api.add_router("", evidence_public)
api.add_router("/staff", evidence_staff)
