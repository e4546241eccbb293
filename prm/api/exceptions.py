"""One error shape for the whole API: {"type", "detail", "errors"}."""

from collections import defaultdict

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from django.utils.text import get_text_list
from rest_framework import exceptions, serializers, status
from rest_framework.views import exception_handler as drf_exception_handler

IN_USE_EXAMPLES = 5


class InUse(exceptions.APIException):
    """409: the object is still referenced by rows that protect it from deletion."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "in_use"
    default_detail = "This object is still in use."

    def __init__(self, detail: str, used_by: dict):
        super().__init__(detail)
        self.errors = {"used_by": used_by}


def in_use_from(exc: ProtectedError | RestrictedError) -> InUse:
    """Say what still uses the object: a count and a few names per kind of row."""
    rows = getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", ())
    by_kind: dict[str, list] = defaultdict(list)
    singular: dict[str, str] = {}
    for row in rows:
        kind = str(row._meta.verbose_name_plural)
        by_kind[kind].append(row)
        singular[kind] = str(row._meta.verbose_name)
    used_by = {
        kind: {
            "count": len(items),
            "examples": sorted(str(item) for item in items)[:IN_USE_EXAMPLES],
        }
        for kind, items in sorted(by_kind.items())
    }
    summary = get_text_list(
        [
            f"{value['count']} {kind if value['count'] != 1 else singular[kind]}"
            for kind, value in used_by.items()
        ],
        "and",
    )
    return InUse(
        f"It cannot be deleted while it is still in use by {summary}; move or remove those first.",
        used_by,
    )


class ErrorSerializer(serializers.Serializer):
    """The error shape, for the schema."""

    type = serializers.CharField()
    detail = serializers.CharField()
    errors = serializers.DictField()


def exception_handler(exc, context):
    if isinstance(exc, (ProtectedError, RestrictedError)):
        exc = in_use_from(exc)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        body = {"type": "validation_error", "detail": "Invalid input.", "errors": errors}
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        body = {
            "type": getattr(exc, "default_code", "error"),
            "detail": str(detail),
            "errors": getattr(exc, "errors", {}),
        }
    response.data = body
    if response.status_code == status.HTTP_405_METHOD_NOT_ALLOWED:
        response.data["type"] = "method_not_allowed"
    return response
