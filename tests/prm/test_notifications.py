"""One inbox, one e-mail per event, never twice."""

import pytest
from django.core import mail
from django.test import TestCase

from prm.notifications.models import Notification
from prm.notifications.services import notify
from prm.notifications.tasks import send_digest, send_notification_emails
from prm.tenancy.context import tenant_context
from tests.conftest import client_for
from tests.factories import MembershipFactory


def _notify(**kwargs):
    defaults = {"kind": "test", "title": "Deal DR-000001 approved", "dedupe_key": "deal:1:approved"}
    with TestCase.captureOnCommitCallbacks(execute=True):
        return notify(**(defaults | kwargs))


@pytest.mark.django_db
def test_the_same_event_notifies_and_mails_once(in_tenant, cm_membership):
    assert _notify(recipients=[cm_membership.user], url="/manage/") == 1
    assert _notify(recipients=[cm_membership.user], url="/manage/") == 0
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "[Acme] Deal DR-000001 approved"
    assert (
        "http://acme.localhost" in mail.outbox[0].body
        or "https://acme.localhost" in mail.outbox[0].body
    )


@pytest.mark.django_db
def test_a_retried_mail_task_sends_nothing_twice(in_tenant, cm_membership):
    _notify(recipients=[cm_membership.user])
    ids = [str(pk) for pk in Notification.objects.values_list("pk", flat=True)]
    assert send_notification_emails(tenant_id=in_tenant.pk, notification_ids=ids) == 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_actor_is_not_told_about_their_own_action(in_tenant, cm_membership, admin_membership):
    assert (
        _notify(recipients=[cm_membership.user, admin_membership.user], actor=admin_membership.user)
        == 1
    )
    assert Notification.objects.get().recipient == cm_membership.user


@pytest.mark.django_db
def test_inbox_shows_only_mine_and_marks_read(in_tenant, cm_membership, admin_membership):
    _notify(recipients=[cm_membership.user], title="For the channel manager", email=False)
    _notify(
        recipients=[admin_membership.user], title="For the admin", email=False, dedupe_key="other"
    )
    client = client_for(cm_membership)
    page = client.get("/inbox/").content.decode()
    assert "For the channel manager" in page and "For the admin" not in page
    assert 'data-testid="unread-count">1<' in page
    mine = Notification.objects.get(recipient=cm_membership.user)
    response = client.post(f"/inbox/{mine.pk}/open/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and b"Mark read" not in response.content
    mine.refresh_from_db()
    assert mine.read_at is not None
    # Someone else's notification is not found.
    theirs = Notification.objects.get(recipient=admin_membership.user)
    assert client.post(f"/inbox/{theirs.pk}/open/").status_code == 404


@pytest.mark.django_db
def test_the_daily_digest_goes_out_once_a_day(in_tenant, cm_membership):
    _notify(recipients=[cm_membership.user], email=False, title="Needs you")
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert send_digest(tenant_id=in_tenant.pk) == 1
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert send_digest(tenant_id=in_tenant.pk) == 0
    assert len(mail.outbox) == 1 and "Needs you" in mail.outbox[0].body


@pytest.mark.django_db
def test_a_tenant_task_without_a_tenant_is_refused():
    from prm.celery import TenantRequiredError

    with pytest.raises(TenantRequiredError):
        send_digest()


@pytest.mark.django_db
def test_inbox_queries_do_not_grow_with_rows(
    in_tenant, cm_membership, django_assert_max_num_queries
):
    client = client_for(cm_membership)
    _notify(recipients=[cm_membership.user], email=False)
    client.get("/inbox/")
    with django_assert_max_num_queries(12) as one:
        assert client.get("/inbox/").status_code == 200
    for n in range(50):
        notify(
            recipients=[cm_membership.user],
            kind="t",
            title=f"n{n}",
            dedupe_key=f"k{n}",
            email=False,
        )
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get("/inbox/").status_code == 200


@pytest.mark.django_db
def test_fan_out_enqueues_one_task_per_active_tenant(tenant, other_tenant, cm_membership):
    from prm.celery import fan_out

    with tenant_context(tenant):
        _notify(recipients=[cm_membership.user], email=False)
    with tenant_context(other_tenant):
        MembershipFactory(role="admin")
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert fan_out("notifications.send_digest") == 2
    assert [m.to for m in mail.outbox] == [[cm_membership.user.email]]
