"""Routes of the documents attached to records; calaim.web.urls joins them under the "web" namespace."""

from django.urls import URLPattern, path

from calaim.web.views import documents

urlpatterns: list[URLPattern] = [
    path("documents/<slug:kind>/<uuid:record_id>/attach/", documents.document_upload, name="document_upload"),
    path("documents/<uuid:document_id>/file/", documents.document_download, name="document_download"),
    path("documents/<uuid:document_id>/remove/", documents.document_remove_view, name="document_remove"),
]
