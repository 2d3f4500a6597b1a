"""Pages of the customer-service desk (console) and its public side: the
customer's chat, and "is this number / this technician genuine?"."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from baoxiu.accounts.permissions import permission_required
from baoxiu.core.errors import DomainError, NotFound, RateLimited
from baoxiu.support import selectors
from baoxiu.support.choices import SenderKind
from baoxiu.support.forms import CallTicketForm, CannedReplyForm
from baoxiu.support.services import (
    call_ticket_attach,
    call_ticket_create,
    canned_reply_create,
    canned_reply_set_active,
    chat_message_post_by_agent,
    chat_message_post_by_customer,
    chat_message_post_for_ticket,
    conversation_assign,
    conversation_close,
    conversation_mark_read,
    conversation_start,
    conversation_ticket_create,
    technician_photo_set,
)
from baoxiu.support.verify import badge_photo, badge_qr_svg, verify_allowed
from baoxiu.tickets.choices import TicketChannel
from baoxiu.tickets.forms import TicketReportForm
from baoxiu.tickets.models import Ticket
from baoxiu.tickets.selectors import ticket_by_tracking

SESSION_CHATS = "support_chats"


def _ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _private(response):
    # Chat URLs carry the customer's token: it must not leave the site in a
    # Referer. ("no-referrer" would also null the Origin of the chat's own form
    # posts, which the CSRF check then refuses.)
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "no-store"
    return response


def _or_404(fetch, *args):
    try:
        return fetch(*args)
    except NotFound as exc:
        raise Http404(exc.message) from exc


# ---- the customer's chat ---------------------------------------------------------


@require_http_methods(["GET", "POST"])
def chat_start(request):
    """Start a chat before there is a ticket (linked from the report page).

    The token goes into the URL and the session, so the same browser finds
    its chat again from the report page.
    """
    tokens = request.session.get(SESSION_CHATS, [])
    if request.method == "GET" and tokens:
        return redirect("support:chat", token=tokens[-1])
    error, status = "", 200
    if request.method == "POST":
        try:
            conversation = conversation_start(
                body=request.POST.get("body", ""), client_ip=_ip(request)
            )
        except DomainError as exc:
            error, status = exc.message, exc.status
        else:
            request.session[SESSION_CHATS] = [*tokens[-4:], conversation.token]
            return redirect("support:chat", token=conversation.token)
    return _private(render(request, "support/chat_start.html", {"error": error}, status=status))


@require_http_methods(["GET", "POST"])
def chat(request, token):
    conversation = _or_404(selectors.conversation_by_token, token)
    error, status = "", 200
    if request.method == "POST":
        try:
            chat_message_post_by_customer(
                conversation=conversation, body=request.POST.get("body", ""), client_ip=_ip(request)
            )
        except DomainError as exc:
            error, status = exc.message, exc.status
    if request.method == "GET":
        conversation_mark_read(conversation=conversation, side=SenderKind.CUSTOMER)
    context = {
        "conversation": conversation,
        "chat_messages": selectors.chat_messages(conversation),
        "post_url": reverse("support:chat", kwargs={"token": token}),
        "poll_url": reverse("support:chat_log", kwargs={"token": token}),
        "error": error,
        "viewer": SenderKind.CUSTOMER,
    }
    if request.htmx:
        return _private(render(request, "support/_chat_box.html", context))
    if error:
        return _private(render(request, "support/chat.html", context, status=status))
    if request.method == "POST":
        return redirect("support:chat", token=token)
    return _private(render(request, "support/chat.html", context))


def chat_log(request, token):
    """The message list alone, polled by htmx."""
    conversation = _or_404(selectors.conversation_by_token, token)
    conversation_mark_read(conversation=conversation, side=SenderKind.CUSTOMER)
    return _private(
        render(
            request,
            "support/_chat_log.html",
            {"chat_messages": selectors.chat_messages(conversation), "viewer": SenderKind.CUSTOMER},
        )
    )


@require_http_methods(["GET", "POST"])
def ticket_chat(request, code, token):
    """The chat box on the tracking page: GET polls the messages, POST sends one."""
    ticket = _or_404(ticket_by_tracking, code, token)
    error = ""
    if request.method == "POST":
        try:
            chat_message_post_for_ticket(
                ticket=ticket, body=request.POST.get("body", ""), client_ip=_ip(request)
            )
        except DomainError as exc:
            error = exc.message
        if not request.htmx:
            if error:
                messages.error(request, error)
            return redirect("portal:track", code=code, token=token)
    context = {
        "ticket": ticket,
        "chat_messages": selectors.messages_for_ticket(ticket),
        "error": error,
        "viewer": SenderKind.CUSTOMER,
    }
    conversation = selectors.conversation_for_ticket(ticket)
    if conversation is not None:
        conversation_mark_read(conversation=conversation, side=SenderKind.CUSTOMER)
    template = "support/_track_chat.html" if request.method == "POST" else "support/_chat_log.html"
    return _private(render(request, template, context))


# ---- the agent's inbox -----------------------------------------------------------


@permission_required("chat.inbox")
def inbox(request):
    mine = request.GET.get("mine") == "1"
    context = {
        "conversations": selectors.support_inbox(user=request.user, mine=mine)[:100],
        "mine": mine,
    }
    template = "support/_inbox_rows.html" if request.htmx else "support/inbox.html"
    return render(request, template, context)


def _conversation_context(request, conversation, *, error=""):
    return {
        "conversation": conversation,
        "chat_messages": selectors.chat_messages(conversation),
        "canned": selectors.canned_replies(),
        "agents": selectors.support_agents(),
        "post_url": reverse("support:conversation", kwargs={"pk": conversation.pk}),
        "poll_url": reverse("support:conversation_log", kwargs={"pk": conversation.pk}),
        "error": error,
        "viewer": SenderKind.AGENT,
    }


@require_http_methods(["GET", "POST"])
@permission_required("chat.reply")
def conversation(request, pk):
    conv = _or_404(selectors.access_conversation, request.user, pk)
    error = ""
    if request.method == "POST":
        canned = selectors.canned_replies().filter(pk=request.POST.get("canned") or 0).first()
        try:
            chat_message_post_by_agent(
                conversation=conv,
                agent=request.user,
                body=request.POST.get("body", ""),
                canned=canned,
            )
        except DomainError as exc:
            error = exc.message
        conv.refresh_from_db()
    conversation_mark_read(conversation=conv, side=SenderKind.AGENT)
    context = _conversation_context(request, conv, error=error)
    if request.htmx:
        return render(request, "support/_chat_box.html", context)
    status = 400 if error else 200
    return render(request, "support/conversation.html", context, status=status)


@permission_required("chat.reply")
def conversation_log(request, pk):
    conv = _or_404(selectors.access_conversation, request.user, pk)
    conversation_mark_read(conversation=conv, side=SenderKind.AGENT)
    return render(
        request,
        "support/_chat_log.html",
        {"chat_messages": selectors.chat_messages(conv), "viewer": SenderKind.AGENT},
    )


@require_POST
@permission_required("chat.assign")
def conversation_assign_view(request, pk):
    conv = _or_404(selectors.access_conversation, request.user, pk)
    raw = request.POST.get("agent", "")
    agent = selectors.support_agents().filter(pk=raw).first() if raw.isdigit() else None
    if raw and agent is None:
        messages.error(request, _("只能分配给客服人员。"))
    else:
        conversation_assign(conversation=conv, agent=agent, actor=request.user)
        messages.success(request, _("已分配。") if agent else _("已退回公共队列。"))
    return redirect("support:conversation", pk=pk)


@require_POST
@permission_required("chat.close")
def conversation_close_view(request, pk):
    conv = _or_404(selectors.access_conversation, request.user, pk)
    conversation_close(conversation=conv, actor=request.user)
    messages.success(request, _("会话已结束。"))
    return redirect("support:inbox")


@require_http_methods(["GET", "POST"])
@permission_required("chat.ticket")
def conversation_ticket(request, pk):
    """Turn the chat into a ticket with the ordinary report form."""
    conv = _or_404(selectors.access_conversation, request.user, pk)
    if conv.ticket_id:
        return redirect("console:ticket_detail", code=conv.ticket.code)
    form = TicketReportForm(request.POST or None)
    form.fields["consent"].label = _("已在会话中告知客户《个人信息保护说明》并获同意")
    if request.method == "POST" and form.is_valid():
        try:
            ticket = conversation_ticket_create(
                conversation=conv,
                request=form.to_request(channel=TicketChannel.WEB),
                agent=request.user,
                idempotency_key=str(form.cleaned_data["submission_id"]),
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已根据会话创建工单 %(code)s。") % {"code": ticket.code})
            return redirect("console:ticket_detail", code=ticket.code)
    status = 400 if request.method == "POST" else 200
    context = {
        "form": form,
        "conversation": conv,
        "chat_messages": selectors.chat_messages(conv),
        "viewer": SenderKind.AGENT,
    }
    return render(request, "support/conversation_ticket.html", context, status=status)


@require_http_methods(["GET", "POST"])
@permission_required("canned.manage")
def canned_list(request):
    form = CannedReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            canned_reply_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("快捷回复已添加。"))
            return redirect("support:canned")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "replies": selectors.canned_replies(include_inactive=True)}
    return render(request, "support/canned.html", context, status=status)


@require_POST
@permission_required("canned.manage")
def canned_toggle(request, pk):
    reply = selectors.canned_replies(include_inactive=True).filter(pk=pk).first()
    if reply is None:
        raise Http404
    canned_reply_set_active(reply=reply, active=not reply.active, actor=request.user)
    return redirect("support:canned")


# ---- calls -----------------------------------------------------------------------


@permission_required("call.answer")
def call_ringing(request):
    """Polled by every desk console page: the pop-up of a call ringing now."""
    call = selectors.ringing_call_for(request.user)
    context = {"call": call, "tickets": selectors.caller_tickets(call) if call else []}
    return render(request, "support/_call_popup.html", context)


@require_http_methods(["GET", "POST"])
@permission_required("call.answer")
def call_screen(request, call_id):
    """The caller's record and history, with "new ticket" and "add to ticket"."""
    call = _or_404(selectors.access_call, request.user, call_id)
    form = CallTicketForm(request.POST or None, caller=call.caller)
    if request.method == "POST" and form.is_valid():
        try:
            ticket = call_ticket_create(
                call=call,
                request=form.to_request(channel=TicketChannel.PHONE),
                agent=request.user,
                idempotency_key=str(form.cleaned_data["submission_id"]),
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已为来电客户创建工单 %(code)s。") % {"code": ticket.code})
            return redirect("console:ticket_detail", code=ticket.code)
    context = {"call": call, "tickets": selectors.caller_tickets(call), "form": form}
    status = 400 if request.method == "POST" else 200
    return render(request, "support/call.html", context, status=status)


@require_POST
@permission_required("call.answer")
def call_attach(request, call_id):
    call = _or_404(selectors.access_call, request.user, call_id)
    ticket = Ticket.objects.filter(code=request.POST.get("ticket", "")[:20]).first()
    try:
        if ticket is None:
            raise NotFound(_("没有这张工单。"))
        call_ticket_attach(call=call, ticket=ticket, agent=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("support:call", call_id=call_id)
    messages.success(request, _("来电已记入工单 %(code)s。") % {"code": ticket.code})
    return redirect("console:ticket_detail", code=ticket.code)


# ---- badges (staff) --------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@permission_required("badge.manage")
def technician_badge(request, pk):
    technician = _or_404(selectors.access_technician_badge, request.user, pk)
    if request.method == "POST":
        try:
            technician_photo_set(
                technician=technician, upload=request.FILES.get("photo"), actor=request.user
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return render(request, "support/badge.html", {"technician": technician}, status=400)
        messages.success(request, _("照片已更新。"))
        return redirect("support:technician_badge", pk=pk)
    return render(request, "support/badge.html", {"technician": technician})


# ---- verify (public) -------------------------------------------------------------


def verify(request):
    """Is this number one of ours? Is this technician one of ours?"""
    phone = request.GET.get("phone", "").strip()[:40]
    badge = request.GET.get("badge", "").strip()[:40]
    if badge and not phone:
        return redirect(reverse("support:verify_badge", kwargs={"code": badge.upper()[:16]}))
    context = {"phone": phone, "checked": False}
    status = 200
    if phone:
        if not verify_allowed(ip=_ip(request)):
            context["error"] = RateLimited(_("查询过于频繁，请稍后再试。")).message
            status = 429
        else:
            try:
                context["channel"] = selectors.official_channel_for_number(phone)
                context["checked"] = True
            except DomainError as exc:
                context["error"] = exc.message
                status = 400
    context["hotlines"] = selectors.official_hotlines()
    return render(request, "support/verify.html", context, status=status)


@require_http_methods(["GET", "POST"])
def verify_badge(request, code):
    # The asker's phone number comes by POST, so it stays out of URLs and logs.
    caller = request.POST.get("caller", "").strip()[:20]
    context = {"code": code, "caller": caller, "hotlines": selectors.official_hotlines()}
    if not verify_allowed(ip=_ip(request)):
        context["error"] = _("查询过于频繁，请稍后再试。")
        return render(request, "support/verify_badge.html", context, status=429)
    try:
        context["check"] = selectors.badge_check(code, caller_phone=caller)
    except DomainError as exc:
        context["error"] = exc.message
        context["check"] = selectors.badge_check(code)
    status = 200 if context["check"] else 404
    return render(request, "support/verify_badge.html", context, status=status)


def verify_badge_qr(request, code):
    technician = selectors.technician_by_badge(code)
    if technician is None:
        raise Http404
    return HttpResponse(badge_qr_svg(technician), content_type="image/svg+xml")


def verify_badge_photo(request, code):
    technician = selectors.technician_by_badge(code)
    photo = badge_photo(technician) if technician else None
    if photo is None:
        raise Http404
    response = HttpResponse(photo, content_type="image/jpeg")
    response["Cache-Control"] = "public, max-age=300"
    return response
