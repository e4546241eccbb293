"""People pages: who belongs to this tenant (staff) or to my organization (partners),
invitations, and accepting one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.generic import ListView

from prm.core.forms import add_service_errors
from prm.core.views import ScopedQuerysetMixin, TenantMemberRequiredMixin
from prm.tenancy.models import Membership

from . import services
from .filtersets import MembershipFilterSet
from .forms import AcceptInvitationForm, ExistingAccountForm, InvitationForm
from .models import Invitation, User


class MemberListView(TenantMemberRequiredMixin, ScopedQuerysetMixin, ListView):
    """Staff see everyone of the tenant; partner users see their own organization."""

    model = Membership
    template_name = "accounts/member_list.html"
    paginate_by = 50
    context_object_name = "members"

    def get_queryset(self):
        queryset = super().get_queryset().select_related("user", "partner_organization")
        filterset = MembershipFilterSet(self.request.GET, queryset=queryset, request=self.request)
        return filterset.qs.order_by("-is_active", "user__email")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        membership = self.request.membership
        context["can_invite"] = services.invitation_can_manage(acting_membership=membership)
        if context["can_invite"]:
            context["form"] = kwargs.get("form") or InvitationForm(membership=membership)
            context["invitations"] = (
                Invitation.objects.visible_to(membership)
                .filter(accepted_at__isnull=True, revoked_at__isnull=True)
                .select_related("partner_organization", "invited_by")[:50]
            )
        context["manageable"] = {
            m.pk
            for m in context["members"]
            if services.membership_can_manage(acting_membership=membership, target=m)
        }
        return context

    def post(self, request, *args, **kwargs):
        """Send an invitation (the form sits on the people page)."""
        if not services.invitation_can_manage(acting_membership=request.membership):
            raise PermissionDenied("Your role cannot invite people.")
        form = InvitationForm(request.POST, membership=request.membership)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.invitation_create(
                    email=data["email"],
                    full_name=data.get("full_name", ""),
                    role=data["role"],
                    partner_organization=data.get("partner_organization"),
                    partner_role=data.get("partner_role", ""),
                    acting_membership=request.membership,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Invitation sent to {data['email']}.")
                return redirect("accounts:members")
        self.object_list = self.get_queryset()
        context = self.get_context_data(form=form)
        return self.render_to_response(context, status=400)


class InvitationRevokeView(TenantMemberRequiredMixin, View):
    def post(self, request, pk):
        if not services.invitation_can_manage(acting_membership=request.membership):
            raise PermissionDenied("Your role cannot manage invitations.")
        invitation = get_object_or_404(Invitation.objects.visible_to(request.membership), pk=pk)
        try:
            services.invitation_revoke(invitation=invitation)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"The invitation for {invitation.email} was withdrawn.")
        return redirect("accounts:members")


class MembershipActiveView(TenantMemberRequiredMixin, View):
    """Deactivate or reactivate a member (POST active=0|1)."""

    def post(self, request, pk):
        target = get_object_or_404(
            Membership.objects.visible_to(request.membership).select_related("user"), pk=pk
        )
        active = request.POST.get("active") == "1"
        try:
            services.membership_set_active(
                acting_membership=request.membership, target=target, active=active
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            verb = "reactivated" if active else "deactivated"
            messages.success(request, f"{target.user.display_name} was {verb}.")
        return redirect("accounts:members")


class InvitationAcceptView(View):
    """Open to anyone holding the link: set a password (or sign in) and join."""

    template_name = "accounts/invitation_accept.html"

    def dispatch(self, request, *args, **kwargs):
        if getattr(request, "tenant", None) is None:
            raise Http404("Invitations are opened on the portal they were sent for.")
        return super().dispatch(request, *args, **kwargs)

    def _invitation(self, token):
        try:
            return services.invitation_for_token(token=token), None
        except services.InvitationError as exc:
            return None, " ".join(exc.messages)

    def _form(self, invitation, data=None):
        if _user_exists(invitation.email):
            return ExistingAccountForm(data)
        return AcceptInvitationForm(data, initial={"full_name": invitation.full_name})

    def get(self, request, token):
        invitation, error = self._invitation(token)
        if invitation is None:
            return render(request, self.template_name, {"error": error}, status=400)
        context = {"invitation": invitation, "form": self._form(invitation)}
        return render(request, self.template_name, context)

    def post(self, request, token):
        invitation, error = self._invitation(token)
        if invitation is None:
            return render(request, self.template_name, {"error": error}, status=400)
        form = self._form(invitation, request.POST)
        if form.is_valid():
            try:
                membership = services.invitation_accept(
                    token=token,
                    password=form.cleaned_data["password1"],
                    full_name=form.cleaned_data.get("full_name", ""),
                    user=request.user if request.user.is_authenticated else None,
                )
            except services.InvitationError as exc:
                return render(
                    request, self.template_name, {"error": " ".join(exc.messages)}, status=400
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                login(
                    request,
                    membership.user,
                    backend="prm.accounts.backends.TenantMembershipBackend",
                )
                messages.success(request, f"Welcome to {request.tenant.name}.")
                return redirect("home")
        context = {"invitation": invitation, "form": form}
        return render(request, self.template_name, context, status=400)


def _user_exists(email: str) -> bool:
    return User.objects.filter(email=email).exists()
