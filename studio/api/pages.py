"""The browser's side of the API: a member's tokens (made, shown once, revoked; an
admin sees and revokes every token of the team and makes service tokens), and the
team's webhooks with their deliveries."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from studio.api import tokens, webhooks
from studio.api.models import ApiToken, Scope, WebhookEndpoint
from studio.lib import safe_http
from studio.teams.models import Role
from studio.teams.scoping import current_membership, get_for_team_or_404

EVENTS = [("generation.succeeded", "A generation succeeded"),
          ("generation.failed", "A generation failed"),
          ("set.finished", "Every item of a set finished"),
          ("credits.low", "The team's credits ran low"),
          ("note.created", "Someone left a note (a comment) on an item"),
          ("review.changed", "An item's review status changed")]


class TokenForm(forms.Form):
    name = forms.CharField(max_length=60, help_text="What uses it: “nightly render script”.")
    scopes = forms.MultipleChoiceField(choices=Scope.choices, initial=[Scope.READ],
                                       widget=forms.CheckboxSelectMultiple)
    monthly_cap = forms.IntegerField(required=False, min_value=1, label="Monthly credit cap",
                                     help_text="Optional; under your own cap.")
    service = forms.BooleanField(required=False, label="A service token of the team",
                                 help_text="For a bot: it belongs to the team, not to you.")

    def __init__(self, *args, admin: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not admin:
            del self.fields["service"]
            self.fields["scopes"].choices = [c for c in Scope.choices if c[0] != Scope.ADMIN]


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    form = TokenForm(request.POST or None, admin=membership.can_manage)
    shown_once = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data.get("service"):
            made = tokens.create_service(membership.team, name=data["name"],
                                         scopes=data["scopes"], created_by=request.user,
                                         monthly_cap=data["monthly_cap"])
        else:
            if not membership.can_generate and Scope.GENERATE in data["scopes"]:
                form.add_error("scopes", "A viewer's token can read, not generate.")
                return page(request, membership, form, None)
            made = tokens.create(membership.team, request.user, name=data["name"],
                                 scopes=data["scopes"], monthly_cap=data["monthly_cap"])
        shown_once = made.secret
        form = TokenForm(admin=membership.can_manage)
    return page(request, membership, form, shown_once,
                status=400 if form.errors else 200)


def page(request, membership, form, shown_once, status: int = 200) -> HttpResponse:
    listed = ApiToken.objects.for_team(membership.team).select_related("user")
    if not membership.can_manage:
        listed = listed.filter(user=request.user, service=False)
    return render(request, "api/tokens.html", {
        "form": form, "tokens": listed, "shown_once": shown_once}, status=status)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    membership = current_membership(request)
    token = get_for_team_or_404(request, ApiToken.objects.all(), pk=pk)
    if token.user_id != request.user.pk and not membership.can_manage:
        raise PermissionDenied("Only its owner or an admin can revoke a token.")
    tokens.revoke(token, request.user)
    messages.success(request, f"Token “{token.name}” revoked: it no longer works.")
    return redirect("api_tokens")


class WebhookForm(forms.Form):
    url = forms.URLField(max_length=500, label="URL",
                         help_text="It must be reachable on the public internet.")
    events = forms.MultipleChoiceField(choices=EVENTS, widget=forms.CheckboxSelectMultiple,
                                       initial=["generation.succeeded", "generation.failed"])

    def clean_url(self) -> str:
        safe_http.check_url(self.cleaned_data["url"])
        return self.cleaned_data["url"]


@login_required
@require_http_methods(["GET", "POST"])
def webhook_list(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request, Role.ADMIN)
    form = WebhookForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        endpoint = WebhookEndpoint.objects.create(
            team=membership.team, url=form.cleaned_data["url"],
            events=form.cleaned_data["events"], secret=webhooks.new_secret())
        secret = endpoint.secret
        form = WebhookForm()
    endpoints = WebhookEndpoint.objects.for_team(membership.team).filter(
        generation_set=None).prefetch_related("deliveries")
    return render(request, "api/webhooks.html", {"form": form, "endpoints": endpoints,
                                                 "secret": secret},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def webhook_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    current_membership(request, Role.ADMIN)
    endpoint = get_for_team_or_404(request, WebhookEndpoint.objects.filter(
        generation_set=None), pk=pk)
    if action == "test":
        webhooks.test(endpoint)
        messages.success(request, f"A test delivery is on its way to {endpoint.url}.")
    elif action == "toggle":
        endpoint.disabled = not endpoint.disabled
        endpoint.save(update_fields=["disabled"])
        messages.success(request, f"{endpoint.url} is {'off' if endpoint.disabled else 'on'}.")
    elif action == "delete":
        endpoint.delete()
        messages.success(request, f"{endpoint.url} removed.")
    return redirect("api_webhooks")
