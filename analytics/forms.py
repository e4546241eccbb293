"""Forms of the analytics pages."""

from __future__ import annotations

from django import forms

from partners.models import PartnerType, Tier
from prm.core.forms import ModelChoiceField
from prm.core.widgets import QuickSelect
from prm.tenancy.selectors import staff_users

from .choices import HealthComponent
from .models import AnalyticsSettings


class DashboardFilterForm(forms.Form):
    """Period, partner type, tier and channel manager of the console dashboard.

    QuickSelect: the same markup without a template per option (the four selects were
    a sixth of the dashboard's time)."""

    period = forms.ChoiceField(
        choices=[("3", "3 months"), ("6", "6 months"), ("12", "12 months")],
        required=False,
        initial="12",
        widget=QuickSelect,
    )
    partner_type = ModelChoiceField(
        queryset=PartnerType.objects.none(), required=False, label="Type", widget=QuickSelect
    )
    tier = ModelChoiceField(queryset=Tier.objects.none(), required=False, widget=QuickSelect)
    channel_manager = ModelChoiceField(queryset=staff_users(), required=False, widget=QuickSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Querysets of the current tenant, built when the form is (a tenant is current).
        self.fields["partner_type"].queryset = PartnerType.objects.all()
        self.fields["tier"].queryset = Tier.objects.order_by("rank")
        self.fields["channel_manager"].queryset = staff_users()


class AnalyticsSettingsForm(forms.ModelForm):
    """Health weights (one field per component) and the churn and tier knobs."""

    class Meta:
        model = AnalyticsSettings
        fields = (
            "churn_threshold",
            "churn_drop_points",
            "auto_upgrade",
            "downgrade_grace_days",
            "show_rank_to_partners",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        weights = self.instance.health_weights or {}
        for key, label in HealthComponent.choices:
            self.fields[f"weight_{key}"] = forms.IntegerField(
                label=f"Weight: {label}",
                min_value=0,
                max_value=100,
                initial=weights.get(key, 0),
            )

    def weights(self) -> dict[str, int]:
        return {key: self.cleaned_data.get(f"weight_{key}") for key in HealthComponent.values}


class TierRequirementsForm(forms.ModelForm):
    class Meta:
        model = Tier
        fields = Tier.REQUIREMENT_FIELDS


class DecisionForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
