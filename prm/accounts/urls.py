"""People of the tenant: members and invitations (both sides), and accepting an invitation."""

from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("people/", views.MemberListView.as_view(), name="members"),
]
