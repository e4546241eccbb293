"""Base classes every HTML view of the portal builds on.

Scoping lives here, once: a view names its model and gets a queryset already limited
to the current tenant (by the model's manager) and to what the signed-in member may see
(partner users: their own organization). Subclasses only narrow it further. Fetching a
single object goes through that queryset, so another tenant's or partner's id is a 404.
"""

from __future__ import annotations

from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.views.generic import TemplateView

from prm.tenancy.choices import STAFF_ROLES, Role


class TenantMemberRequiredMixin(AccessMixin):
    """Signed in, with an active membership in this host's tenant, in one of the roles.

    Roles are declared, not checked inline: `allowed_roles` may open the page (every
    method), and `method_roles` narrows single methods, e.g. a page every staff member
    reads but only admins post to: `method_roles = {"POST": ADMIN_ONLY}`.
    """

    allowed_roles: frozenset[str] = frozenset(Role.values)
    method_roles: dict[str, frozenset[str]] = {}

    def roles_for(self, method: str) -> frozenset[str]:
        return self.method_roles.get(method.upper(), self.allowed_roles)

    @property
    def membership(self):
        return self.request.membership

    def dispatch(self, request, *args, **kwargs):
        if getattr(request, "tenant", None) is None:
            raise Http404("This page exists only on a tenant's portal.")
        if not request.user.is_authenticated or request.membership is None:
            return self.handle_no_permission()
        if request.membership.role not in self.roles_for(request.method):
            # The page exists for everyone of the tenant; this role may not use it.
            raise PermissionDenied("Your role cannot do this here.")
        return super().dispatch(request, *args, **kwargs)


class StaffRequiredMixin(TenantMemberRequiredMixin):
    allowed_roles = STAFF_ROLES


class AdminRequiredMixin(TenantMemberRequiredMixin):
    allowed_roles = frozenset({Role.ADMIN})


class PartnerRequiredMixin(TenantMemberRequiredMixin):
    allowed_roles = frozenset({Role.PARTNER})


class ScopedQuerysetMixin:
    """`get_queryset()` = the model's rows this member may see; narrow it, never widen it."""

    model = None

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.membership)


def home(request):
    """Send each member to the side of the portal that is theirs."""
    membership = getattr(request, "membership", None)
    if membership is None:
        return redirect("account_login")
    if membership.is_staff_role:
        return redirect("console_home")
    return redirect("portal_home")


def platform_home(request):
    """The bare base domain: who runs this installation, and nothing of any tenant."""
    from django.shortcuts import render

    return render(request, "core/platform_home.html")


def healthz(request):
    """Database and Redis reachability as JSON: 200 when both answer, else 503."""
    from django.core.cache import cache
    from django.db import connection
    from django.http import JsonResponse

    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means "not healthy"
        checks["database"] = f"error: {exc.__class__.__name__}"
    try:
        cache.set("healthz", "1", 5)
        checks["redis"] = "ok" if cache.get("healthz") == "1" else "error: no round trip"
    except Exception as exc:  # noqa: BLE001
        checks["redis"] = f"error: {exc.__class__.__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )


class HomeMixin:
    def get_context_data(self, **kwargs):
        from prm.notifications.models import Notification

        context = super().get_context_data(**kwargs)
        context["recent_notifications"] = Notification.objects.for_recipient(
            self.request.user, unread=True
        )[:5]
        return context


class PortalHomeView(PartnerRequiredMixin, HomeMixin, TemplateView):
    """The partner portal's landing page."""

    template_name = "core/portal_home.html"


class ConsoleHomeView(StaffRequiredMixin, HomeMixin, TemplateView):
    """The vendor console's landing page."""

    template_name = "core/console_home.html"


class TenantSettingsView(AdminRequiredMixin, TemplateView):
    """Branding and program defaults of this portal (program admins)."""

    template_name = "core/tenant_settings.html"

    def get_context_data(self, **kwargs):
        from .forms import TenantSettingsForm

        context = super().get_context_data(**kwargs)
        context["form"] = kwargs.get("form") or TenantSettingsForm(instance=self.request.tenant)
        return context

    def post(self, request):
        from django.contrib import messages

        from prm.tenancy import resolver

        from .forms import TenantSettingsForm

        form = TenantSettingsForm(request.POST, request.FILES, instance=request.tenant)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        form.save()
        resolver.clear_cache()
        messages.success(request, "Portal settings saved.")
        return redirect("tenant_settings")


def _service_outage(exc: BaseException | None) -> bool:
    """Is this a Redis, broker or database outage rather than a bug?"""
    import redis
    from django.db import InterfaceError, OperationalError
    from django_redis.exceptions import ConnectionInterrupted
    from kombu.exceptions import OperationalError as BrokerError

    outages = (
        redis.exceptions.ConnectionError,
        redis.exceptions.TimeoutError,
        ConnectionInterrupted,
        BrokerError,
        OperationalError,
        InterfaceError,
    )
    while exc is not None:
        if isinstance(exc, outages):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


# Form fields never echoed back into the outage page.
_SECRET_FIELDS = ("password", "csrfmiddlewaretoken", "token", "secret", "otp", "code")


def server_error(request, *args, **kwargs):
    """handler500: a clear 503 while a service is down, else the plain 500 page.

    Called by Django inside its exception handler, so `sys.exc_info()` is the error. An
    outage of Redis (sessions, rate limits, the broker) or of Postgres is not a bug: the
    person is told to retry, and a form they posted is offered again with what they
    typed (secrets excepted), since nothing of it was saved.
    """
    import sys

    from django.http import HttpResponseServerError
    from django.template import loader

    if not _service_outage(sys.exc_info()[1]):
        return HttpResponseServerError(loader.get_template("500.html").render())
    fields = []
    if request.method == "POST":
        for name, values in request.POST.lists():
            if any(secret in name.lower() for secret in _SECRET_FIELDS):
                continue
            fields.extend((name, value) for value in values)
    html = loader.get_template("503.html").render(
        {
            "fields": fields,
            "action": request.get_full_path(),
            "method": request.method,
            "csrf_token": request.POST.get("csrfmiddlewaretoken", ""),
        }
    )
    response = HttpResponseServerError(html, status=503)
    response.status_code = 503
    response["Retry-After"] = "30"
    return response
