"""The audience fields every targeted form shares (campaigns, announcements, surveys)."""

from __future__ import annotations

from django import forms

from deals.models import Motion
from partners.models import PartnerType, Tier
from prm.core.forms import ModelMultipleChoiceField
from prm.tenancy.choices import PartnerRole


class AudienceFormMixin:
    """Adds partner types, motions and (unless `min_tier_only`) tiers and roles.

    Choices come from the current tenant's rows, so an id of another tenant is "not one
    of the available choices". Empty means "any".
    """

    audience_tiers = True  # False: the form has a minimum tier instead (campaigns)

    def add_audience_fields(self, instance) -> None:
        self.fields["audience_partner_types"] = ModelMultipleChoiceField(
            queryset=PartnerType.objects.filter(is_active=True).order_by("name"),
            required=False,
            label="Partner types",
            help_text="None chosen: every type.",
            widget=forms.CheckboxSelectMultiple,
        )
        self.fields["audience_motions"] = ModelMultipleChoiceField(
            queryset=Motion.objects.filter(is_active=True).order_by("name"),
            required=False,
            label="Motions",
            help_text="Partners that may work in one of these motions. None chosen: any.",
            widget=forms.CheckboxSelectMultiple,
        )
        names = ["audience_partner_types", "audience_motions"]
        if self.audience_tiers:
            self.fields["audience_tiers"] = ModelMultipleChoiceField(
                queryset=Tier.objects.order_by("rank"),
                required=False,
                label="Tiers",
                help_text="None chosen: every tier.",
                widget=forms.CheckboxSelectMultiple,
            )
            self.fields["audience_partner_roles"] = forms.MultipleChoiceField(
                choices=PartnerRole.choices,
                required=False,
                label="Partner roles",
                help_text="None chosen: every partner user.",
                widget=forms.CheckboxSelectMultiple,
            )
            names += ["audience_tiers", "audience_partner_roles"]
        if instance is not None and not self.is_bound:
            for name in names:
                self.initial[name] = list(getattr(instance, name) or [])

    def apply_audience(self, instance) -> None:
        data = self.cleaned_data
        instance.audience_partner_types = [t.pk for t in data["audience_partner_types"]]
        instance.audience_motions = [m.pk for m in data["audience_motions"]]
        if self.audience_tiers:
            instance.audience_tiers = [t.pk for t in data["audience_tiers"]]
            instance.audience_partner_roles = list(data["audience_partner_roles"])
