"""Model fields shared by the apps."""

from django_fsm import FSMField


class StateField(FSMField):
    """django-fsm's FSMField, written into migrations as the CharField it is in the database.

    FSMField connects a `class_prepared` receiver for every field instance it is cloned
    into, and migrations re-create their models thousands of times while they compute
    states: the receivers pile up and every model class created later calls all of
    them, which made `migrate` on an empty database take most of a minute. Migrations
    need the column, not the state machine, so they get a plain CharField.
    """

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        kwargs.pop("protected", None)
        return name, "django.db.models.CharField", args, kwargs
