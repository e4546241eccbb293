"""PostgreSQL backend that keeps `app.tenant_id` in step with the current tenant.

Row-level security policies compare each row's tenant_id with the `app.tenant_id`
setting of the connection. Before any cursor is handed out, this backend checks that
the setting equals the tenant of the current context (or is empty when there is none,
which makes every tenant table look empty) and fixes it when it does not. Raw SQL that
forgets its tenant filter therefore still sees only the current tenant's rows.

The setting is remembered per connection so the common case costs a comparison, not a
query. Anything that may undo it (a new connection, a rollback, a rollback to a
savepoint) forgets what was set, so the next cursor sets it again.
"""

from django.db.backends.postgresql import base

from prm.tenancy.context import current_tenant_id

_UNKNOWN = object()


class DatabaseWrapper(base.DatabaseWrapper):
    _rls_tenant: object = _UNKNOWN
    # True while rolling back to a savepoint: the transaction may be aborted then, and
    # any statement but the rollback itself would fail.
    _rls_paused: bool = False

    def get_new_connection(self, conn_params):
        self._rls_tenant = _UNKNOWN
        return super().get_new_connection(conn_params)

    def create_cursor(self, name=None):
        if self._rls_paused:
            return super().create_cursor(name)
        wanted = current_tenant_id()
        wanted_text = "" if wanted is None else str(wanted)
        if wanted_text != self._rls_tenant:
            # A plain cursor even when a named (server-side) one was asked for: a named
            # cursor can run only the one query it declares.
            with self.connection.cursor() as setter:
                setter.execute("SELECT set_config('app.tenant_id', %s, false)", [wanted_text])
            self._rls_tenant = wanted_text
        return super().create_cursor(name)

    def _rollback(self):
        self._rls_tenant = _UNKNOWN
        return super()._rollback()

    def _savepoint_rollback(self, sid):
        self._rls_paused = True
        try:
            return super()._savepoint_rollback(sid)
        finally:
            self._rls_paused = False
            # The rollback may have undone a set_config made inside the savepoint.
            self._rls_tenant = _UNKNOWN

    def _close(self):
        self._rls_tenant = _UNKNOWN
        return super()._close()
