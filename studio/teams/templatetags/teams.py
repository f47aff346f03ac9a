from django import template

register = template.Library()


@register.filter
def may_change(membership, work) -> bool:
    """`{% if membership|may_change:generation %}`: Membership.may_change for templates."""
    return membership is not None and membership.may_change(work)
