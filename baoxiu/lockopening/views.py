"""The technician's lock-opening register form, its printable page, and its images."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from baoxiu.accounts.permissions import permission_required
from baoxiu.core.errors import DomainError, NotFound
from baoxiu.evidence.files import private_file_response
from baoxiu.lockopening.forms import LockOpeningForm
from baoxiu.lockopening.selectors import lock_opening_missing, policy_for_ticket, record_for
from baoxiu.lockopening.services import ID_CONSENT_VERSION, lock_opening_record_save
from baoxiu.tickets.selectors import access_ticket


def _ticket(request, code):
    try:
        return access_ticket(request.user, code)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@permission_required("lockopening.fill")
def register_form(request, code):
    ticket = _ticket(request, code)
    form = LockOpeningForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            lock_opening_record_save(
                ticket=ticket,
                actor=request.user,
                id_consent=data["id_consent"] or None,
                id_number=data["id_number"] or None,
                id_checked=data["id_checked"] or None,
                residence_photo=data["residence_photo"],
                witness_kind=data["witness_kind"] or None,
                witness_name=data["witness_name"] or None,
                police_reference=data["police_reference"] or None,
                signature=data["signature"] or None,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("开锁登记已保存。"))
            return redirect("lockopening:form", code=code)
    record = record_for(ticket)
    policy = record or policy_for_ticket(ticket)
    context = {
        "ticket": ticket,
        "form": form,
        "record": record,
        "policy": policy,
        "policy_name": record.policy_name if record else policy.name,
        "missing": lock_opening_missing(record),
        "consent_version": ID_CONSENT_VERSION,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "lockopening/form.html", context, status=status)


@permission_required("lockopening.view")
def register_print(request, code):
    """The register entry as a printable page (ID number masked)."""
    ticket = _ticket(request, code)
    record = record_for(ticket)
    if record is None:
        raise Http404
    response = render(
        request,
        "lockopening/print.html",
        {"ticket": ticket, "record": record, "missing": lock_opening_missing(record)},
    )
    response["Cache-Control"] = "no-store"
    return response


@permission_required("lockopening.view")
def register_image(request, code, kind):
    ticket = _ticket(request, code)
    record = record_for(ticket)
    names = {
        "residence": record.residence_proof_file if record else "",
        "signature": record.witness_signature_file if record else "",
    }
    if not names.get(kind):
        raise Http404
    return private_file_response(names[kind])
