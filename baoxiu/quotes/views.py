"""Quote pages: the technician's builder and waiting panel, the customer's
decision on the tracking page, the receipt, and a lock's service history."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baoxiu.accounts.matrix import Scope, scope_for
from baoxiu.accounts.permissions import permission_required
from baoxiu.core.csrf import token_authorised
from baoxiu.core.errors import DomainError, NotFound
from baoxiu.pricing.calculator import price_book, version_in_force
from baoxiu.pricing.selectors import lock_serial_by_number
from baoxiu.quotes.choices import DecisionChannel
from baoxiu.quotes.forms import PaymentForm, QuoteBuilderForm
from baoxiu.quotes.selectors import (
    payment_by_receipt,
    quote_of_ticket,
    quotes_for_ticket,
    serial_service_history,
)
from baoxiu.quotes.services import (
    PaymentRequest,
    latest_quote,
    payment_record,
    quote_code_resend,
    quote_decide,
    quote_submit,
    ticket_division_code,
    ticket_serial,
    ticket_serial_link,
)
from baoxiu.tickets.choices import TicketStatus
from baoxiu.tickets.selectors import access_ticket, ticket_by_tracking, ticket_in_scope


def _own_job(request, code):
    try:
        return access_ticket(request.user, code)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _back(request, code):
    """Back to where the form was posted from: the job list or the quote page."""
    if request.POST.get("next") == "jobs":
        return redirect("console:my_jobs")
    return redirect("quotes:job_quote", code=code)


def _builder_form(ticket, data=None):
    version = version_in_force()
    if version is None:
        return None
    book = price_book(version, ticket_division_code(ticket))
    return QuoteBuilderForm(data, book=book, lock_model_id=ticket.lock_model_id)


@permission_required("quote.submit")
def job_quote(request, code):
    """Build (POST: submit) a quote version for the technician's own job."""
    ticket = _own_job(request, code)
    form = _builder_form(ticket, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form is not None:
        if form.is_valid():
            try:
                quote = quote_submit(
                    ticket=ticket,
                    actor=request.user,
                    requests=form.line_requests(),
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as exc:
                if exc.code in ("quote_not_allowed", "already_paid"):
                    # The builder is not shown in this state: say it above the page.
                    messages.error(request, exc.message)
                    return redirect("quotes:job_quote", code=code)
                field = None
                if exc.code == "price_above_list" and exc.details:
                    kind = "part" if form.field_for("part", exc.details["key"]) else "labour"
                    field = form.field_for(kind, exc.details["key"])
                form.add_error(field, exc.message)
            else:
                messages.success(
                    request,
                    _("报价第%(n)d版已发送给客户，等待客户确认。") % {"n": quote.number},
                )
                return redirect("quotes:job_quote", code=code)
        status = 400
    quotes = quotes_for_ticket(ticket)
    latest = quotes[0] if quotes else None
    paid = latest is not None and hasattr(latest, "payment")
    context = {
        "ticket": ticket,
        "form": form,
        "quotes": quotes,
        "paid": paid,
        "payable": latest is not None
        and latest.is_approved
        and not paid
        and ticket.status in (TicketStatus.IN_PROGRESS, TicketStatus.COMPLETED),
        "serial": ticket_serial(ticket),
        "payment_form": PaymentForm(),
    }
    return render(request, "quotes/job_quote.html", context, status=status)


@permission_required("quote.submit")
def job_quote_status(request, code):
    """The waiting panel alone; htmx polls it until the customer decides."""
    ticket = _own_job(request, code)
    context = {"ticket": ticket, "q": latest_quote(ticket), "polled": True}
    return render(request, "quotes/_job_quote_state.html", context)


@require_POST
@permission_required("serial.record")
def job_serial(request, code):
    ticket = _own_job(request, code)
    try:
        link = ticket_serial_link(
            ticket=ticket, serial=request.POST.get("serial", "")[:40], actor=request.user
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已登记锁具序列号 %(s)s。") % {"s": link.serial.serial})
    return redirect("quotes:job_quote", code=code)


@require_POST
@permission_required("quote.code_enter")
def job_quote_code(request, code, number):
    """Resend the customer's code, or approve with the code the customer read out."""
    ticket = _own_job(request, code)
    try:
        quote = quote_of_ticket(ticket, number)
        if request.POST.get("action") == "resend":
            quote_code_resend(quote=quote, actor=request.user)
            messages.success(request, _("新的验证码已发送到客户手机。"))
        else:
            quote_decide(
                quote=quote,
                approve=True,
                via=DecisionChannel.CODE,
                code=request.POST.get("code", "")[:12],
                actor=request.user,
            )
            messages.success(request, _("客户已通过验证码同意报价，可以开始维修。"))
    except DomainError as exc:
        messages.error(request, exc.message)
    return _back(request, code)


@require_POST
@permission_required("payment.record")
def job_payment(request, code):
    ticket = _own_job(request, code)
    form = PaymentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择支付方式并填写金额。"))
        return redirect("quotes:job_quote", code=code)
    try:
        payment = payment_record(
            ticket=ticket,
            request=PaymentRequest(
                method=form.cleaned_data["method"], amount=form.cleaned_data["amount"]
            ),
            actor=request.user,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已收款 ¥%(a)s。") % {"a": payment.amount})
    return redirect("quotes:job_quote", code=code)


@token_authorised
@require_POST
def track_quote_decide(request, code, token, number):
    """The customer approves or rejects a quote on their tracking page."""
    try:
        ticket = ticket_by_tracking(code, token)
        quote = quote_of_ticket(ticket, number)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    decision = request.POST.get("decision", "")
    if decision not in ("approve", "reject"):
        messages.error(request, _("请选择同意或拒绝。"))
    else:
        try:
            quote_decide(quote=quote, approve=decision == "approve", via=DecisionChannel.LINK)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("您已同意报价，师傅将开始维修。")
                if decision == "approve"
                else _("您已拒绝报价，师傅会与您沟通。"),
            )
    return redirect("portal:track", code=code, token=token)


def receipt(request, token):
    try:
        payment = payment_by_receipt(token)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    quote = next(q for q in quotes_for_ticket(payment.ticket) if q.pk == payment.quote_id)
    context = {"payment": payment, "quote": quote, "quotes": [quote]}
    response = render(request, "quotes/receipt.html", context)
    response["Referrer-Policy"] = "same-origin"  # the URL carries the token
    response["Cache-Control"] = "no-store"
    return response


@permission_required("serial.history")
def serial_history(request):
    query = request.GET.get("serial", "")[:40]
    serial = lock_serial_by_number(query)
    history = serial_service_history(serial) if serial else []
    if scope_for(request.user, "serial.history") != Scope.ALL:
        # A lock's history is shown only for the tickets the user may see
        # (a technician's own jobs, an outlet's, a region's).
        history = [h for h in history if ticket_in_scope(request.user, h.ticket, "ticket.view")]
        if not history:
            serial = None
    context = {"query": query, "serial": serial, "history": history}
    return render(request, "quotes/serial_history.html", context)
