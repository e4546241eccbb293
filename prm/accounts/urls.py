"""People of the tenant: members and invitations (both sides), and accepting an invitation."""

from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("people/", views.MemberListView.as_view(), name="members"),
    path("people/<uuid:pk>/access/", views.MembershipActiveView.as_view(), name="member_active"),
    path(
        "people/invitations/<uuid:pk>/revoke/",
        views.InvitationRevokeView.as_view(),
        name="invitation_revoke",
    ),
    path("invitation/<str:token>/", views.InvitationAcceptView.as_view(), name="invitation_accept"),
]
