"""Forms of the partner program. Choices that name rows are always the current tenant's."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import models as db_models
from django.utils.text import capfirst

from prm.accounts.models import User
from prm.core.forms import ModelChoiceField
from prm.core.text import web_domain
from prm.core.uploads import validate_logo
from prm.tenancy.selectors import staff_users

from . import models, services
from .choices import BenefitKind, LifecycleStage, OnboardingEvent


def _scoped_formfield(db_field, **kwargs):
    """FK choices start empty and ScopedModelForm fills them per request. Users are
    global, so a user field must offer only this tenant's staff (never Django's default
    of every user); other models offer the current tenant's rows."""
    if isinstance(db_field, db_models.ForeignKey):
        return ModelChoiceField(
            queryset=db_field.remote_field.model._base_manager.none(),
            required=not db_field.blank,
            label=capfirst(db_field.verbose_name),
            help_text=db_field.help_text,
        )
    return db_field.formfield(**kwargs)


class ScopedFieldsMixin:
    def _scope_choices(self) -> None:
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                model = field.queryset.model
                if model is User:
                    field.queryset = staff_users()
                else:
                    field.queryset = model.objects.all()


class ScopedMeta:
    """Base of every model form's Meta here (see _scoped_formfield)."""

    formfield_callback = staticmethod(_scoped_formfield)


class ScopedModelForm(ScopedFieldsMixin, forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._scope_choices()


class PartnerTypeForm(ScopedModelForm):
    class Meta(ScopedMeta):
        model = models.PartnerType
        fields = ("name", "key", "description", "is_active")

    def clean_key(self):
        key = self.cleaned_data["key"]
        if models.PartnerType.objects.filter(key=key).exclude(pk=self.instance.pk).exists():
            raise ValidationError("Another partner type already uses this key.")
        return key


class TierForm(ScopedModelForm):
    class Meta(ScopedMeta):
        model = models.Tier
        fields = (
            "name",
            "rank",
            "color",
            "description",
            "min_won_revenue",
            "min_won_deals",
            "min_approved_registrations",
            "min_certified_people",
            "manual_criterion",
        )
        widgets = {"color": forms.TextInput(attrs={"type": "color"})}

    def _post_clean(self):
        super()._post_clean()
        if not self.errors:
            try:
                services.tier_validate(tier=self.instance)
            except ValidationError as exc:
                self._update_errors(exc)


class BenefitForm(ScopedModelForm):
    class Meta(ScopedMeta):
        model = models.Benefit
        fields = ("name", "key", "kind", "unit", "description", "position")

    def clean_key(self):
        key = self.cleaned_data["key"]
        if models.Benefit.objects.filter(key=key).exclude(pk=self.instance.pk).exists():
            raise ValidationError("Another benefit already uses this key.")
        return key


class TierMatrixForm(forms.Form):
    """One text box per (benefit, tier): the tier's value of the benefit."""

    def __init__(self, *args, tiers, benefits, values, **kwargs):
        super().__init__(*args, **kwargs)
        self.tiers, self.benefits = tiers, benefits
        self.rows = []
        for benefit in benefits:
            row = []
            for tier in tiers:
                name = f"v_{benefit.pk}_{tier.pk}"
                label = f"{benefit.name} at {tier.name}"
                raw = values.get((tier.pk, benefit.pk), "")
                if benefit.kind == BenefitKind.FLAG:
                    # A flag is a checkbox, not a typed yes/no.
                    self.fields[name] = forms.BooleanField(
                        required=False,
                        initial=services.benefit_parse_value(kind=benefit.kind, raw=raw)
                        if raw.strip().lower() in ("yes", "true", "1", "no", "false", "0", "")
                        else False,
                        label=label,
                        widget=forms.CheckboxInput(attrs={"aria-label": label}),
                    )
                else:
                    self.fields[name] = forms.CharField(
                        required=False,
                        max_length=200,
                        initial=raw,
                        label=label,
                        widget=forms.TextInput(attrs={"aria-label": label}),
                    )
                row.append(name)
            self.rows.append((benefit, row))

    def clean(self):
        cleaned = super().clean()
        for benefit in self.benefits:
            for tier in self.tiers:
                name = f"v_{benefit.pk}_{tier.pk}"
                if benefit.kind == BenefitKind.FLAG:
                    cleaned[name] = "yes" if cleaned.get(name) else "no"
                    continue
                raw = (cleaned.get(name) or "").strip()
                if raw:
                    try:
                        services.benefit_parse_value(kind=benefit.kind, raw=raw)
                    except ValueError as exc:
                        self.add_error(name, f"{benefit.name} at {tier.name}: {exc}")
        return cleaned

    def bound_rows(self):
        return [(benefit, [self[name] for name in names]) for benefit, names in self.rows]


class AgreementForm(ScopedModelForm):
    class Meta(ScopedMeta):
        model = models.Agreement
        fields = ("partner_type", "title", "body", "valid_months")


class OnboardingPlanForm(ScopedModelForm):
    class Meta(ScopedMeta):
        model = models.OnboardingPlan
        fields = ("partner_type", "name")

    def clean_partner_type(self):
        partner_type = self.cleaned_data["partner_type"]
        clash = models.OnboardingPlan.objects.filter(partner_type=partner_type).exclude(
            pk=self.instance.pk
        )
        if clash.exists():
            raise ValidationError(f"{partner_type} already has an onboarding plan.")
        return partner_type


class OnboardingTaskForm(ScopedModelForm):
    class Meta(ScopedMeta):
        model = models.OnboardingTask
        fields = ("position", "title", "description", "completion_event", "is_required")

    def __init__(self, *args, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan or self.instance.plan
        self.fields["completion_event"].choices = [("", "Completed by hand")] + list(
            OnboardingEvent.choices
        )

    def clean_position(self):
        position = self.cleaned_data["position"]
        clash = models.OnboardingTask.objects.filter(plan=self.plan, position=position).exclude(
            pk=self.instance.pk
        )
        if clash.exists():
            raise ValidationError("Another task of this plan has that position.")
        return position


class CadenceForm(ScopedModelForm):
    class Meta(ScopedMeta):
        model = models.EngagementCadence
        fields = ("tier", "kind", "interval_days")

    def clean(self):
        cleaned = super().clean()
        tier, kind = cleaned.get("tier"), cleaned.get("kind")
        if tier and kind:
            clash = models.EngagementCadence.objects.filter(tier=tier, kind=kind).exclude(
                pk=self.instance.pk
            )
            if clash.exists():
                raise ValidationError(f"{tier} already has a cadence for this kind of touchpoint.")
        return cleaned


class ProgramSettingsForm(ScopedModelForm):
    class Meta(ScopedMeta):
        model = models.ProgramSettings
        fields = (
            "at_risk_after_days",
            "inactive_after_days",
            "onboarding_stall_days",
            "agreement_expiry_warning_days",
        )

    def clean(self):
        cleaned = super().clean()
        at_risk, inactive = cleaned.get("at_risk_after_days"), cleaned.get("inactive_after_days")
        if at_risk and inactive and inactive <= at_risk:
            self.add_error(
                "inactive_after_days", "A partner becomes inactive only after it is at risk."
            )
        return cleaned


class ProfileForm(ScopedModelForm):
    class Meta(ScopedMeta):
        model = models.PartnerOrganization
        fields = (
            "name",
            "website",
            "country",
            "description",
            "phone",
            "address",
            "logo",
            "listed_in_locator",
        )

    def clean_country(self):
        return (self.cleaned_data.get("country") or "").upper()

    def clean_logo(self):
        # Capped and type-checked by content like the portal's own logo (Pillow alone
        # would take any size and any format it can open).
        logo = self.cleaned_data.get("logo")
        validate_logo(logo)
        return logo

    def clean_name(self):
        name = self.cleaned_data["name"]
        clash = models.PartnerOrganization.objects.filter(name__iexact=name).exclude(
            pk=self.instance.pk
        )
        if clash.exists():
            raise ValidationError("Another partner already uses this name.")
        return name


class PartnerStaffForm(ProfileForm):
    """What staff edit on a partner: its profile, type and channel manager (tier and stage
    change through their own, recorded actions)."""

    class Meta(ProfileForm.Meta):
        fields = (
            "name",
            "website",
            "country",
            "partner_type",
            "channel_manager",
            "description",
            "phone",
            "address",
            "listed_in_locator",
        )


class ApplicationForm(forms.Form):
    """The public application form. `nickname` is a honeypot: people never see it."""

    company_name = forms.CharField(max_length=200, label="Company")
    website = forms.URLField(max_length=200, assume_scheme="https")
    country = forms.CharField(
        max_length=2, min_length=2, help_text="Two-letter country code, e.g. DE."
    )
    partner_type = ModelChoiceField(
        queryset=models.PartnerType._base_manager.none(),
        required=False,
        label="Type of partnership",
        empty_label="Not sure yet",
    )
    contact_name = forms.CharField(max_length=200, label="Your name")
    contact_email = forms.EmailField(label="Your e-mail")
    contact_phone = forms.CharField(max_length=40, required=False, label="Phone (optional)")
    message = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, label="Tell us about you"
    )
    nickname = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner_type"].queryset = models.PartnerType.objects.filter(is_active=True)

    def clean_country(self):
        country = self.cleaned_data["country"].upper()
        if not country.isalpha():
            raise ValidationError("Use a two-letter country code, e.g. DE.")
        return country

    def clean_website(self):
        website = self.cleaned_data["website"]
        reason = services.application_duplicate_reason(domain=web_domain(website))
        if reason:
            raise ValidationError(reason)
        return website

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("nickname"))


