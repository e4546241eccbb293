"""The inbox, on both sides of the portal."""

from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("inbox/", views.InboxView.as_view(), name="inbox"),
    path("inbox/read-all/", views.MarkAllReadView.as_view(), name="mark_all_read"),
    path("inbox/<uuid:pk>/open/", views.NotificationOpenView.as_view(), name="open"),
]
