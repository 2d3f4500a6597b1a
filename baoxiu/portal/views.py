"""Public pages: anyone can report a fault and follow it with the tracking link."""

from datetime import datetime

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from baoxiu.areas.forms import ServiceCheckForm
from baoxiu.areas.selectors import service_check, ticket_in_service_area
from baoxiu.catalog.selectors import fault_types_active
from baoxiu.core.csrf import token_authorised
from baoxiu.core.errors import DomainError, NotFound
from baoxiu.dispatch.appointments import bookable_slots
from baoxiu.dispatch.assignment import ticket_eta
from baoxiu.dispatch.selectors import technician_approximate_position
from baoxiu.feedback.services import appointment_change_by_customer
from baoxiu.privacy.notice import NOTICE_VERSION
from baoxiu.tickets.choices import TicketChannel
from baoxiu.tickets.forms import TicketReportForm
from baoxiu.tickets.selectors import ticket_by_tracking, ticket_public_timeline
from baoxiu.tickets.services import ticket_create


def home(request):
    return render(request, "portal/home.html", {"fault_types": fault_types_active()})


@require_http_methods(["GET", "POST"])
def report(request):
    form = TicketReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ticket, _created = ticket_create(
                request=form.to_request(channel=TicketChannel.WEB),
                idempotency_key=str(form.cleaned_data["submission_id"]),
                idempotency_scope="portal",
                public_client_ip=request.META.get("REMOTE_ADDR", ""),
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("报修已受理，请保存本页链接以便随时查看进度。"))
            if not ticket_in_service_area(ticket):
                messages.warning(
                    request,
                    _("您的地址暂未确认在我们的服务范围内，客服会尽快与您联系确认。"),
                )
            return redirect("portal:track", code=ticket.code, token=ticket.tracking_token)
    status = 400 if request.method == "POST" else 200
    return render(request, "portal/report.html", {"form": form}, status=status)


def privacy_notice(request):
    return render(request, "privacy/notice.html", {"version": NOTICE_VERSION})


def coverage_check(request):
    """Public "do we serve you?" page."""
    form = ServiceCheckForm(request.GET or None)
    check = service_check(form.cleaned_data["address"]) if form.is_valid() else None
    return render(request, "portal/coverage.html", {"form": form, "check": check})


@token_authorised
@require_http_methods(["POST"])
def book_appointment(request, code, token):
    """The customer picks (or moves, within policy) a visit window on the tracking page."""
    try:
        ticket = ticket_by_tracking(code, token)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    try:
        start = datetime.fromisoformat(request.POST.get("start", ""))
        if start.tzinfo is None:
            raise ValueError
        appointment_change_by_customer(ticket=ticket, start=start)
    except ValueError:
        messages.error(request, _("请选择列表中的上门时段。"))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已为您预约上门时间。"))
    return redirect("portal:track", code=code, token=token)


def track(request, code, token):
    try:
        ticket = ticket_by_tracking(code, token)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    context = {
        "ticket": ticket,
        "events": ticket_public_timeline(ticket),
        "eta": ticket_eta(ticket),
        "position": technician_approximate_position(ticket),
        "slots": bookable_slots(ticket),
    }
    template = "portal/_track_status.html" if request.htmx else "portal/track.html"
    response = render(request, template, context)
    # The URL carries the token: it must not leave in a Referer header, not even to
    # our own pages. The page's forms post with "Origin: null" as a result, so
    # their views are authorised by the token instead of the CSRF cookie.
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    return response
