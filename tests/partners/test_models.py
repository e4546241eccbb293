"""What the database itself guarantees for the partner program."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from partners.models import AgreementAcceptance, ProgramSettings, Tier
from prm.audit.history import history_for
from tests.partners.factories import (
    AgreementFactory,
    ApplicationFactory,
    BusinessPlanGoalFactory,
    PartnerOrganizationFactory,
    TierFactory,
)

pytestmark = pytest.mark.django_db


def test_one_pending_application_per_domain(in_tenant):
    # A rejected one does not block a new application ...
    ApplicationFactory(domain="dup.test", status="rejected")
    ApplicationFactory(domain="dup.test")
    # ... but a second pending one is refused by the database.
    with pytest.raises(IntegrityError), transaction.atomic():
        ApplicationFactory(domain="dup.test")


def test_tier_rank_unique_per_tenant(in_tenant, other_tenant):
    TierFactory(rank=1, name="Entry")
    TierFactory(rank=1, name="Entry", tenant=other_tenant)  # another tenant may
    assert Tier.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        TierFactory(rank=1, name="Other")


def test_acceptance_must_expire_after_it_is_accepted(in_tenant):
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        AgreementAcceptance.objects.create(
            agreement=AgreementFactory(),
            organization=PartnerOrganizationFactory(),
            accepted_at=now,
            expires_at=now - timedelta(days=1),
        )


def test_program_settings_inactive_after_at_risk(in_tenant):
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgramSettings.objects.create(at_risk_after_days=90, inactive_after_days=30)


def test_goal_progress_is_capped(in_tenant):
    goal = BusinessPlanGoalFactory(target=10, actual=25)
    assert goal.progress == 100


def test_partner_changes_are_audited(in_tenant):
    org = PartnerOrganizationFactory()
    org.lifecycle_stage = "at_risk"
    org.save()
    events = history_for(org)
    assert [e.lifecycle_stage for e in events][:2] == ["at_risk", "active"]
