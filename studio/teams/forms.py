from django import forms
from django.db.models import QuerySet

from studio.lib import safe_http
from studio.teams.invitations import DEFAULT_EXPIRY_DAYS, EXPIRY_CHOICES
from studio.teams.models import AuditEvent, Membership, Role, Team, UrlSource

# Ownership moves only by transfer, so no form grants it.
GRANTABLE_ROLES = [(role.value, role.label) for role in (Role.VIEWER, Role.MEMBER, Role.ADMIN)]


class TeamSettingsForm(forms.ModelForm):
    api_token = forms.CharField(
        label="API token",
        required=False,
        strip=True,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Leave empty to keep the current token.",
    )
    clear_api_token = forms.BooleanField(label="Remove the stored token", required=False)

    class Meta:
        model = Team
        fields = ["api_url", "tier", "monthly_budget", "approval_above", "viewers_may_review",
                  "members_may_approve"]

    def clean_api_url(self) -> str:
        url = self.cleaned_data["api_url"]
        if url and "api_url" in self.changed_data:
            safe_http.check_url(url)
        return url

    def clean(self) -> dict:
        cleaned = super().clean()
        # The stored token was entered for the old address: it never follows the URL.
        if ("api_url" in self.changed_data and not self.has_error("api_url")
                and self.instance.api_token and not cleaned.get("api_token")
                and not cleaned.get("clear_api_token")):
            self.add_error("api_token", "The API URL changed: enter the token for the new "
                                        "address, or tick “Remove the stored token”. The "
                                        "stored token is never sent to a new address.")
        return cleaned

    def save(self, commit: bool = True) -> Team:
        team = super().save(commit=False)
        if "api_url" in self.changed_data:
            team.api_url_source = UrlSource.MEMBER
        if self.cleaned_data["clear_api_token"]:
            team.api_token = ""
        elif self.cleaned_data["api_token"]:
            team.api_token = self.cleaned_data["api_token"]
        if commit:
            team.save()
        return team

    def audit_lines(self) -> list[tuple[str, str]]:
        """(action, sentence) for each change, never quoting the token."""
        lines = []
        if self.cleaned_data["clear_api_token"]:
            lines.append((AuditEvent.Action.API_TOKEN_CHANGED, "Removed the API token"))
        elif self.cleaned_data["api_token"]:
            lines.append((AuditEvent.Action.API_TOKEN_CHANGED,
                          f"Set a new API token ending in {self.cleaned_data['api_token'][-4:]}"
                          if len(self.cleaned_data["api_token"]) >= 12
                          else "Set a new API token"))
        if "api_url" in self.changed_data:
            old = self.initial.get("api_url") or "the default"
            url = self.cleaned_data["api_url"] or "the default"
            lines.append((AuditEvent.Action.API_URL_CHANGED,
                          f"Changed the API URL from {old} to {url}"))
        if "tier" in self.changed_data:
            lines.append((AuditEvent.Action.TIER_CHANGED,
                          f"Changed the API tier to {self.cleaned_data['tier']}"))
        if "monthly_budget" in self.changed_data:
            budget = self.cleaned_data["monthly_budget"]
            lines.append((AuditEvent.Action.BUDGET_CHANGED,
                          f"Set the team's monthly budget to {budget:,} credits" if budget
                          else "Removed the team's monthly budget"))
        if "viewers_may_review" in self.changed_data:
            lines.append((AuditEvent.Action.FEEDBACK_CHANGED,
                          "Let viewers rate and comment"
                          if self.cleaned_data["viewers_may_review"]
                          else "Stopped viewers from rating and commenting"))
        if "members_may_approve" in self.changed_data:
            lines.append((AuditEvent.Action.APPROVAL_RULE_CHANGED,
                          "Let members approve items"
                          if self.cleaned_data["members_may_approve"]
                          else "Let only admins approve items"))
        return lines


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=GRANTABLE_ROLES)


class MemberCapForm(forms.Form):
    monthly_cap = Membership._meta.get_field("monthly_cap").formfield(
        label="Monthly cap", max_value=2_147_483_647)


class InvitationForm(forms.Form):
    role = forms.ChoiceField(choices=GRANTABLE_ROLES, initial=Role.MEMBER,
                             help_text="Ownership can only be transferred, not invited.")
    days = forms.TypedChoiceField(label="Expires after", choices=EXPIRY_CHOICES,
                                  coerce=int, initial=DEFAULT_EXPIRY_DAYS)


class MembershipChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        return f"{obj.user.username} ({obj.get_role_display().lower()})"


class TransferOwnershipForm(forms.Form):
    new_owner = MembershipChoiceField(
        queryset=Membership.objects.none(), label="New owner",
        help_text="They become the owner; you stay on as an admin.")

    def __init__(self, *args, actor: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_owner"].queryset = (
            actor.team.memberships.exclude(pk=actor.pk).select_related("user", "team")
            .order_by("user__username"))


class DeleteTeamForm(forms.Form):
    name = forms.CharField(label="Team name", max_length=100,
                           widget=forms.TextInput(attrs={"autocomplete": "off"}))

    def __init__(self, *args, team: Team, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team
        self.fields["name"].help_text = f"Type {team.name} to confirm."

    def clean_name(self) -> str:
        if self.cleaned_data["name"] != self.team.name:
            raise forms.ValidationError(
                f"That is not the team's name. Type {self.team.name} exactly to delete it.")
        if self.team.generations.filter(status__in=("queued", "running")).exists():
            raise forms.ValidationError(
                "Some of the team's work is still queued or running at the API. Cancel "
                "the queued jobs and wait for the running ones, then delete the team.")
        return self.cleaned_data["name"]


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(choices=[("", "All actions"), *AuditEvent.Action.choices],
                               required=False)
    member = forms.ChoiceField(required=False)

    def __init__(self, *args, events: QuerySet[AuditEvent], **kwargs):
        super().__init__(*args, **kwargs)
        # Names as recorded, so people who have left the team can still be picked.
        names = events.order_by("actor_name").values_list("actor_name", flat=True).distinct()
        self.fields["member"].choices = [("", "Everyone"), *((n, n) for n in names)]

    def filter(self, events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        """The events matching every valid filter; an invalid one is shown, not applied."""
        self.is_valid()
        chosen = getattr(self, "cleaned_data", {})
        if chosen.get("action"):
            events = events.filter(action=chosen["action"])
        if chosen.get("member"):
            events = events.filter(actor_name=chosen["member"])
        return events
