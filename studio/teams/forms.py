from django import forms

from studio.teams.models import Team


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
        fields = ["api_url", "tier"]

    def save(self, commit: bool = True) -> Team:
        team = super().save(commit=False)
        if self.cleaned_data["clear_api_token"]:
            team.api_token = ""
        elif self.cleaned_data["api_token"]:
            team.api_token = self.cleaned_data["api_token"]
        if commit:
            team.save()
        return team
