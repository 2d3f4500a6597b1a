"""Staff pages. Each view: parse input, fetch through an access helper, call one service, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baoxiu.accounts.choices import Role
from baoxiu.accounts.permissions import permission_required
from baoxiu.areas.selectors import ticket_in_service_area
from baoxiu.core.errors import DomainError, NotFound
from baoxiu.dispatch.board import board_for
from baoxiu.dispatch.selectors import alerts_open
from baoxiu.dispatch.services import dispatch_alert_acknowledge, ticket_assign_by_dispatcher
from baoxiu.privacy.selectors import audit_search
from baoxiu.privacy.services import may_reveal, ticket_contact_reveal
from baoxiu.tickets.choices import TicketChannel, TicketStatus
from baoxiu.tickets.forms import TicketReportForm
from baoxiu.tickets.selectors import (
    TicketFilters,
    access_ticket,
    jobs_for_technician,
    ticket_list,
    ticket_timeline,
    tickets_in_scope,
)
from baoxiu.tickets.services import ticket_create, ticket_tracking_reset
from baoxiu.tickets.transitions import actions_available, can_perform, ticket_transition
from baoxiu.workforce.selectors import technicians_for_assignment
from baoxiu.workforce.services import technician_location_report

HOME_BY_ROLE = {
    Role.TECHNICIAN: "console:my_jobs",
    Role.DISPATCHER: "console:dispatch",
}


@permission_required("console.home")
def home(request):
    return redirect(HOME_BY_ROLE.get(request.user.role, "console:tickets"))


def _access(request, code):
    try:
        return access_ticket(request.user, code)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@permission_required("ticket.list")
def tickets(request):
    filters = TicketFilters(
        status=request.GET.get("status", ""),
        query=request.GET.get("q", "")[:50],
    )
    page = Paginator(ticket_list(user=request.user, filters=filters), 25).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "filters": filters, "statuses": TicketStatus.choices}
    template = "console/_ticket_rows.html" if request.htmx else "console/tickets.html"
    return render(request, template, context)


@permission_required("ticket.view")
def ticket_detail(request, code, revealed=None):
    ticket = _access(request, code)
    context = {
        "revealed": revealed,
        "may_reveal": may_reveal(request.user),
        "ticket": ticket,
        "events": ticket_timeline(ticket),
        "actions": actions_available(request.user, ticket),
        "can_assign": can_perform(request.user, ticket, "assign"),
    }
    if context["can_assign"]:
        context["technicians"] = technicians_for_assignment(
            fault_type=ticket.fault_type, area_name=ticket.address.area_name
        )
    return render(request, "console/ticket_detail.html", context)


@require_POST
@permission_required("ticket.reveal_contact")
def ticket_reveal(request, code):
    """Show the customer's contact in full on this response only, after recording why."""
    ticket = _access(request, code)
    try:
        revealed = ticket_contact_reveal(
            user=request.user,
            ticket=ticket,
            reason=request.POST.get("reason", ""),
            ip=request.META.get("REMOTE_ADDR"),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("console:ticket_detail", code=code)
    response = ticket_detail(request, code, revealed=revealed)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@permission_required("ticket.tracking_reset")
def ticket_tracking_reset_view(request, code):
    ticket = _access(request, code)
    try:
        ticket_tracking_reset(ticket=ticket, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("查询链接已重置，新链接已发送给客户。"))
    return redirect("console:ticket_detail", code=code)


@permission_required("audit.search")
def audit_log(request):
    entries = audit_search(
        actor=request.GET.get("actor", "")[:150], ticket_code=request.GET.get("ticket", "")[:20]
    )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "console/audit.html", {"page": page})


