"""Forms of the incentives app. Choices that name rows are always the current tenant's."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError

from deals.models import Motion, Product
from partners.models import PartnerOrganization, PartnerType, Tier
from prm.core.forms import ModelChoiceField, ModelMultipleChoiceField

from . import services
from .choices import ActivityType, PeriodUnit, ProgramKind
from .models import Fund, IncentiveProgram, IncentiveSettings
from .providers import fund_request_links

MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal("0.01")}


class MoneyField(forms.DecimalField):
    """A positive amount with at most two decimals; thousands separators accepted."""

    default_error_messages = {
        "invalid": "Enter an amount such as 1250.00.",
        "min_value": "Enter an amount greater than 0.",
    }

    def __init__(self, **kwargs):
        kwargs = {**MONEY, **kwargs}
        # A text input: "1,500.00" is a fine way to write money, and the server says what
        # is wrong with "12.3.4" instead of the browser silently refusing it.
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        for key in ("min", "max", "step"):
            attrs.pop(key, None)
        return attrs

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace(",", "").strip()
        return super().to_python(value)


class DateInput(forms.DateInput):
    input_type = "date"


class ProgramForm(forms.ModelForm):
    partner_types = ModelMultipleChoiceField(
        queryset=PartnerType.objects.none(), required=False, help_text="None: every type."
    )
    motions = ModelMultipleChoiceField(
        queryset=Motion.objects.none(), required=False, help_text="None: every motion."
    )
    products = ModelMultipleChoiceField(
        queryset=Product.objects.none(), required=False, help_text="None: every product."
    )
    min_tier = ModelChoiceField(queryset=Tier.objects.none(), required=False)
    bands = forms.CharField(
        required=False,
        label="Rebate bands",
        help_text="From amount and rate, one per line or comma-separated: '0: 2, 100000: 4' "
        "pays 2 % up to 100,000 and 4 % above.",
    )

    class Meta:
        model = IncentiveProgram
        fields = (
            "name",
            "kind",
            "description",
            "currency",
            "starts_on",
            "ends_on",
            "period_unit",
            "min_tier",
            "requires_agreement",
            "amount_per_deal",
            "cap_per_period",
            "rate_percent",
            "is_active",
        )
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner_types"].queryset = PartnerType.objects.all()
        self.fields["motions"].queryset = Motion.objects.all()
        self.fields["products"].queryset = Product.objects.all()
        self.fields["min_tier"].queryset = Tier.objects.all()
        program = self.instance
        if program.pk:
            self.initial.update(
                partner_types=program.partner_type_ids,
                motions=program.motion_ids,
                products=program.product_ids,
                bands=", ".join(f"{b.from_amount}: {b.rate_percent}" for b in program.bands.all()),
            )

    def clean_bands(self):
        raw = self.cleaned_data.get("bands", "").replace("\n", ",")
        bands = []
        for part in filter(None, (p.strip() for p in raw.split(","))):
            try:
                start, rate = (Decimal(x.strip().replace(" ", "")) for x in part.split(":"))
            except (ValueError, InvalidOperation):
                raise ValidationError(f"'{part}' is not 'from amount: rate'.") from None
            if start < 0 or rate < 0:
                raise ValidationError("Amounts and rates cannot be negative.")
            bands.append(services.BandInput(start, rate))
        return bands

    def save_program(self) -> IncentiveProgram:
        program = self.save(commit=False)
        program.partner_type_ids = [t.pk for t in self.cleaned_data["partner_types"]]
        program.motion_ids = [m.pk for m in self.cleaned_data["motions"]]
        program.product_ids = [p.pk for p in self.cleaned_data["products"]]
        bands = self.cleaned_data["bands"] if program.kind == ProgramKind.REBATE else None
        return services.program_save(program=program, bands=bands)


class FundForm(forms.ModelForm):
    amount = MoneyField(label="Budget")

    class Meta:
        model = Fund
        fields = ("name", "currency", "amount", "starts_on", "ends_on")
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}


class AllocationForm(forms.Form):
    organization = ModelChoiceField(queryset=PartnerOrganization.objects.none(), label="Partner")
    amount = MoneyField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = PartnerOrganization.objects.filter(is_active=True)


class FundRequestForm(forms.Form):
    title = forms.CharField(max_length=200)
    activity_type = forms.ChoiceField(choices=ActivityType.choices)
    description = forms.CharField(widget=forms.Textarea, max_length=5000)
    starts_on = forms.DateField(widget=DateInput(), label="Activity starts")
    ends_on = forms.DateField(widget=DateInput(), label="Activity ends")
    planned_spend = MoneyField()
    expected_leads = forms.IntegerField(min_value=0, required=False, initial=0)
    expected_pipeline = MoneyField(required=False, min_value=Decimal("0"))

    def __init__(self, *args, membership=None, **kwargs):
        super().__init__(*args, **kwargs)
        # One optional field per registered link (marketing: the campaign it funds). The
        # list offers the partner's own rows; whatever is posted is checked by the submit
        # service (link.resolve), whose refusal lands on this field.
        self.link_names = []
        for link in fund_request_links:
            options = link.options(membership) if membership is not None else []
            self.fields[link.name] = forms.CharField(
                required=False,
                label=link.label,
                help_text=link.help_text,
                widget=forms.Select(choices=[("", "—")] + list(options)),
            )
            self.link_names.append(link.name)

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "The activity cannot end before it starts.")
        return data

    def to_input(self) -> services.RequestInput:
        d = self.cleaned_data
        return services.RequestInput(
            title=d["title"],
            activity_type=d["activity_type"],
            description=d["description"],
            starts_on=d["starts_on"],
            ends_on=d["ends_on"],
            planned_spend=d["planned_spend"],
            expected_leads=d.get("expected_leads") or 0,
            expected_pipeline=d.get("expected_pipeline") or Decimal("0"),
            links={name: d.get(name) or "" for name in self.link_names},
        )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class ClaimForm(forms.Form):
    amount = MoneyField(label="Amount spent")
    leads_generated = forms.IntegerField(min_value=0, required=False, initial=0)
    notes = forms.CharField(widget=forms.Textarea, required=False, max_length=5000)
    proofs = MultipleFileField(
        label="Proof of performance",
        help_text="Invoices, photos, attendee lists: PDF, images, Excel/Word, CSV; "
        f"up to {services.MAX_PROOF_BYTES // 1024 // 1024} MB each.",
    )


class DecisionForm(forms.Form):
    """Approve (in full, or partly with an amount and a reason) or reject with a reason."""

    amount = MoneyField(required=False, help_text="Empty: the full amount.")
    reason = forms.CharField(required=False, max_length=2000)


class RejectForm(forms.Form):
    reason = forms.CharField(max_length=2000)


class GenerateStatementsForm(forms.Form):
    period_unit = forms.ChoiceField(choices=PeriodUnit.choices, initial=PeriodUnit.MONTH)
    day = forms.DateField(widget=DateInput(), label="A day of the period")


class MarkPaidForm(forms.Form):
    payment_reference = forms.CharField(max_length=100, required=False)


class IncentiveSettingsForm(forms.ModelForm):
    class Meta:
        model = IncentiveSettings
        fields = (
            "clawback_days",
            "points_deal_registered",
            "points_deal_won",
            "points_certification",
            "leaderboard_shows_names",
            "admin_approval_above",
            "claim_due_days",
            "claim_reminder_days",
            "request_sla_days",
        )
