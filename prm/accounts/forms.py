from __future__ import annotations

from allauth.account.forms import ResetPasswordForm
from django import forms

from partners.models import PartnerOrganization
from prm.accounts.backends import can_sign_in_here
from prm.core.forms import ModelChoiceField
from prm.tenancy.choices import PartnerRole, Role


class InvitationForm(forms.Form):
    """Invite someone. Staff choose role and organization; a partner admin invites
    colleagues into its own organization only (the fields it may not set are removed)."""

    email = forms.EmailField(label="E-mail address")
    full_name = forms.CharField(label="Name", max_length=200, required=False)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.PARTNER)
    partner_organization = ModelChoiceField(
        # Narrowed per request in __init__ to what the inviting member may see.
        queryset=PartnerOrganization.objects.none(),
        required=False,
        label="Partner organization",
        help_text="For partner users only.",
    )
    partner_role = forms.ChoiceField(
        choices=PartnerRole.choices, initial=PartnerRole.PARTNER_MEMBER, required=False
    )

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.membership = membership
        if membership.is_partner:
            del self.fields["role"]
            del self.fields["partner_organization"]
        else:
            # Resolved through the scoped queryset: an id of another tenant is "not a choice".
            self.fields["partner_organization"].queryset = PartnerOrganization.objects.visible_to(
                membership
            ).filter(is_active=True)
            if membership.role == Role.CHANNEL_MANAGER:
                self.fields["role"].choices = [(Role.PARTNER, Role.PARTNER.label)]

    def clean(self):
        data = super().clean()
        if self.membership.is_partner:
            data["role"] = Role.PARTNER
            data["partner_organization"] = self.membership.partner_organization
        elif data.get("role") == Role.PARTNER and not data.get("partner_organization"):
            self.add_error("partner_organization", "Choose the organization this person joins.")
        return data


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(label="Your name", max_length=200, required=False)
    password1 = forms.CharField(
        label="Choose a password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters, not only digits, not a common password.",
    )
    password2 = forms.CharField(
        label="Repeat the password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "The two passwords differ.")
        return data


class ExistingAccountForm(forms.Form):
    password1 = forms.CharField(
        label="Your password",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="You already have an account with this address: confirm it is you.",
    )


class TenantResetPasswordForm(ResetPasswordForm):
    """Password reset that only ever mails people who may sign in on this host.

    allauth finds users by address across the whole installation; a reset asked on a
    tenant's host must not mail a link branded for a portal the person has no
    membership in. Everyone gets the same answer on the page (no enumeration), and
    ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS is off, so nobody else gets any mail.
    """

    def clean_email(self) -> str:
        email = super().clean_email()
        self.users = [user for user in self.users if can_sign_in_here(user)]
        return email
