"""No work before the customer approved the quote, and none on a changed one;
a reopened ticket needs a new approval."""

from django.utils.translation import gettext as _

from baoxiu.core.errors import IllegalTransition
from baoxiu.quotes.choices import QuoteStatus
from baoxiu.tickets.choices import EventType
from baoxiu.tickets.transitions import transition_follower, transition_guard


@transition_guard("start_work", "complete")
def approved_quote_required(*, ticket, actor, note):
    from baoxiu.quotes.services import latest_quote

    quote = latest_quote(ticket)
    if quote is None:
        raise IllegalTransition(_("请先报价，并经客户同意后再开始维修。"), code="quote_required")
    if quote.status == QuoteStatus.REOPENED:
        raise IllegalTransition(
            _("工单已重开，原报价（第%(n)d版）不再有效，请重新报价并经客户同意。")
            % {"n": quote.number},
            code="quote_not_approved",
        )
    if not quote.is_approved:
        raise IllegalTransition(
            _("报价（第%(n)d版）尚未经客户同意，不能继续维修。") % {"n": quote.number},
            code="quote_not_approved",
        )


@transition_follower
def void_quote_on_reopen(*, ticket, event):
    """Reopening supersedes the approval: work starts again only on a new one."""
    if event.type != EventType.REOPENED:
        return
    from baoxiu.quotes.services import quotes_void_on_reopen

    quotes_void_on_reopen(ticket=ticket, actor=event.actor)
