"""Routes of the letter templates, their previews and translation reviews; calaim.web.urls joins them under the
"web" namespace."""

from django.urls import URLPattern, path

from calaim.web.views import letters

urlpatterns: list[URLPattern] = [
    path("letters/templates/", letters.letter_templates, name="letter_templates"),
    path(
        "letters/templates/<slug:key>/<str:version>/<slug:language>/preview.pdf",
        letters.letter_template_preview,
        name="letter_template_preview",
    ),
    path(
        "letters/templates/<slug:key>/<str:version>/<slug:language>/review/",
        letters.letter_template_review,
        name="letter_template_review",
    ),
]
