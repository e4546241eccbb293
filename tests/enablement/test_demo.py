"""The demo data of enablement: three courses, one certification, ten assets, progress."""

import pytest
from django.core.management import call_command

from enablement import models
from prm.tenancy.context import tenant_context
from prm.tenancy.models import Tenant


def _counts():
    return (
        models.Course.objects.filter(published_version__isnull=False).count(),
        models.Certification.objects.count(),
        models.Asset.objects.count(),
        models.CertificationAward.objects.count(),
        models.Enrolment.objects.count(),
        models.QuizAttempt.objects.count(),
    )


@pytest.mark.django_db
def test_demo_seeds_learning_once():
    call_command("seed_demo")
    with tenant_context(Tenant.objects.get(slug="acme")):
        first = _counts()
        assert first[:4] == (3, 1, 10, 1)
        assert first[4] == 2
    call_command("seed_demo")
    with tenant_context(Tenant.objects.get(slug="acme")):
        assert _counts() == first
