from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "prm.tenancy"
    label = "tenancy"
    verbose_name = "Tenancy"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import rls

        # Row-level security is applied after every migrate, to every table that has a
        # tenant_id column, so a new tenant-owned model cannot be forgotten.
        post_migrate.connect(rls.post_migrate_apply, dispatch_uid="prm.tenancy.rls")
