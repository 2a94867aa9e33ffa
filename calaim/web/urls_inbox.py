"""Routes of the inbox pages; calaim.web.urls joins them under the "web" namespace."""

from django.urls import URLPattern, path

from calaim.web.views import inbox

urlpatterns: list[URLPattern] = [
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/read-all/", inbox.inbox_read_all, name="inbox_read_all"),
    path("inbox/<uuid:notification_id>/", inbox.inbox_open, name="inbox_open"),
    path("inbox/<uuid:notification_id>/read/", inbox.inbox_read, name="inbox_read"),
]
