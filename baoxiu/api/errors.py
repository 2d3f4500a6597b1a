"""Every API error is JSON: ``{"code": ..., "message": ...}`` plus ``details`` where useful.

Domain errors keep the status and code their service chose; ninja's own
errors (request validation, authentication, unparsable bodies) and Django's
(404, 405, oversize bodies) are given the same shape, with messages in Chinese.
"""

from __future__ import annotations

import logging
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from baoxiu.core.errors import DomainError

logger = logging.getLogger("django.request")


class UnsupportedMediaType(Exception):
    """A request body that is not JSON (raised by the API's parser)."""


def error_response(
    status: int, code: str, message: str, details: Any = None, *, headers=None
) -> JsonResponse:
    body: dict[str, Any] = {"code": code, "message": str(message)}
    if details:
        body["details"] = details
    return JsonResponse(
        body, status=status, headers=headers, json_dumps_params={"ensure_ascii": False}
    )


def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return error_response(exc.status, exc.code, exc.message, exc.details)


def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields: dict[str, str] = {}
    for error in exc.errors:
        fields.setdefault(_field_name(error.get("loc", ())), _field_message(error))
    name, first = next(iter(fields.items()), ("", _("请求参数有误。")))
    message = _("请求参数有误：%(field)s %(problem)s") % {"field": name, "problem": first}
    return error_response(422, "validation_error", message, fields)


def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, AuthenticationError):
        return error_response(401, "not_authenticated", _("请先登录，或提供有效的接口令牌。"))
    if isinstance(exc, AuthorizationError):
        return error_response(403, "forbidden", _("您没有权限执行此操作。"))
    cause = exc.__cause__
    if isinstance(cause, UnsupportedMediaType):
        return error_response(
            415, "unsupported_media_type", _("请求体须为 JSON（Content-Type: application/json）。")
        )
    if cause is not None and exc.status_code == 400:
        # ninja wraps any failure to parse the body in a 400 HttpError.
        return error_response(400, "invalid_json", _("请求体不是有效的 JSON。"))
    if exc.status_code == 403:
        # The only 403 ninja raises itself: a session request without a valid CSRF token.
        return error_response(403, "csrf_failed", _("CSRF 校验失败，请刷新页面后重试。"))
    return error_response(exc.status_code, _CODE_FOR_STATUS.get(exc.status_code, "error"), str(exc))


def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(404, "not_found", _("没有找到请求的资源。"))


def on_too_big(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(413, "payload_too_large", _("请求体过大。"))


def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    if settings.DEBUG:
        raise exc
    # Logged like Django logs an unhandled view error, so the same alerting sees it.
    logger.error(
        "Unhandled API error: %s",
        request.path,
        exc_info=exc,
        extra={"status_code": 500, "request": request},
    )
    return error_response(500, "server_error", _("服务器内部错误，请稍后重试。"))


def install_error_handlers(api: NinjaAPI) -> None:
    api.add_exception_handler(DomainError, on_domain_error)
    api.add_exception_handler(ValidationError, on_validation_error)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(RequestDataTooBig, on_too_big)
    api.add_exception_handler(Exception, on_unexpected)


def json_errors_for_view(view):
    """Wrap a URL pattern's view so that errors raised outside ninja's operations
    (unknown method, the API root) are JSON too."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return on_not_found(request, None)
        if response.status_code == 405 and not _is_json(response):
            return error_response(
                405,
                "method_not_allowed",
                _("不支持 %(method)s 方法。") % {"method": request.method},
                headers={"Allow": response.get("Allow", "")},
            )
        return response

    return wrapped


def unknown_route(request, *args, **kwargs) -> HttpResponse:
    return on_not_found(request, None)


def _is_json(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").startswith("application/json")


_CODE_FOR_STATUS = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
}


def _field_name(loc) -> str:
    """``("body", "payload", "phone")`` → ``phone``; ``("query", "limit")`` → ``limit``."""
    parts = [str(p) for p in loc]
    if parts and parts[0] == "body":
        parts = parts[2:] or ["body"]  # drop the source and the view's parameter name
    elif parts:
        parts = parts[1:]
    return ".".join(parts) or "request"


# pydantic error types → messages; ``{ctx}`` values come from the error's context.
_MESSAGES = {
    "missing": "为必填项。",
    "string_type": "应为文本。",
    "string_too_long": "不能超过{max_length}个字。",
    "string_too_short": "不能少于{min_length}个字。",
    "string_pattern_mismatch": "格式不正确。",
    "int_type": "应为整数。",
    "int_parsing": "应为整数。",
    "int_from_float": "应为整数。",
    "bool_type": "应为 true 或 false。",
    "bool_parsing": "应为 true 或 false。",
    "greater_than": "应大于{gt}。",
    "greater_than_equal": "不能小于{ge}。",
    "less_than": "应小于{lt}。",
    "less_than_equal": "不能大于{le}。",
    "enum": "取值无效，可选值：{expected}。",
    "literal_error": "取值无效，可选值：{expected}。",
    "model_attributes_type": "应为 JSON 对象。",
    "model_type": "应为 JSON 对象。",
    "dict_type": "应为 JSON 对象。",
    "json_invalid": "不是有效的 JSON。",
}


def _field_message(error: dict) -> str:
    template = _MESSAGES.get(error.get("type", ""), "格式不正确。")
    try:
        return template.format(**error.get("ctx", {}))
    except (KeyError, IndexError):
        return "格式不正确。"
