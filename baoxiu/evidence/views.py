"""Evidence pages: the technician's on-site record, the desk's review, and the
photos themselves (served only to the ticket's technician, staff who may see
the ticket, or the holder of its tracking link)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baoxiu.accounts.permissions import permission_required
from baoxiu.core.csrf import token_authorised
from baoxiu.core.errors import DomainError, NotFound
from baoxiu.evidence.files import private_file_response
from baoxiu.evidence.forms import (
    CompletionCodeForm,
    CompletionSignatureForm,
    PartForm,
    PhotoForm,
    ReviewForm,
)
from baoxiu.evidence.selectors import (
    confirmation_for,
    evidence_missing,
    evidence_rule_for,
    parts_for,
    photos_for,
)
from baoxiu.evidence.services import (
    completion_confirm_by_code,
    completion_confirm_by_customer,
    completion_confirm_by_signature,
    completion_review_resolve,
    part_record,
    photo_add,
)
from baoxiu.tickets.selectors import access_ticket, ticket_by_tracking
from baoxiu.tickets.transitions import actions_available


def _staff_ticket(request, code):
    try:
        return access_ticket(request.user, code)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _tracked_ticket(code, token):
    try:
        return ticket_by_tracking(code, token)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@permission_required("evidence.record")
def job_evidence(
    request,
    code,
    photo_form=None,
    part_form=None,
    code_form=None,
    signature_form=None,
    status=200,
):
    """The technician's on-site page for one job: photos, parts, the customer's code."""
    ticket = _staff_ticket(request, code)
    context = {
        "ticket": ticket,
        "rule": evidence_rule_for(ticket.fault_type),
        "missing": evidence_missing(ticket),
        "photos": photos_for(ticket),
        "parts": parts_for(ticket),
        "confirmation": confirmation_for(ticket),
        "actions": actions_available(request.user, ticket),
        "photo_form": photo_form or PhotoForm(),
        "part_form": part_form or PartForm(),
        "code_form": code_form or CompletionCodeForm(),
        "signature_form": signature_form or CompletionSignatureForm(),
    }
    return render(request, "evidence/job.html", context, status=status)


def _on_site_post(request, code, *, form, slot, field, record, done):
    """Validate one on-site form, record it, and go back to the job page.

    ``record(ticket, data)`` calls the service; a refusal is shown on
    ``field`` of the form (None: the form as a whole) and the page is
    rendered again with the form in ``slot``, status 400.
    """
    ticket = _staff_ticket(request, code)
    if form.is_valid():
        try:
            record(ticket, form.cleaned_data)
        except DomainError as exc:
            form.add_error(field, exc.message)
        else:
            messages.success(request, done)
            return redirect("evidence:job", code=code)
    return job_evidence(request, code, status=400, **{slot: form})


@require_POST
@permission_required("evidence.record")
def job_photo_upload(request, code):
    return _on_site_post(
        request,
        code,
        form=PhotoForm(request.POST, request.FILES),
        slot="photo_form",
        field="photo",
        record=lambda ticket, data: photo_add(
            ticket=ticket,
            actor=request.user,
            kind=data["kind"],
            upload=data["photo"],
            caption=data["caption"],
        ),
        done=_("照片已上传。"),
    )


@require_POST
@permission_required("evidence.record")
def job_part_record(request, code):
    return _on_site_post(
        request,
        code,
        form=PartForm(request.POST),
        slot="part_form",
        field=None,
        record=lambda ticket, data: part_record(ticket=ticket, actor=request.user, **data),
        done=_("配件已登记。"),
    )


@require_POST
@permission_required("completion.code_enter")
def job_code_enter(request, code):
    return _on_site_post(
        request,
        code,
        form=CompletionCodeForm(request.POST),
        slot="code_form",
        field="completion_code",
        record=lambda ticket, data: completion_confirm_by_code(
            ticket=ticket, actor=request.user, code=data["completion_code"]
        ),
        done=_("客户已确认完工，可以点“完工”。"),
    )


@require_POST
@permission_required("completion.code_enter")
def job_signature_enter(request, code):
    """The customer's signature on the technician's phone confirms completion."""
    return _on_site_post(
        request,
        code,
        form=CompletionSignatureForm(request.POST),
        slot="signature_form",
        field=None,
        record=lambda ticket, data: completion_confirm_by_signature(
            ticket=ticket, actor=request.user, signature=data["signature"]
        ),
        done=_("客户已签名确认完工，可以点“完工”。"),
    )


@require_POST
@permission_required("completion.review")
def review_resolve(request, code):
    ticket = _staff_ticket(request, code)
    form = ReviewForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(_("请填写审核说明（如回访结果）。"))
        completion_review_resolve(ticket=ticket, actor=request.user, note=form.cleaned_data["note"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("完工审核已通过，可以关闭工单。"))
    return redirect("console:ticket_detail", code=code)


@permission_required("photo.view")
def staff_photo(request, code, photo_id):
    ticket = _staff_ticket(request, code)
    photo = photos_for(ticket).filter(pk=photo_id).first()
    if photo is None:
        raise Http404
    return private_file_response(photo.file_name)


def customer_photo(request, code, token, photo_id):
    ticket = _tracked_ticket(code, token)
    photo = photos_for(ticket).filter(pk=photo_id).first()
    if photo is None:
        raise Http404
    # The tracking page re-renders its photos every 5 s: let the phone keep them.
    return private_file_response(photo.file_name, cache_seconds=600)


@token_authorised
@require_POST
def customer_confirm(request, code, token):
    """The customer taps 确认完工 on the tracking page."""
    ticket = _tracked_ticket(code, token)
    try:
        completion_confirm_by_customer(ticket=ticket)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("感谢您确认完工。"))
    return redirect("portal:track", code=code, token=token)
