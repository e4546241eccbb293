"""Invitations and people pages."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client, TestCase
from django.utils import timezone

from prm.accounts import services
from prm.accounts.models import Invitation, User
from prm.tenancy.context import tenant_context
from prm.tenancy.models import Membership
from tests.conftest import client_for
from tests.factories import MembershipFactory, PartnerOrganizationFactory

LINK = re.compile(r"https?://[^/\s]+(/invitation/[^/\s]+/)")


def _invite(tenant, **kwargs):
    # The e-mail leaves when the transaction commits.
    with tenant_context(tenant), TestCase.captureOnCommitCallbacks(execute=True):
        invitation = services.invitation_create(**kwargs)
    path = LINK.search(mail.outbox[-1].body).group(1)
    return invitation, path


@pytest.mark.django_db(transaction=True)
def test_an_invited_partner_sets_a_password_joins_and_the_link_is_spent(
    partner_admin_membership,
):
    tenant = partner_admin_membership.tenant
    invitation, path = _invite(
        tenant,
        email="New.Colleague@Example.test",
        role="partner",
        partner_organization=partner_admin_membership.partner_organization,
        acting_membership=partner_admin_membership,
    )
    assert invitation.token_hash not in mail.outbox[-1].body  # only the hash is stored
    client = Client(HTTP_HOST=tenant.host)
    assert b"Join Acme" in client.get(path).content
    response = client.post(
        path,
        {
            "full_name": "New Colleague",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )
    assert response.status_code == 302
    with tenant_context(tenant):
        joined = Membership.objects.get(user__email="new.colleague@example.test")
        assert joined.partner_organization == partner_admin_membership.partner_organization
        assert joined.partner_role == "partner_member"
    # The link works once.
    again = Client(HTTP_HOST=tenant.host).get(path)
    assert again.status_code == 400
    assert b"already been used" in again.content


@pytest.mark.django_db
def test_bad_expired_and_foreign_tokens_get_a_clear_message(tenant, other_tenant, admin_membership):
    client = Client(HTTP_HOST=tenant.host)
    bad = client.get("/invitation/not-a-real-token/")
    assert bad.status_code == 400 and b"not valid here" in bad.content

    invitation, path = _invite(
        tenant,
        email="late@example.test",
        role="channel_manager",
        acting_membership=admin_membership,
    )
    with tenant_context(tenant):
        Invitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - timedelta(minutes=1)
        )
    expired = client.post(
        path, {"password1": "a-long-pass-phrase", "password2": "a-long-pass-phrase"}
    )
    assert expired.status_code == 400 and b"expired" in expired.content
    assert not User.objects.filter(email="late@example.test").exists()

    _, other_path = _invite(
        tenant,
        email="elsewhere@example.test",
        role="channel_manager",
        acting_membership=admin_membership,
    )
    foreign = Client(HTTP_HOST=other_tenant.host).get(other_path)
    assert foreign.status_code == 400  # a link of acme means nothing on globex


@pytest.mark.django_db
def test_weak_or_mismatched_passwords_are_refused_and_nothing_is_created(admin_membership):
    _, path = _invite(
        admin_membership.tenant,
        email="weak@example.test",
        role="channel_manager",
        acting_membership=admin_membership,
    )
    client = Client(HTTP_HOST=admin_membership.tenant.host)
    weak = client.post(path, {"password1": "12345", "password2": "12345"})
    assert weak.status_code == 400 and b"too short" in weak.content
    differ = client.post(
        path, {"password1": "a-long-pass-phrase", "password2": "another-long-phrase"}
    )
    assert b"differ" in differ.content
    assert not User.objects.filter(email="weak@example.test").exists()


@pytest.mark.django_db
def test_someone_with_an_account_elsewhere_joins_with_that_password(
    tenant, other_tenant, admin_membership
):
    with tenant_context(other_tenant):
        elsewhere = MembershipFactory(role="admin", user__email="multi@example.test")
    _, path = _invite(
        tenant,
        email="multi@example.test",
        role="channel_manager",
        acting_membership=admin_membership,
    )
    client = Client(HTTP_HOST=tenant.host)
    wrong = client.post(path, {"password1": "not-my-password"})
    assert wrong.status_code == 400
    ok = client.post(path, {"password1": "correct-horse-battery-staple"})
    assert ok.status_code == 302
    with tenant_context(tenant):
        assert Membership.objects.filter(user=elsewhere.user, role="channel_manager").exists()


@pytest.mark.django_db
def test_a_duplicate_email_is_refused_with_a_message(admin_membership, cm_membership):
    client = client_for(admin_membership)
    response = client.post(
        "/people/", {"email": cm_membership.user.email, "role": "channel_manager"}
    )
    assert response.status_code == 400
    assert b"already a member" in response.content


@pytest.mark.django_db
def test_a_new_invitation_replaces_the_open_one(admin_membership):
    first, first_path = _invite(
        admin_membership.tenant,
        email="twice@example.test",
        role="admin",
        acting_membership=admin_membership,
    )
    _, second_path = _invite(
        admin_membership.tenant,
        email="twice@example.test",
        role="admin",
        acting_membership=admin_membership,
    )
    client = Client(HTTP_HOST=admin_membership.tenant.host)
    assert b"withdrawn" in client.get(first_path).content
    assert client.get(second_path).status_code == 200


@pytest.mark.django_db
def test_who_may_invite_whom(
    in_tenant, partner_admin_membership, partner_member_membership, cm_membership
):
    other_org = PartnerOrganizationFactory()
    with pytest.raises(PermissionDenied):  # a partner member invites nobody
        services.invitation_create(
            email="a@example.test",
            role="partner",
            partner_organization=partner_member_membership.partner_organization,
            acting_membership=partner_member_membership,
        )
    with pytest.raises(PermissionDenied):  # a partner admin only into its own organization
        services.invitation_create(
            email="b@example.test",
            role="partner",
            partner_organization=other_org,
            acting_membership=partner_admin_membership,
        )
    with pytest.raises(PermissionDenied):  # a channel manager does not invite staff
        services.invitation_create(
            email="c@example.test",
            role="admin",
            acting_membership=cm_membership,
        )
    with pytest.raises(ValidationError):
        services.invitation_create(
            email="d@example.test",
            role="partner",
            acting_membership=cm_membership,
        )
    assert Invitation.objects.count() == 0


@pytest.mark.django_db
def test_a_partner_admin_invites_from_the_people_page_into_its_own_organization(
    partner_admin_membership,
):
    other_org = PartnerOrganizationFactory(tenant=partner_admin_membership.tenant)
    client = client_for(partner_admin_membership)
    # A crafted organization id is ignored: a partner admin's invitations go to its own.
    response = client.post(
        "/people/",
        {
            "email": "mate@example.test",
            "partner_role": "partner_admin",
            "partner_organization": str(other_org.pk),
        },
    )
    assert response.status_code == 302
    with tenant_context(partner_admin_membership.tenant):
        invitation = Invitation.objects.get(email="mate@example.test")
    assert invitation.partner_organization_id == partner_admin_membership.partner_organization_id


@pytest.mark.django_db
def test_a_partner_member_cannot_invite(partner_member_membership):
    response = client_for(partner_member_membership).post("/people/", {"email": "x@example.test"})
    assert response.status_code == 403


@pytest.mark.django_db
def test_people_pages_show_each_side_its_own(partner_admin_membership, cm_membership):
    with tenant_context(partner_admin_membership.tenant):
        stranger = MembershipFactory(
            role="partner",
            partner_organization=PartnerOrganizationFactory(),
            partner_role="partner_admin",
        )
    partner_page = client_for(partner_admin_membership).get("/people/").content.decode()
    assert partner_admin_membership.user.email in partner_page
    assert stranger.user.email not in partner_page
    staff_page = client_for(cm_membership).get("/people/").content.decode()
    assert stranger.user.email in staff_page


@pytest.mark.django_db
def test_deactivating_the_last_admin_is_refused(admin_membership):
    with tenant_context(admin_membership.tenant):
        other_admin = MembershipFactory(role="admin")
        services.membership_set_active(
            acting_membership=admin_membership, target=other_admin, active=False
        )
        with pytest.raises(ValidationError):
            services.membership_set_active(
                acting_membership=other_admin, target=admin_membership, active=False
            )


@pytest.mark.django_db
def test_people_list_queries_do_not_grow_with_rows(cm_membership, django_assert_max_num_queries):
    client = client_for(cm_membership)
    client.get("/people/")  # warm the session and tenant caches
    with django_assert_max_num_queries(12) as one:
        assert client.get("/people/").status_code == 200
    with tenant_context(cm_membership.tenant):
        org = PartnerOrganizationFactory()
        for _ in range(50):
            MembershipFactory(
                role="partner", partner_organization=org, partner_role="partner_member"
            )
    # New members bump the tenant's access version: the next request reloads the signed-in
    # member once, whatever the number of rows; measure the one after it.
    budget = len(one.captured_queries)  # before the next request resets the query log
    client.get("/people/")
    with django_assert_max_num_queries(budget):
        assert client.get("/people/").status_code == 200


@pytest.mark.django_db
def test_the_people_page_filters_through_the_shared_filterset(cm_membership, admin_membership):
    client = client_for(cm_membership)
    by_role = client.get("/people/", {"role": "admin"}).content.decode()
    assert admin_membership.user.email in by_role and cm_membership.user.email not in by_role
    by_name = client.get("/people/", {"q": cm_membership.user.email}).content.decode()
    assert cm_membership.user.email in by_name and admin_membership.user.email not in by_name
    api = client.get("/api/v1/members/", {"q": cm_membership.user.email}).json()
    assert [row["email"] for row in api["results"]] == [cm_membership.user.email]


@pytest.mark.django_db
def test_password_reset_mails_only_members_of_the_host(partner_admin_membership, other_tenant):
    email = partner_admin_membership.user.email
    tenant = partner_admin_membership.tenant
    foreign = Client(HTTP_HOST=other_tenant.host).post(
        "/accounts/password/reset/", {"email": email}
    )
    unknown = Client(HTTP_HOST=tenant.host).post(
        "/accounts/password/reset/", {"email": "nobody@example.test"}
    )
    # Nothing is sent from a portal the person is not in, nor to an unknown address...
    assert mail.outbox == []
    # ... and the page answers exactly as it does for a member.
    home = Client(HTTP_HOST=tenant.host).post("/accounts/password/reset/", {"email": email})
    assert foreign.status_code == unknown.status_code == home.status_code == 302
    assert foreign["Location"] == unknown["Location"] == home["Location"]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [email]
    assert tenant.host in mail.outbox[0].body and other_tenant.host not in mail.outbox[0].body


@pytest.mark.django_db
def test_no_invitation_into_an_offboarded_organization(cm_membership, partner_org):
    from partners.models import PartnerOrganization

    PartnerOrganization.objects.filter(pk=partner_org.pk).update(lifecycle_stage="offboarded")
    partner_org.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        services.invitation_create(
            email="new@example.test",
            role="partner",
            partner_organization=partner_org,
            acting_membership=cm_membership,
        )
    assert "offboarded" in refused.value.message_dict["partner_organization"][0]
    response = client_for(cm_membership).post(
        "/api/v1/invitations/",
        {"email": "new@example.test", "role": "partner", "partner_organization": partner_org.pk},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "offboarded" in response.json()["errors"]["partner_organization"][0]
    assert not Invitation.objects.exists() and mail.outbox == []
