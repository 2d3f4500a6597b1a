"""Data-subject requests in the console: find the person, export or erase."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baoxiu.accounts.permissions import permission_required
from baoxiu.core.errors import DomainError, NotFound
from baoxiu.customers.models import Customer
from baoxiu.privacy.selectors import subject_summary
from baoxiu.privacy.subjects import (
    ERASED_INDEX_PREFIX,
    subject_erase,
    subject_export,
    subject_find,
)


def _customer(customer_id: int) -> Customer:
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None or customer.phone_index.startswith(ERASED_INDEX_PREFIX):
        raise Http404
    return customer


@permission_required("privacy.export")
def subject_requests(request):
    """Find a customer by phone number or ticket code. A POST, so the number
    never appears in a URL (and so in no access log)."""
    summary, error = None, ""
    if request.method == "POST":
        try:
            customer = subject_find(
                phone=request.POST.get("phone", "")[:30],
                ticket_code=request.POST.get("ticket", "")[:20],
            )
        except NotFound as exc:
            error = exc.message
        else:
            summary = subject_summary(customer)
    response = render(request, "privacy/subjects.html", {"summary": summary, "error": error})
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@permission_required("privacy.export")
def subject_export_view(request, customer_id):
    customer = _customer(customer_id)
    try:
        data = subject_export(
            customer=customer,
            actor=request.user,
            reason=request.POST.get("reason", ""),
            ip=request.META.get("REMOTE_ADDR"),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("privacy:subjects")
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="subject-{customer.pk}.json"'
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@permission_required("privacy.erase")
def subject_erase_view(request, customer_id):
    customer = _customer(customer_id)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("请勾选确认后再删除。"))
        return redirect("privacy:subjects")
    try:
        erasure = subject_erase(
            customer=customer,
            actor=request.user,
            reason=request.POST.get("reason", ""),
            ip=request.META.get("REMOTE_ADDR"),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("privacy:subjects")
    kept = sum(entry["count"] for entry in erasure.kept)
    messages.success(
        request,
        _("客户#%(id)s 的个人信息已删除（涉及工单 %(tickets)s 张；依法保留 %(kept)s 条记录）。")
        % {"id": erasure.customer_id, "tickets": erasure.tickets, "kept": kept},
    )
    return redirect("privacy:subjects")
