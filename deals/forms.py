"""Forms of the deals pages. Querysets are bound in __init__, inside the request's tenant."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from partners.models import PartnerOrganization, PartnerType, Tier
from prm.core.forms import ModelChoiceField, ModelMultipleChoiceField
from prm.core.text import web_domain
from prm.core.widgets import QuickSelect
from prm.tenancy.selectors import staff_users

from . import services
from .choices import (
    ConflictDecision,
    ConflictReasonCode,
    DealPartnerRole,
    RejectionCode,
    StageOwner,
)
from .models import DealSettings, Motion, MotionStage, Product, RoutingRule
from .widgets import PartnerAutocompleteInput


class DateInput(forms.DateInput):
    input_type = "date"


class DealForm(forms.Form):
    """The registration: customer, contact, close date, motion, notes (products apart)."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False)
    customer_name = forms.CharField(label="Customer company", max_length=200)
    customer_domain = forms.CharField(
        label="Customer website or domain", max_length=253, help_text="e.g. example.com"
    )
    country = forms.CharField(max_length=2, min_length=2, help_text="Two-letter code, e.g. US.")
    contact_name = forms.CharField(max_length=200, required=False)
    contact_email = forms.EmailField(required=False)
    contact_phone = forms.CharField(max_length=40, required=False)
    expected_close_date = forms.DateField(widget=DateInput)
    motion = ModelChoiceField(queryset=Motion.objects.none())
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, organization=None, deal=None, **kwargs):
        super().__init__(*args, **kwargs)
        motions = services.motions_available_to(organization=organization)
        if deal is not None:
            motions = Motion.objects.filter(pk__in=[m.pk for m in motions] + [deal.motion_id])
        self.fields["motion"].queryset = motions
        if not self.is_bound and not self.initial.get("idempotency_key"):
            # One key per rendered form: a double click or a re-POST finds the first deal.
            self.initial["idempotency_key"] = uuid.uuid4().hex

    def clean_country(self):
        return self.cleaned_data["country"].upper()

    def clean_customer_domain(self):
        domain = web_domain(self.cleaned_data["customer_domain"])
        if not services.DOMAIN_RE.match(domain or ""):
            raise ValidationError("Enter the customer's website or domain, e.g. example.com.")
        return domain


