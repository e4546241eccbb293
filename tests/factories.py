"""Factories for the core models. Apps keep theirs in tests/<app>/factories.py."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from partners.models import PartnerOrganization
from prm.accounts.models import User
from prm.tenancy.context import get_current_tenant, tenant_context
from prm.tenancy.models import Membership, Tenant

TEST_PASSWORD = "correct-horse-battery-staple"


class TenantFactory(DjangoModelFactory):
    class Meta:
        model = Tenant
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"tenant{n}")
    name = factory.LazyAttribute(lambda o: o.slug.title())


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save_password(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save(update_fields=["password"])


class TenantOwnedFactory(DjangoModelFactory):
    """Creates rows inside their tenant's context, as the application would.

    The tenant is the one given, else the current one, else a new tenant.
    """

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        tenant = kwargs.pop("tenant", None) or get_current_tenant() or TenantFactory()
        with tenant_context(tenant):
            obj = model_class(*args, **kwargs)
            obj.tenant = tenant
            obj.save()
        return obj


class PartnerOrganizationFactory(TenantOwnedFactory):
    class Meta:
        model = PartnerOrganization

    name = factory.Sequence(lambda n: f"Partner Co {n}")
    website = factory.LazyAttribute(lambda o: f"https://{o.name.lower().replace(' ', '')}.test")
    country = "US"


class MembershipFactory(TenantOwnedFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = "admin"
    partner_organization = None
    partner_role = ""
