from django import forms

from studio.review.models import NotificationKind
from studio.teams.models import Membership

ADMINS_ONLY = {NotificationKind.APPROVAL_WAITING}


class EmailChoicesForm(forms.Form):
    """Which kinds of notification also go by e-mail, and to which address."""

    email = forms.EmailField(required=False, label="E-mail address",
                             help_text="Where the chosen notifications go.")
    kinds = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple,
                                      label="Also by e-mail")

    def __init__(self, *args, member: Membership, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kinds"].choices = [
            (kind.value, kind.label) for kind in NotificationKind
            if member.can_manage or kind not in ADMINS_ONLY]

    def clean(self) -> dict:
        data = super().clean()
        if data.get("kinds") and not data.get("email"):
            self.add_error("email", "Give an address for the e-mails to go to.")
        return data
