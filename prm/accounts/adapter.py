"""django-allauth adapter: sign-up into a tenant happens only through an invitation."""

from allauth.account.adapter import DefaultAccountAdapter

from prm.core.clientip import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # No open sign-up: people join a tenant by invitation (prm.accounts.invitations)
        # or through an approved partner application.
        return False

    def get_client_ip(self, request) -> str:
        # allauth's sign-in and reset limits key on this: the portal's trusted-proxy
        # setting decides how far X-Forwarded-For is believed (prm/core/clientip.py).
        return client_ip(request)
