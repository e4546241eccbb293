"""Request-level guards that do not belong to any one app."""

from django.conf import settings
from django.http import JsonResponse
from django.template.response import SimpleTemplateResponse


class RequestSizeLimitMiddleware:
    """Refuse bodies over PRM_MAX_REQUEST_BYTES with a clear 413 before reading them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.PRM_MAX_REQUEST_BYTES
        if length > limit:
            message = f"The request is too large: the limit is {limit // (1024 * 1024)} MB."
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"type": "request_too_large", "detail": message, "errors": {}}, status=413
                )
            response = SimpleTemplateResponse("413.html", {"message": message}, status=413)
            return response.render()
        return self.get_response(request)


class InUseMiddleware:
    """A page that deletes a row still in use (PROTECT) shows why, with a 409, not a 500.

    The API answers the same case itself (prm.api.exceptions); this is for the pages.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.db.models import ProtectedError, RestrictedError
        from django.shortcuts import render

        from prm.api.exceptions import in_use_from

        if not isinstance(exception, (ProtectedError, RestrictedError)):
            return None
        in_use = in_use_from(exception)
        return render(
            request,
            "409.html",
            {"message": in_use.detail, "used_by": in_use.errors["used_by"]},
            status=409,
        )
