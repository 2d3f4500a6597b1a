from django import template

from baoxiu.privacy.bindings import contact_number_from, live_numbers_of_technician

register = template.Library()


@register.inclusion_tag("privacy/_contact_number.html", takes_context=True)
def technician_contact(context, ticket):
    """The privacy number a technician calls, or the notice that there is none.

    The technician's live numbers are read once per page, however many jobs it lists.
    """
    cache = context.render_context.setdefault("privacy_numbers", {})
    technician_id = ticket.technician_id
    if technician_id not in cache:
        cache[technician_id] = (
            live_numbers_of_technician(technician_id=technician_id) if technician_id else {}
        )
    return {"contact": contact_number_from(cache[technician_id].get(ticket.pk))}
