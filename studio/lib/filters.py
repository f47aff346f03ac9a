"""What the gallery's and the ledger's filter forms share: a team member choice and
a date range that covers whole days."""

from datetime import date, datetime, time, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone


class TeamFilterForm(forms.Form):
    member = forms.ModelChoiceField(required=False, queryset=get_user_model().objects.none())
    date_from = forms.DateField(required=False, label="From",
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To",
                              widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data, *, team):
        super().__init__(data)
        self.fields["member"].queryset = get_user_model().objects.filter(
            pk__in=team.memberships.values("user_id")).order_by("username")

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return cleaned

    def apply_dates(self, rows: QuerySet, field: str = "created_at") -> QuerySet:
        if self.cleaned_data["date_from"]:
            rows = rows.filter(**{f"{field}__gte": day_start(self.cleaned_data["date_from"])})
        # The last day a date can name has no next day to stop before, nor need of one.
        if self.cleaned_data["date_to"] and self.cleaned_data["date_to"] < date.max:
            end = day_start(self.cleaned_data["date_to"]) + timedelta(days=1)
            rows = rows.filter(**{f"{field}__lt": end})
        return rows


def day_start(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
