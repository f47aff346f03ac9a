from django.http import HttpRequest

from studio.credits.tasks import refresh_balance_if_stale


def fresh_balance(request: HttpRequest) -> dict:
    """Pages show the team's balance: ask the API again when the figure is stale."""
    membership = getattr(request, "membership", None)
    if membership is not None:
        refresh_balance_if_stale(membership.team)
    return {}
