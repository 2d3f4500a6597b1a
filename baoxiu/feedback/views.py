"""The customer's own actions from the tracking link, each on a small page of its
own (so the 5-second refresh of the tracking page never wipes what they type),
and the desk's answer to a complaint."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from baoxiu.accounts.permissions import permission_required
from baoxiu.core.csrf import token_authorised
from baoxiu.core.errors import DomainError, NotFound
from baoxiu.feedback.forms import CancelForm, ComplaintForm, ComplaintHandleForm, RatingForm
from baoxiu.feedback.models import Complaint
from baoxiu.feedback.selectors import complaints_open_for
from baoxiu.feedback.services import (
    complaint_create,
    complaint_handle,
    rating_create,
    ticket_cancel_by_customer,
)
from baoxiu.tickets.selectors import access_ticket, ticket_by_tracking


def _tracked(code, token):
    try:
        return ticket_by_tracking(code, token)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _customer_page(request, code, token, *, form_class, service, template, success):
    ticket = _tracked(code, token)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service(ticket=ticket, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, success)
            return redirect("portal:track", code=code, token=token)
    status = 400 if request.method == "POST" else 200
    response = render(request, template, {"ticket": ticket, "form": form}, status=status)
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    return response


@token_authorised
@require_http_methods(["GET", "POST"])
def complaint(request, code, token):
    return _customer_page(
        request,
        code,
        token,
        form_class=ComplaintForm,
        service=complaint_create,
        template="feedback/complaint.html",
        success=_("已收到您的投诉，客服会尽快联系您。"),
    )


@token_authorised
@require_http_methods(["GET", "POST"])
def cancel(request, code, token):
    return _customer_page(
        request,
        code,
        token,
        form_class=CancelForm,
        service=ticket_cancel_by_customer,
        template="feedback/cancel.html",
        success=_("工单已取消。"),
    )


@token_authorised
@require_http_methods(["GET", "POST"])
def rate(request, code, token):
    return _customer_page(
        request,
        code,
        token,
        form_class=RatingForm,
        service=rating_create,
        template="feedback/rate.html",
        success=_("感谢您的评价！"),
    )


@require_POST
@permission_required("complaint.handle")
def complaint_handle_view(request, code, complaint_id):
    try:
        ticket = access_ticket(request.user, code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    item = Complaint.objects.filter(ticket=ticket, pk=complaint_id).first()
    if item is None:
        raise Http404
    form = ComplaintHandleForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(_("请填写处理结果。"))
        complaint_handle(complaint=item, actor=request.user, reply=form.cleaned_data["reply"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("投诉处理结果已记录。"))
    return redirect("console:ticket_detail", code=code)


@permission_required("followup.list")
def desk_followups(request):
    """What the customers are waiting on: open complaints and completions to review."""
    from baoxiu.evidence.selectors import reviews_open_for

    context = {
        "complaints": complaints_open_for(request.user)[:200],
        "reviews": reviews_open_for(request.user)[:200],
    }
    return render(request, "feedback/desk_followups.html", context)
