"""Pages of this part of the core."""

from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("manage/audit/", views.AuditLogView.as_view(), name="log"),
    path("manage/audit/export.csv", views.AuditLogExportView.as_view(), name="export"),
]
