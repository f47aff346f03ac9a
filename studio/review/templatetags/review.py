"""The review side of an item, for templates that show one (the viewer, the details
page): they include it without their own views knowing review."""

from django import template

from studio.review.review_views import panel_context

register = template.Library()


@register.inclusion_tag("review/_panel.html", takes_context=True)
def review_panel(context, generation) -> dict:
    membership = context.get("membership")
    if membership is None:
        return {}
    return {**panel_context(membership, generation), "membership": membership,
            "csrf_token": context.get("csrf_token")}