class DealLineForm(forms.Form):
    product = ModelChoiceField(
        queryset=Product.objects.none(),
        required=False,
        widget=forms.Select(attrs={"aria-label": "Product"}),
    )
    quantity = forms.IntegerField(
        min_value=1,
        initial=1,
        required=False,
        widget=forms.NumberInput(attrs={"aria-label": "Quantity"}),
    )
    amount = forms.DecimalField(
        min_value=Decimal("0"),
        max_digits=14,
        decimal_places=2,
        required=False,
        widget=forms.NumberInput(attrs={"aria-label": "Amount", "step": "0.01"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.filter(is_active=True)

    def clean(self):
        data = super().clean()
        if data.get("product") and (data.get("quantity") is None or data.get("amount") is None):
            raise ValidationError("Give a quantity and an amount for each product.")
        return data


class BaseLineFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        products = [
            f.cleaned_data.get("product") for f in self.forms if f.cleaned_data.get("product")
        ]
        if not products:
            raise ValidationError("Add at least one product.")
        if len(set(products)) != len(products):
            raise ValidationError("Each product can be listed once.")

    def lines(self) -> list[services.LineInput]:
        return [
            services.LineInput(
                product=f.cleaned_data["product"],
                quantity=f.cleaned_data["quantity"],
                amount=f.cleaned_data["amount"],
            )
            for f in self.forms
            if f.cleaned_data.get("product")
        ]


DealLineFormSet = forms.formset_factory(DealLineForm, formset=BaseLineFormSet, extra=3, max_num=20)


class RejectForm(forms.Form):
    code = forms.ChoiceField(
        label="Reason code",
        choices=[(c.value, c.label) for c in RejectionCode if c != RejectionCode.CONFLICT],
        widget=QuickSelect,
    )
    reason = forms.CharField(
        label="Reason for the partner", max_length=1000, widget=forms.TextInput
    )


class InfoRequestForm(forms.Form):
    message = forms.CharField(label="What do you need?", max_length=2000, widget=forms.TextInput)


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Comment", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    is_internal = forms.BooleanField(
        label="Internal note (the partner never sees it)", required=False
    )

    def __init__(self, *args, staff: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not staff:
            del self.fields["is_internal"]


class StageForm(forms.Form):
    stage = ModelChoiceField(
        queryset=MotionStage.objects.none(), label="Move to stage", widget=QuickSelect
    )
    note = forms.CharField(required=False, max_length=500)

    def __init__(self, *args, deal=None, stages: list[MotionStage] | None = None, **kwargs):
        """`stages`: the motion's stages when the page has read them already (the
        options then come from them; the posted stage is still looked up)."""
        super().__init__(*args, **kwargs)
        later = MotionStage.objects.filter(motion_id=deal.motion_id, is_won=False, is_lost=False)
        if deal.stage_id:
            later = later.filter(position__gt=deal.stage.position)
        self.fields["stage"].queryset = later.order_by("position")
        if stages is not None:
            after = deal.stage.position if deal.stage_id else None
            self.fields["stage"].choices = [("", self.fields["stage"].empty_label)] + [
                (stage.pk, str(stage))
                for stage in sorted(stages, key=lambda s: s.position)
                if not (stage.is_won or stage.is_lost) and (after is None or stage.position > after)
            ]


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[("won", "Won"), ("lost", "Lost")], widget=forms.RadioSelect
    )
    closed_on = forms.DateField(widget=DateInput, initial=timezone.localdate, label="Close date")
    final_amount = forms.DecimalField(
        min_value=Decimal("0"),
        max_digits=14,
        decimal_places=2,
        required=False,
        help_text="Required for a won deal.",
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        max_length=2000,
        label="Why reopen it",
        help_text="The partner sees this. Earnings of a won deal are reversed.",
    )


class ExtensionRequestForm(forms.Form):
    days = forms.IntegerField(min_value=1, max_value=365, initial=30)
    reason = forms.CharField(max_length=1000, widget=forms.TextInput)


class ExtensionDecideForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("decline", "Decline")], widget=QuickSelect
    )
    note = forms.CharField(required=False, max_length=1000, help_text="Required to decline.")


