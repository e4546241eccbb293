"""Pages of this part of the core."""

urlpatterns: list = []
