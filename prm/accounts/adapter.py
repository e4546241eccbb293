"""django-allauth adapter: sign-up into a tenant happens only through an invitation."""

from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # No open sign-up: people join a tenant by invitation (prm.accounts.invitations)
        # or through an approved partner application.
        return False
