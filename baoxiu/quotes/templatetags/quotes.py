"""Quote cards included in pages other apps own (tracking page, job list, ticket detail)."""

from django import template

from baoxiu.quotes.selectors import quotes_for_ticket

register = template.Library()


@register.inclusion_tag("quotes/_track_quotes.html", takes_context=True)
def track_quotes(context, ticket):
    return {
        "ticket": ticket,
        "quotes": quotes_for_ticket(ticket),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("quotes/_job_quote_panel.html", takes_context=True)
def job_quote_panel(context, ticket, jobs_page=False):
    return {"ticket": ticket, "csrf_token": context.get("csrf_token"), "jobs_page": jobs_page}


@register.inclusion_tag("quotes/_quote_versions.html")
def staff_quotes(ticket):
    return {"ticket": ticket, "quotes": quotes_for_ticket(ticket), "staff": True}


@register.simple_tag
def latest_quote_of(ticket):
    from baoxiu.quotes.services import latest_quote

    return latest_quote(ticket)
