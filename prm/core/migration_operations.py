"""Batched migration operations, used by the squashed migrations to keep `migrate` fast.

Every CreateModel or pgtrigger AddTrigger re-renders the model it touches and the models
related to it; nearly every model here points at the tenant, so each one re-rendered
most of the project, once per operation. These run a list of the same operations with
one state reload for the whole list; the database work is the operations' own.
"""

from __future__ import annotations

from django.db.migrations.operations.base import Operation


class _Batch(Operation):
    reversible = True

    def __init__(self, operations):
        self.operations = list(operations)

    def deconstruct(self):
        return (self.__class__.__qualname__, [self.operations], {})

    def _keys(self, app_label):
        keys = []
        for operation in self.operations:
            name = getattr(operation, "model_name_lower", None) or operation.name_lower
            keys.append((app_label, name))
        return list(dict.fromkeys(keys))

    def state_forwards(self, app_label, state):
        # Apply each operation's state change with rendering switched off, then reload
        # the models they touched once.
        apps = state.__dict__.pop("apps", None)
        try:
            for operation in self.operations:
                operation.state_forwards(app_label, state)
        finally:
            if apps is not None:
                state.__dict__["apps"] = apps
        if apps is not None:
            state.reload_models(self._keys(app_label), delay=False)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        for operation in self.operations:
            operation.database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        for operation in reversed(self.operations):
            operation.database_backwards(app_label, schema_editor, from_state, to_state)


class CreateModels(_Batch):
    """Several CreateModel operations of one app, in order."""

    def _keys(self, app_label):
        return [(app_label, operation.name_lower) for operation in self.operations]

    def describe(self):
        return f"Create {len(self.operations)} models"

    @property
    def migration_name_fragment(self):
        return "create_models"


class AddTriggers(_Batch):
    """Several pgtrigger AddTrigger operations of one app, in order."""

    def _keys(self, app_label):
        return list(dict.fromkeys((app_label, op.model_name_lower) for op in self.operations))

    def describe(self):
        return f"Create {len(self.operations)} triggers"

    @property
    def migration_name_fragment(self):
        return "add_triggers"


class Operations(_Batch):
    """Several operations on existing models of one app (fields, indexes, triggers), in order.

    Each operation's database work sees the state before the batch as its "from" state
    and the state after it as its "to" state, so an operation must not depend on what
    another one of the same batch changed in the state (adding a field, then an index or
    trigger that uses it, is fine; adding a trigger and removing it again is not).
    `manage.py batchmigration` only batches the operation types listed there.
    """

    def describe(self):
        return f"{len(self.operations)} operations"

    @property
    def migration_name_fragment(self):
        return "operations"
