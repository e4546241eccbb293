"""Pages of this app: partner portal under /portal/, vendor console under /manage/."""

urlpatterns: list = []
