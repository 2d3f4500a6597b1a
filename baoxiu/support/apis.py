"""JSON endpoints of the support app.

``telephony_router``: the call-event webhook, authenticated by the shared-secret
signature (not a staff login). ``verify_router``: the public "is it genuine?"
checks, rate-limited per client address.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from baoxiu.api.schemas import error_responses
from baoxiu.core.errors import NotFound, RateLimited
from baoxiu.support import selectors
from baoxiu.support.services import call_event_record
from baoxiu.support.telephony import telephony
from baoxiu.support.verify import verify_allowed

telephony_router = Router(tags=["电话中心（回调）"])
verify_router = Router(tags=["真伪查询（公开）"])


class CallEventOut(Schema):
    call_id: str
    state: str
    applied: bool
    customer_known: bool


@telephony_router.post(
    "/telephony/call-events",
    response={200: CallEventOut, **error_responses(400, 401, 422)},
    auth=None,
    summary="来电事件回调（签名）",
)
def call_events(request: HttpRequest):
    """Signed with the shared secret (see ``baoxiu.support.telephony.signed_json``).
    A retried event is answered again with ``applied`` false."""
    event = telephony().parse_webhook(
        headers=request.headers, body=request.body, now=timezone.now()
    )
    call, applied = call_event_record(event=event)
    return CallEventOut(
        call_id=call.call_id,
        state=call.state,
        applied=applied,
        customer_known=call.customer_id is not None,
    )


def _not_ours() -> str:
    hotlines = "、".join(c.value for c in selectors.official_hotlines())
    return _("这不是我们的官方渠道。请勿开门，请拨打官方热线 %(hotlines)s 核实。") % {
        "hotlines": hotlines or "—"
    }


def _limit(request: HttpRequest) -> None:
    if not verify_allowed(ip=request.META.get("REMOTE_ADDR", "")):
        raise RateLimited(_("查询过于频繁，请稍后再试。"))


class PhoneParams(Schema):
    number: str


class PhoneVerifyOut(Schema):
    official: bool
    label: str
    message: str


@verify_router.get(
    "/verify/phone",
    response={200: PhoneVerifyOut, **error_responses(422, 429)},
    summary="核实电话号码是否为官方渠道",
)
def verify_phone(request: HttpRequest, params: Query[PhoneParams]):
    _limit(request)
    channel = selectors.official_channel_for_number(params.number[:40])
    if channel is None:
        return PhoneVerifyOut(official=False, label="", message=_not_ours())
    return PhoneVerifyOut(
        official=True,
        label=channel.label or channel.get_kind_display(),
        message=_("这是我们的官方号码。"),
    )


class BadgeParams(Schema):
    caller: str = ""


class BadgeVerifyOut(Schema):
    genuine: bool
    name: str
    outlet: str
    certificate_no: str
    status: str
    photo_url: str | None
    assigned_to_caller: bool | None
    job_area: str
    job_address: str
    message: str


@verify_router.get(
    "/verify/badge/{code}",
    response={200: BadgeVerifyOut, **error_responses(404, 422, 429)},
    summary="核实师傅工牌",
)
def verify_badge(request: HttpRequest, code: str, params: Query[BadgeParams]):
    """``caller``: the asking customer's own phone number, to learn whether this
    technician is on a job at their address now (the address comes back masked)."""
    _limit(request)
    check = selectors.badge_check(code[:40], caller_phone=params.caller[:20])
    if check is None:
        raise NotFound(_not_ours(), code="badge_unknown")
    tech = check.technician
    return BadgeVerifyOut(
        genuine=True,
        name=check.display_name,
        outlet=tech.outlet.name,
        certificate_no=tech.certificate_no,
        status="active" if check.active else "suspended",
        photo_url=reverse("support:verify_badge_photo", kwargs={"code": tech.badge_code})
        if tech.photo
        else None,
        assigned_to_caller=check.assigned_to_caller,
        job_area=check.job_area,
        job_address=check.job_address,
        message=_("这是我们的认证师傅。") if check.active else _("该师傅已停止服务，请勿开门。"),
    )
