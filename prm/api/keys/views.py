from django.views.generic import TemplateView

from prm.core.views import AdminRequiredMixin


class ApiKeyListView(AdminRequiredMixin, TemplateView):
    template_name = "core/console_home.html"
