from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Program admin"
    CHANNEL_MANAGER = "channel_manager", "Channel manager"
    PARTNER = "partner", "Partner user"


class PartnerRole(models.TextChoices):
    PARTNER_ADMIN = "partner_admin", "Partner admin"
    PARTNER_MEMBER = "partner_member", "Partner member"


STAFF_ROLES = frozenset({Role.ADMIN, Role.CHANNEL_MANAGER})