class ApplicationApproveForm(ScopedFieldsMixin, forms.Form):
    partner_type = ModelChoiceField(
        queryset=models.PartnerType._base_manager.none(), required=False
    )
    tier = ModelChoiceField(
        queryset=models.Tier._base_manager.none(),
        required=False,
        help_text="Empty: the entry tier.",
    )
    channel_manager = ModelChoiceField(queryset=User.objects.none(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._scope_choices()


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class TierChangeForm(ScopedFieldsMixin, forms.Form):
    tier = ModelChoiceField(queryset=models.Tier._base_manager.none())
    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._scope_choices()


class TransitionForm(forms.Form):
    target = forms.ChoiceField(choices=LifecycleStage.choices, label="Move to")
    reason = forms.CharField(
        max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class TouchpointForm(ScopedModelForm):
    class Meta(ScopedMeta):
        model = models.Touchpoint
        fields = ("kind", "occurred_on", "subject", "notes", "next_steps")
        widgets = {"occurred_on": forms.DateInput(attrs={"type": "date"})}


class BusinessPlanForm(ScopedModelForm):
    class Meta(ScopedMeta):
        model = models.BusinessPlan
        fields = ("period", "starts_on", "ends_on", "status", "summary")
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
        }

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends <= starts:
            self.add_error("ends_on", "The plan must end after it starts.")
        return cleaned


class GoalForm(ScopedModelForm):
    class Meta(ScopedMeta):
        model = models.BusinessPlanGoal
        fields = ("metric", "description", "target", "actual", "weight")


class CommentForm(forms.Form):
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=4000, label="Comment"
    )
