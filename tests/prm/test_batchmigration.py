"""`manage.py batchmigration` folds a migration's operations without changing its effect."""

import pgtrigger
import pgtrigger.migrations
from django.db import migrations, models

from prm.core.management.commands.batchmigration import batched
from prm.core.migration_operations import CreateModels, Operations


def _trigger(name):
    from prm.tenancy.models import Tenant

    return pgtrigger.Protect(name=name, operation=pgtrigger.Delete).compile(Tenant)


def test_indexes_constraints_fields_and_replaced_triggers_fold_into_the_creation():
    operations = [
        migrations.CreateModel("Thing", [("id", models.BigAutoField(primary_key=True))]),
        migrations.CreateModel("Other", [("id", models.BigAutoField(primary_key=True))]),
        migrations.AddField("thing", "size", models.IntegerField(default=0)),
        migrations.AddIndex("thing", models.Index(fields=["size"], name="thing_size_idx")),
        migrations.AddConstraint(
            "thing", models.CheckConstraint(condition=models.Q(size__gte=0), name="size_ok")
        ),
        pgtrigger.migrations.AddTrigger("thing", _trigger("protect")),
        migrations.RunSQL("SELECT 1"),
        migrations.RemoveIndex("thing", "thing_size_idx"),
        pgtrigger.migrations.RemoveTrigger("thing", "protect"),
        pgtrigger.migrations.AddTrigger("thing", _trigger("protect_again")),
    ]

    result = batched(operations)

    assert [type(op) for op in result] == [
        CreateModels,  # the trigger between was cancelled: creations only
        migrations.RunSQL,
        pgtrigger.migrations.AddTrigger,
    ]
    first = result[0].operations
    assert [type(op) for op in first] == [migrations.CreateModel, migrations.CreateModel]
    thing = first[0]
    assert [name for name, _ in thing.fields] == ["id", "size"]
    assert thing.options["indexes"] == []  # added, then removed
    assert [c.name for c in thing.options["constraints"]] == ["size_ok"]
    # The trigger added and removed again in the same migration is gone.
    assert result[2].trigger.name == "protect_again"
    # The input is left as it was.
    assert len(operations[0].fields) == 1


def test_operations_on_existing_models_become_one_batch():
    operations = [
        pgtrigger.migrations.RemoveTrigger("benefit", "insert_insert"),
        migrations.AddField("benefit", "unit", models.CharField(blank=True, max_length=20)),
        pgtrigger.migrations.AddTrigger("benefit", _trigger("insert_insert")),
    ]

    result = batched(operations)

    assert len(result) == 1 and isinstance(result[0], Operations)
    assert result[0].operations == operations
