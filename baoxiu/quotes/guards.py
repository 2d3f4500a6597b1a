"""No work before the customer approved the quote, and none on a changed one."""

from django.utils.translation import gettext as _

from baoxiu.core.errors import IllegalTransition
from baoxiu.tickets.transitions import transition_guard


@transition_guard("start_work", "complete")
def approved_quote_required(*, ticket, actor, note):
    from baoxiu.quotes.services import latest_quote

    quote = latest_quote(ticket)
    if quote is None:
        raise IllegalTransition(_("请先报价，并经客户同意后再开始维修。"), code="quote_required")
    if not quote.is_approved:
        raise IllegalTransition(
            _("报价（第%(n)d版）尚未经客户同意，不能继续维修。") % {"n": quote.number},
            code="quote_not_approved",
        )
