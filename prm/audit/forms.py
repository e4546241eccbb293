"""The audit log's filters, shared by the page, its CSV export and the API."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from prm.tenancy.models import Membership

from .selectors import audit_object_types


class AuditFilterForm(forms.Form):
    person = forms.CharField(
        required=False,
        max_length=254,
        label="Person",
        help_text="The e-mail address of a member of this portal.",
    )
    object_type = forms.ChoiceField(required=False, label="Object type")
    since = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        required=False, label="Until", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["object_type"].choices = [("", "Any type"), *audit_object_types()]

    def clean_person(self):
        """An e-mail (or a user id) of someone with a membership here → their user id."""
        value = (self.cleaned_data.get("person") or "").strip()
        if not value:
            return None
        members = Membership.objects.select_related("user")
        found = members.filter(user__email__iexact=value).first()
        if found is None:
            try:
                found = members.filter(user_id=value).first()
            except (ValueError, ValidationError):
                found = None
        if found is None:
            raise ValidationError("Nobody with this address is a member of this portal.")
        return str(found.user_id)

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date is before the start date.")
        return data

    def filters(self) -> dict:
        """Keyword arguments of `audit_events` (valid forms only)."""
        data = self.cleaned_data
        return {
            "person_id": data.get("person"),
            "object_type": data.get("object_type") or None,
            "since": data.get("since"),
            "until": data.get("until"),
        }
