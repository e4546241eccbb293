from django import forms
from django.core.exceptions import ValidationError

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
        }
        help_texts = {
            "default_deal_protection_days": "Used when a partner's tier sets no protection period.",
            "deal_review_sla_days": "Registrations waiting longer are escalated.",
        }

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
