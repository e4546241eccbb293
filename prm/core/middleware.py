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