class SalesRepForm(forms.Form):
    rep = ModelChoiceField(
        queryset=None, required=False, label="Vendor sales rep", widget=QuickSelect
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rep"].queryset = staff_users()
        self.fields["rep"].label_from_instance = lambda u: u.display_name


class PartnerField(forms.Field):
    """An active partner of the tenant, typed by name (the htmx autocomplete suggests
    names: never a <select> of every partner) or given by id (API-like posts, links).

    Names are unique per tenant whatever their case (partnerorg_name_unique_ci); the
    lookup goes through the scoped manager, so another tenant's partner is "no such".
    """

    widget = PartnerAutocompleteInput

    def __init__(self, *, active_only: bool = True, **kwargs):
        kwargs.setdefault("widget", PartnerAutocompleteInput(active_only=active_only))
        super().__init__(**kwargs)
        self.active_only = active_only

    def prepare_value(self, value):
        if isinstance(value, PartnerOrganization):
            return value.name
        return value

    def to_python(self, value):
        if isinstance(value, PartnerOrganization):
            return value
        text = (value or "").strip()
        if not text:
            return None
        queryset = PartnerOrganization.objects.all()
        if self.active_only:
            queryset = queryset.filter(is_active=True)
        try:
            found = queryset.filter(pk=uuid.UUID(text)).first()
        except ValueError:
            found = queryset.filter(name__iexact=text).first()
        if found is None:
            raise ValidationError(f"No active partner is called “{text[:200]}”.")
        return found


class DealPartnerForm(forms.Form):
    organization = PartnerField(
        required=False,
        widget=PartnerAutocompleteInput(attrs={"aria-label": "Partner"}, active_only=True),
    )
    role = forms.ChoiceField(choices=DealPartnerRole.choices, widget=QuickSelect)
    split_percent = forms.DecimalField(
        min_value=Decimal("0.01"), max_value=Decimal("100"), decimal_places=2, required=False
    )


DealPartnerFormSet = forms.formset_factory(DealPartnerForm, extra=2, max_num=10)


class ConflictResolveForm(forms.Form):
    decision = forms.ChoiceField(choices=ConflictDecision.choices, widget=forms.RadioSelect)
    reason_code = forms.ChoiceField(choices=ConflictReasonCode.choices)
    note = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class LeadForm(forms.Form):
    customer_name = forms.CharField(label="Customer company", max_length=200)
    customer_domain = forms.CharField(max_length=253, required=False)
    country = forms.CharField(max_length=2, min_length=2, help_text="Two-letter code, e.g. US.")
    contact_name = forms.CharField(max_length=200, required=False)
    contact_email = forms.EmailField(required=False)
    product = ModelChoiceField(queryset=Product.objects.none(), required=False)
    motion = ModelChoiceField(queryset=Motion.objects.none())
    estimated_amount = forms.DecimalField(
        min_value=Decimal("0"), max_digits=14, decimal_places=2, initial=0
    )
    expected_close_date = forms.DateField(widget=DateInput, required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.filter(is_active=True)
        self.fields["motion"].queryset = Motion.objects.filter(is_active=True)

    def clean_country(self):
        return self.cleaned_data["country"].upper()


class LeadImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Columns: customer_name, customer_domain, country, contact_name, contact_email, "
        "product_sku, motion_key, estimated_amount.",
    )


class LeadAssignForm(forms.Form):
    organization = ModelChoiceField(queryset=PartnerOrganization.objects.none(), label="Partner")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = PartnerOrganization.objects.filter(is_active=True)


class LeadDeclineForm(forms.Form):
    reason = forms.CharField(max_length=1000, widget=forms.TextInput, label="Why do you decline?")


class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = ("name", "sku", "family", "list_price", "is_active")


class MotionForm(forms.ModelForm):
    partner_types = ModelMultipleChoiceField(
        queryset=PartnerType.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked to let every partner type use this motion.",
    )

    class Meta:
        model = Motion
        fields = ("name", "key", "description", "default_partner_role")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner_types"].queryset = PartnerType.objects.all()
        if self.instance.pk:
            self.initial["partner_types"] = list(
                self.instance.type_links.values_list("partner_type_id", flat=True)
            )


class MotionStageForm(forms.Form):
    name = forms.CharField(max_length=100)
    owner = forms.ChoiceField(choices=StageOwner.choices)
    sla_days = forms.IntegerField(
        min_value=0,
        max_value=365,
        initial=14,
        required=False,
        label="SLA (days)",
        help_text="Days a deal may stay in this stage. Not asked of won and lost stages.",
    )
    is_won = forms.BooleanField(required=False, label="Won stage")
    is_lost = forms.BooleanField(required=False, label="Lost stage")

    def clean(self):
        data = super().clean()
        if data.get("is_won") and data.get("is_lost"):
            raise ValidationError("A stage cannot be both won and lost.")
        if data.get("is_won") or data.get("is_lost"):
            data["sla_days"] = 0  # a deal does not wait in a closing stage
            self.errors.pop("sla_days", None)
        elif data.get("sla_days") is None and "sla_days" not in self.errors:
            self.add_error("sla_days", "Give the stage an SLA in days (0 for none).")
        return data


class RoutingRuleForm(forms.ModelForm):
    countries = forms.CharField(
        required=False,
        help_text="Comma-separated country codes of the region, e.g. US, CA. Empty: anywhere.",
    )

    class Meta:
        model = RoutingRule
        fields = (
            "name",
            "priority",
            "countries",
            "partner_type",
            "min_tier",
            "product",
            "method",
            "is_active",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner_type"].queryset = PartnerType.objects.all()
        self.fields["min_tier"].queryset = Tier.objects.all()
        self.fields["product"].queryset = Product.objects.all()
        if self.instance.pk:
            self.initial["countries"] = ", ".join(self.instance.countries)

    def clean_countries(self):
        raw = self.cleaned_data.get("countries") or ""
        if isinstance(raw, list):
            raw = ",".join(raw)
        codes = [c.strip().upper() for c in raw.replace(";", ",").split(",") if c.strip()]
        bad = [c for c in codes if len(c) != 2 or not c.isalpha()]
        if bad:
            raise ValidationError(f"Not two-letter country codes: {', '.join(bad)}.")
        return sorted(set(codes))


class DealSettingsForm(forms.ModelForm):
    class Meta:
        model = DealSettings
        fields = ("name_similarity_threshold", "lead_acceptance_hours")
