import pytest
from django.db import connection

from prm.audit.history import history_for
from prm.tenancy.context import tenant_context
from prm.tenancy.models import Membership
from tests.conftest import client_for
from tests.factories import MembershipFactory


@pytest.mark.django_db
def test_changes_are_recorded_with_the_tenant_behind_row_level_security(tenant, other_tenant):
    with tenant_context(tenant):
        member = MembershipFactory(role="channel_manager")
        Membership.objects.filter(pk=member.pk).update(is_active=False)  # a bulk update
        events = history_for(member)
        assert [e.pgh_label for e in events] == ["update", "insert"]
        assert events[0].is_active is False
    with tenant_context(other_tenant), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM tenancy_membershipevent")
        assert cursor.fetchone()[0] == 0


@pytest.mark.django_db
def test_a_change_through_a_request_records_who_made_it(admin_membership):
    with tenant_context(admin_membership.tenant):
        target = MembershipFactory(role="channel_manager")
    response = client_for(admin_membership).post(f"/people/{target.pk}/access/", {"active": "0"})
    assert response.status_code == 302
    with tenant_context(admin_membership.tenant):
        latest = history_for(target)[0]
    assert latest.is_active is False
    assert latest.changed_by == str(admin_membership.user.pk)
    assert latest.pgh_context["url"] == f"/people/{target.pk}/access/"
