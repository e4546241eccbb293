"""Core pages on a tenant's host: the two homes and the health check."""

from django.urls import path

from . import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("portal/", views.PortalHomeView.as_view(), name="portal_home"),
    path("manage/", views.ConsoleHomeView.as_view(), name="console_home"),
    path("manage/settings/", views.TenantSettingsView.as_view(), name="tenant_settings"),
]
