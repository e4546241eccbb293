"""Tenant admins create and revoke API keys for integrations."""

from django.urls import path

from . import views

app_name = "api_keys"

urlpatterns = [
    path("manage/api-keys/", views.ApiKeyListView.as_view(), name="list"),
    path("manage/api-keys/<uuid:pk>/revoke/", views.ApiKeyRevokeView.as_view(), name="revoke"),
]
