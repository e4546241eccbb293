from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Program admin"
    CHANNEL_MANAGER = "channel_manager", "Channel manager"
    PARTNER = "partner", "Partner user"


class PartnerRole(models.TextChoices):
    PARTNER_ADMIN = "partner_admin", "Partner admin"
    PARTNER_MEMBER = "partner_member", "Partner member"


STAFF_ROLES = frozenset({Role.ADMIN, Role.CHANNEL_MANAGER})

# Role sets that views (`allowed_roles`, `method_roles`) and viewsets (`allowed_roles`,
# `write_roles`, `action_roles`) declare. PartnerRole.PARTNER_ADMIN in a set stands for a
# partner user who is its organization's admin (Membership.acts_as).
ALL_ROLES = frozenset(Role.values)
ADMIN_ONLY = frozenset({Role.ADMIN})
PARTNER_ONLY = frozenset({Role.PARTNER})
PARTNER_ADMIN_ONLY = frozenset({PartnerRole.PARTNER_ADMIN})
STAFF_AND_PARTNER_ADMINS = STAFF_ROLES | PARTNER_ADMIN_ONLY
