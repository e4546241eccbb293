"""API keys in the console: program admins create (shown once) and revoke them."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import ListView

from prm.api.models import ApiKey
from prm.api.services import api_key_create, api_key_revoke
from prm.core.views import AdminRequiredMixin, ScopedQuerysetMixin

from .forms import ApiKeyForm


class ApiKeyListView(AdminRequiredMixin, ScopedQuerysetMixin, ListView):
    model = ApiKey
    template_name = "api/apikey_list.html"
    context_object_name = "keys"
    paginate_by = 50

    def get_queryset(self):
        return super().get_queryset().select_related("membership__user")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = kwargs.get("form") or ApiKeyForm()
        # The new key is shown once, right after it was made, and never stored in clear.
        context["new_key"] = self.request.session.pop("new_api_key", None)
        return context

    def post(self, request):
        form = ApiKeyForm(request.POST)
        if form.is_valid():
            try:
                _, key = api_key_create(
                    name=form.cleaned_data["name"], acting_membership=request.membership
                )
            except ValidationError as exc:
                form.add_error("name" if hasattr(exc, "error_dict") else None, exc.messages)
            else:
                request.session["new_api_key"] = key
                messages.success(request, "API key created. Copy it now: it is not shown again.")
                return redirect("api_keys:list")
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ApiKeyRevokeView(AdminRequiredMixin, View):
    def post(self, request, pk):
        api_key = get_object_or_404(ApiKey.objects.visible_to(request.membership), pk=pk)
        api_key_revoke(api_key=api_key)
        messages.success(request, f"API key “{api_key.name}” was revoked.")
        return redirect("api_keys:list")
