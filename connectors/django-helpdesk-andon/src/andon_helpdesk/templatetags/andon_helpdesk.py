import uuid

from django import template

from ..services import panel_for

register = template.Library()


@register.inclusion_tag("andon_helpdesk/panel.html", takes_context=True)
def andon_panel(context, ticket):
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "p": panel_for(ticket, user),
        "ticket": ticket,
        "key": uuid.uuid4().hex,
        "csrf_token": context.get("csrf_token"),
    }
