"""What every page needs to know about where it is and who is looking."""


def portal(request) -> dict:
    tenant = getattr(request, "tenant", None)
    membership = getattr(request, "membership", None)
    return {
        "tenant": tenant,
        "membership": membership,
        "is_staff_member": bool(membership and membership.is_staff_role),
        "is_partner_user": bool(membership and membership.is_partner),
    }
