from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator

from prm.core.uploads import validate_logo
from prm.tenancy.models import Tenant


class TenantSettingsForm(forms.ModelForm):
    """What a program admin may change about the portal (never the slug: it is the host)."""

    class Meta:
        model = Tenant
        fields = (
            "name",
            "logo",
            "primary_color",
            "currency",
            "locale",
            "time_zone",
            "default_deal_protection_days",
            "deal_review_sla_days",
            "require_staff_mfa",
        )
        widgets = {"primary_color": forms.TextInput(attrs={"type": "color"})}
        labels = {
            "primary_color": "Brand colour",
            "deal_review_sla_days": "Deal review SLA (days)",
            "default_deal_protection_days": "Default deal protection (days)",
            "require_staff_mfa": "Require two-factor sign-in for staff",
            "locale": "Number and money format",
        }
        help_texts = {
            "default_deal_protection_days": "Used when a partner's tier sets no protection period.",
            "deal_review_sla_days": "Registrations waiting longer are escalated.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["locale"].required = False  # left out: keep the current one

    def clean_locale(self):
        return self.cleaned_data.get("locale") or self.instance.locale or "en_US"

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        validate_logo(logo)
        return logo


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its fields where they exist,
    above the form otherwise, so a rule enforced in a service reads like a form error."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class ListedChoiceIterator(ModelChoiceIterator):
    """A model select's options read with one plain query.

    Django reads them through `QuerySet.iterator()`, which on PostgreSQL is a server-side
    cursor: DECLARE, FETCH and CLOSE, three round trips where one will do. The cursor
    keeps memory flat for huge tables, but a select never offers one (CONTRIBUTING.md:
    an unbounded table gets an autocomplete, not a `<select>`). The rows stay on the
    field's queryset, so a select rendered twice reads them once.
    """

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class ModelChoiceField(forms.ModelChoiceField):
    """The project's model select: options in one query (`ListedChoiceIterator`)."""

    iterator = ListedChoiceIterator


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """The project's model multi-select: options in one query (`ListedChoiceIterator`)."""

    iterator = ListedChoiceIterator