@permission_required("ticket.create")
def ticket_new(request):
    form = TicketReportForm(request.POST or None)
    form.fields["consent"].label = _("已向来电客户告知《个人信息保护说明》并获同意")
    if request.method == "POST" and form.is_valid():
        try:
            ticket, _created = ticket_create(
                request=form.to_request(channel=TicketChannel.PHONE),
                created_by=request.user,
                idempotency_key=str(form.cleaned_data["submission_id"]),
                idempotency_scope="console",
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已为来电客户创建工单 %(code)s。") % {"code": ticket.code})
            if not ticket_in_service_area(ticket):
                messages.warning(
                    request, _("该地址不在已公布的服务范围内，请与客户确认并告知调度。")
                )
            return redirect("console:ticket_detail", code=ticket.code)
    status = 400 if request.method == "POST" else 200
    return render(request, "console/ticket_new.html", {"form": form}, status=status)


@permission_required("dispatch.board")
def dispatch(request):
    """The dispatcher board; htmx refreshes its body every 5 seconds."""
    area = request.GET.get("area", "")
    board = board_for(request.user, area=area)
    template = "console/_board.html" if request.htmx else "console/dispatch.html"
    return render(request, template, {"board": board, "area": area, "now": timezone.now()})


@require_POST
@permission_required("dispatch.alert_ack")
def alert_acknowledge(request, pk):
    alert = (
        alerts_open().filter(pk=pk, ticket__in=tickets_in_scope(request.user, "dispatch.alert_ack"))
    ).first()
    if alert is None:
        raise Http404
    dispatch_alert_acknowledge(alert=alert, user=request.user)
    next_url = _safe_next(request)
    return redirect(next_url) if next_url else redirect("console:dispatch")


def _jobs_signature(tickets) -> str:
    """Changes whenever a job is added, dropped, changes (version) or gets a
    timeline line (a quote decided, a customer's confirmation): the poll below
    redraws the list only then, so a half-typed code or reason is not wiped."""
    from django.db.models import Max

    from baoxiu.tickets.models import TicketEvent

    last_event = TicketEvent.objects.filter(ticket__in=[t.pk for t in tickets]).aggregate(
        m=Max("id")
    )["m"]
    return "-".join(f"{t.pk}.{t.version}" for t in tickets) + f"-e{last_event or 0}"


@permission_required("job.list")
def my_jobs(request):
    tickets = list(jobs_for_technician(user=request.user))
    signature = _jobs_signature(tickets)
    if request.htmx and request.GET.get("since") == signature:
        return HttpResponse(status=204)  # nothing changed: htmx keeps the page as it is
    jobs = [(job, actions_available(request.user, job)) for job in tickets]
    en_route = any(job.status == TicketStatus.EN_ROUTE for job, _actions in jobs)
    context = {"jobs": jobs, "share_location": en_route, "signature": signature}
    template = "console/_my_jobs.html" if request.htmx else "console/my_jobs.html"
    return render(request, template, context)


@require_POST
@permission_required("job.location")
def my_location(request):
    """Position from the technician's phone, sent by technician.js while en route.

    Positions are kept only while the technician is on the way to a job.
    """
    technician = getattr(request.user, "technician", None)
    if (
        technician is None
        or not jobs_for_technician(user=request.user).filter(status=TicketStatus.EN_ROUTE).exists()
    ):
        return JsonResponse(
            {"code": "not_en_route", "message": _("只有在前往工单途中才记录位置。")}, status=409
        )
    try:
        stored = technician_location_report(
            technician=technician,
            latitude=request.POST.get("latitude"),
            longitude=request.POST.get("longitude"),
            accuracy_m=request.POST.get("accuracy"),
        )
    except DomainError as exc:
        return JsonResponse({"code": exc.code, "message": exc.message}, status=exc.status)
    return JsonResponse({"stored": stored})


@require_POST
@permission_required("ticket.act")
def ticket_action(request, code):
    ticket = _access(request, code)
    action = request.POST.get("action", "")
    technician = None
    if action == "assign":
        technician = (
            technicians_for_assignment().filter(pk=_int(request.POST.get("technician"))).first()
        )
    try:
        if str(ticket.version) != request.POST.get("version", str(ticket.version)):
            messages.error(request, _("工单已被他人更新，请核对后重试。"))
        elif action == "assign":
            ticket_assign_by_dispatcher(
                ticket=ticket,
                technician=technician,
                actor=request.user,
                note=request.POST.get("note", ""),
            )
            messages.success(request, _("工单 %(code)s：操作成功。") % {"code": ticket.code})
        else:
            ticket_transition(
                ticket=ticket,
                action=action,
                actor=request.user,
                note=request.POST.get("note", ""),
                technician=technician,
            )
            messages.success(request, _("工单 %(code)s：操作成功。") % {"code": ticket.code})
    except DomainError as exc:
        messages.error(request, exc.message)
    next_url = _safe_next(request)
    return redirect(next_url) if next_url else redirect("console:ticket_detail", code=code)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _safe_next(request) -> str | None:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return None
