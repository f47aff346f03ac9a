from django import forms

from studio.teams.models import AuditEvent, Team


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
        fields = ["api_url", "tier", "monthly_budget"]

    def save(self, commit: bool = True) -> Team:
        team = super().save(commit=False)
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
            url = self.cleaned_data["api_url"] or "the default"
            lines.append((AuditEvent.Action.API_URL_CHANGED, f"Changed the API URL to {url}"))
        if "tier" in self.changed_data:
            lines.append((AuditEvent.Action.TIER_CHANGED,
                          f"Changed the API tier to {self.cleaned_data['tier']}"))
        if "monthly_budget" in self.changed_data:
            budget = self.cleaned_data["monthly_budget"]
            lines.append((AuditEvent.Action.BUDGET_CHANGED,
                          f"Set the team's monthly budget to {budget} credits" if budget
                          else "Removed the team's monthly budget"))
        return lines
