"""Rewrite a new migration so that `migrate` renders its models once, not per operation.

`makemigrations` writes a CreateModel, then an AddIndex, AddConstraint and pgtrigger
AddTrigger per index, constraint and trigger; each of those re-renders its model and,
through the foreign key to the tenant, most of the project (seconds per migration). This
folds the indexes, constraints and fields of models the migration creates into their
CreateModel, and runs the creations, the triggers and the other field/index/trigger
operations each as one batch (`prm.core.migration_operations`). The database work and
the final state are the same: check with `makemigrations --check` and a schema dump.

    manage.py batchmigration enablement 0005_something
"""

from __future__ import annotations

import copy

import pgtrigger.migrations
from django.core.management.base import BaseCommand, CommandError
from django.db import migrations
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.writer import MigrationWriter

from prm.core.migration_operations import AddTriggers, CreateModels, Operations

# Operations on an existing model whose database work only needs the states around the
# batch (see prm.core.migration_operations.Operations).
BATCHABLE = (
    migrations.AddField,
    migrations.AlterField,
    migrations.AddIndex,
    migrations.AddConstraint,
    pgtrigger.migrations.AddTrigger,
    pgtrigger.migrations.RemoveTrigger,
)


def flattened(operations: list) -> list:
    """The operations of earlier batches, unpacked (a squash of batched migrations)."""
    result = []
    for operation in operations:
        if isinstance(operation, (CreateModels, AddTriggers, Operations)):
            result.extend(flattened(operation.operations))
        else:
            result.append(operation)
    return result


def batched(operations: list) -> list:
    created: dict[str, migrations.CreateModel] = {}
    kept: list = []
    for operation in flattened(operations):
        model = getattr(operation, "model_name_lower", None)
        target = created.get(model) if model else None
        if isinstance(operation, migrations.CreateModel):
            operation = copy.deepcopy(operation)
            created[operation.name_lower] = operation
            kept.append(operation)
        elif target is not None and isinstance(operation, migrations.AddIndex):
            target.options.setdefault("indexes", []).append(operation.index)
        elif target is not None and isinstance(operation, migrations.AddConstraint):
            target.options.setdefault("constraints", []).append(operation.constraint)
        elif target is not None and isinstance(operation, migrations.AddField):
            target.fields.append((operation.name, operation.field))
        elif target is not None and isinstance(operation, migrations.AlterField):
            target.fields = [
                (name, operation.field if name == operation.name else field)
                for name, field in target.fields
            ]
        elif target is not None and isinstance(operation, migrations.RemoveField):
            target.fields = [(n, f) for n, f in target.fields if n != operation.name]
        elif target is not None and isinstance(operation, migrations.RemoveIndex):
            target.options["indexes"] = [
                index for index in target.options.get("indexes", []) if index.name != operation.name
            ]
        elif target is not None and isinstance(operation, pgtrigger.migrations.RemoveTrigger):
            # The trigger was added by this migration: neither is needed.
            added = [
                op
                for op in kept
                if isinstance(op, pgtrigger.migrations.AddTrigger)
                and op.model_name_lower == model
                and op.trigger.name == operation.name
            ]
            if not added:
                raise CommandError(f"{operation.describe()}: no trigger of that name was added")
            kept.remove(added[-1])
        else:
            kept.append(operation)

    # Runs of one kind become one batch; everything else keeps its place.
    result: list = []
    run: list = []
    run_kind = None

    def kind_of(operation):
        if isinstance(operation, migrations.CreateModel):
            return CreateModels
        if isinstance(operation, pgtrigger.migrations.AddTrigger):
            return AddTriggers
        if isinstance(operation, BATCHABLE):
            return Operations
        return None

    def flush():
        if run:
            result.append(run_kind(run[:]))
        run.clear()

    for operation in kept:
        kind = kind_of(operation)
        if kind is not None and kind is run_kind:
            run.append(operation)
            continue
        flush()
        run_kind = kind
        if kind is None:
            result.append(operation)
        else:
            run.append(operation)
    flush()
    # A batch of one is the operation itself.
    return [
        op.operations[0]
        if len(getattr(op, "operations", ())) == 1 and isinstance(op, _BATCHES)
        else op
        for op in merged(result)
    ]


def merged(operations: list) -> list:
    """Neighbouring batches become one: one state reload per migration, not per kind.

    Safe for creations followed by their triggers and field changes: a CreateModel or
    AddTrigger reads the state after the batch, an AddField or RemoveTrigger on an existing
    model the state before it.
    """
    result: list = []
    for operation in operations:
        previous = result[-1] if result else None
        if isinstance(operation, _BATCHES) and isinstance(previous, _BATCHES):
            creations = isinstance(previous, CreateModels) and not isinstance(
                operation, CreateModels
            )
            if creations or isinstance(previous, Operations):
                result[-1] = Operations(previous.operations + operation.operations)
                continue
        result.append(operation)
    return result


_BATCHES = (CreateModels, AddTriggers, Operations)


class Command(BaseCommand):
    help = "Rewrite a migration in place with batched operations (faster `migrate`)."

    def add_arguments(self, parser):
        parser.add_argument("app_label")
        parser.add_argument("migration_name")

    def handle(self, *args, app_label, migration_name, **options):
        loader = MigrationLoader(None, ignore_no_migrations=True)
        try:
            migration = loader.get_migration_by_prefix(app_label, migration_name)
        except (KeyError, Exception) as exc:  # AmbiguityError or KeyError
            raise CommandError(str(exc)) from exc
        before = len(migration.operations)
        migration.operations = batched(list(migration.operations))
        writer = MigrationWriter(migration)
        with open(writer.path, "w", encoding="utf-8") as handle:
            handle.write(writer.as_string())
        self.stdout.write(
            f"{writer.path}: {before} operations -> {len(migration.operations)} at top level"
        )
