"""The HTML base views: roles declared per view (allowed_roles) and per method
(method_roles), checked once in TenantMemberRequiredMixin.dispatch."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django.views import View

from prm.core.views import StaffRequiredMixin, TenantMemberRequiredMixin
from prm.tenancy.choices import ADMIN_ONLY, PARTNER_ADMIN_ONLY, STAFF_ROLES, PartnerRole

pytestmark = pytest.mark.django_db


class ReadByStaffWrittenByAdmins(StaffRequiredMixin, View):
    method_roles = {"POST": ADMIN_ONLY}

    def get(self, request):
        return HttpResponse("read")

    def post(self, request):
        return HttpResponse("written")


class PartnerAdminsPost(TenantMemberRequiredMixin, View):
    method_roles = {"POST": PARTNER_ADMIN_ONLY}

    def get(self, request):
        return HttpResponse("read")

    def post(self, request):
        return HttpResponse("written")


def _call(view, method: str, membership):
    request = getattr(RequestFactory(), method.lower())("/")
    request.tenant = membership.tenant
    request.user = membership.user
    request.membership = membership
    return view.as_view()(request)


def test_method_roles_narrow_one_method_and_leave_the_others_to_allowed_roles(
    admin_membership, cm_membership, partner_admin_membership
):
    assert ReadByStaffWrittenByAdmins().roles_for("post") == ADMIN_ONLY
    assert ReadByStaffWrittenByAdmins().roles_for("GET") == STAFF_ROLES
    # Channel managers read, only admins write.
    assert _call(ReadByStaffWrittenByAdmins, "GET", cm_membership).content == b"read"
    with pytest.raises(PermissionDenied):
        _call(ReadByStaffWrittenByAdmins, "POST", cm_membership)
    assert _call(ReadByStaffWrittenByAdmins, "POST", admin_membership).content == b"written"
    # A partner may not even read a staff page.
    with pytest.raises(PermissionDenied):
        _call(ReadByStaffWrittenByAdmins, "GET", partner_admin_membership)


def test_partner_admin_in_a_role_set_means_the_organizations_admin(
    partner_admin_membership, partner_member_membership, cm_membership
):
    assert partner_admin_membership.partner_role == PartnerRole.PARTNER_ADMIN
    assert _call(PartnerAdminsPost, "POST", partner_admin_membership).content == b"written"
    for someone in (partner_member_membership, cm_membership):
        assert _call(PartnerAdminsPost, "GET", someone).content == b"read"
        with pytest.raises(PermissionDenied):
            _call(PartnerAdminsPost, "POST", someone)


def test_a_page_declaring_admin_posts_refuses_a_channel_manager_over_http(cm_membership):
    from django.urls import reverse

    from tests.conftest import client_for
    from tests.deals.factories import motion_with_stages

    motion = motion_with_stages()
    url = reverse("deals:motion_detail", kwargs={"pk": motion.pk})
    client = client_for(cm_membership)
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "retire"}).status_code == 403
    motion.refresh_from_db()
    assert motion.is_active
