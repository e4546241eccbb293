"""Forms of the campaign pages: the kit, an asset, a partner's launch, the public lead form."""

from __future__ import annotations

from django import forms

from deals.models import Motion, Product
from partners.models import Tier

from ..models import Campaign
from .audience import AudienceFormMixin


class DateInput(forms.DateInput):
    input_type = "date"


class CampaignForm(AudienceFormMixin, forms.ModelForm):
    audience_tiers = False

    class Meta:
        model = Campaign
        fields = (
            "name",
            "slug",
            "summary",
            "starts_on",
            "ends_on",
            "audience_min_tier",
            "lead_motion",
            "product",
            "email_subject",
            "email_body",
            "social_copy",
            "headline",
            "body_markdown",
            "allow_custom_headline",
            "allow_custom_intro",
        )
        widgets = {
            "starts_on": DateInput,
            "ends_on": DateInput,
            "summary": forms.Textarea(attrs={"rows": 2}),
            "email_body": forms.Textarea(attrs={"rows": 6}),
            "social_copy": forms.Textarea(attrs={"rows": 3}),
            "body_markdown": forms.Textarea(attrs={"rows": 8}),
        }
        help_texts = {
            "email_body": "Placeholders: {partner_name}, {partner_logo}, {partner_website}, "
            "{contact_name}, {contact_email}, {contact_phone}, {landing_page}.",
            "social_copy": "The same placeholders work here.",
            "body_markdown": "Markdown: **bold**, *italic*, lists, links. HTML is not kept.",
            "slug": "Letters, digits and hyphens; left empty, made from the name.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["audience_min_tier"].queryset = Tier.objects.order_by("rank")
        self.fields["audience_min_tier"].empty_label = "Any tier"
        self.fields["lead_motion"].queryset = Motion.objects.filter(is_active=True)
        self.fields["product"].queryset = Product.objects.filter(is_active=True)
        self.add_audience_fields(self.instance if self.instance.pk else None)

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "The campaign must end on or after its start.")
        return data


class CampaignAssetForm(forms.Form):
    title = forms.CharField(max_length=200)
    file = forms.FileField(help_text="PDF, Office documents, images or MP4 video; up to 8 MB.")


class LaunchForm(forms.Form):
    """What a partner may personalise; fields the campaign keeps are left out."""

    headline = forms.CharField(max_length=200, required=False, label="Your headline")
    intro = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Your introduction",
        help_text="A few words from you above the vendor's text (plain text).",
    )
    contact_name = forms.CharField(max_length=200, label="Contact name")
    contact_email = forms.EmailField(label="Contact e-mail")
    contact_phone = forms.CharField(max_length=40, required=False, label="Contact phone")

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        if not campaign.allow_custom_headline:
            del self.fields["headline"]
        if not campaign.allow_custom_intro:
            del self.fields["intro"]


class LaunchUpdateForm(LaunchForm):
    is_active = forms.BooleanField(
        required=False, label="The page takes visitors (untick to pause it)"
    )


class LandingLeadForm(forms.Form):
    """The public form. `nickname` is a honeypot: people never see it, bots fill it in."""

    name = forms.CharField(max_length=200, label="Your name")
    email = forms.EmailField(
        label="Work e-mail",
        error_messages={"invalid": "Enter an e-mail address like name@company.com."},
    )
    company = forms.CharField(max_length=200, label="Company")
    country = forms.CharField(
        max_length=2, min_length=2, label="Country", help_text="Two-letter code, e.g. US or DE."
    )
    phone = forms.CharField(max_length=40, required=False, label="Phone (optional)")
    message = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label="How can we help?"
    )
    consent = forms.BooleanField(
        error_messages={"required": "Tick the box to agree to be contacted."}
    )
    nickname = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, consent_label: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = consent_label

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("nickname"))

    def clean_country(self):
        country = self.cleaned_data["country"].strip().upper()
        if not country.isalpha():
            raise forms.ValidationError("Use a two-letter country code, e.g. US.")
        return country
