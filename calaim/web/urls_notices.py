"""Routes of the mailroom (the day's letters, mail batches, returned mail, address flags) and of a member's letters
(the PDF, its reprint); calaim.web.urls joins them under "web"."""

from django.urls import URLPattern, path

from calaim.web.views import mailroom, mailroom_letters

urlpatterns: list[URLPattern] = [
    path("mailroom/", mailroom.mailroom, name="mailroom"),
    path("mailroom/batches/", mailroom.batch_create, name="mail_batch_create"),
    path("mailroom/batches/<uuid:batch_id>/", mailroom.batch, name="mail_batch"),
    path("mailroom/batches/<uuid:batch_id>/letters.zip", mailroom.batch_zip, name="mail_batch_zip"),
    path("notices/<uuid:notice_id>/letter.pdf", mailroom_letters.letter_pdf, name="notice_letter"),
    path("notices/<uuid:notice_id>/letter/reprint/", mailroom_letters.letter_reprint, name="notice_letter_reprint"),
    path("notices/<uuid:notice_id>/returned/", mailroom_letters.notice_returned, name="notice_returned"),
    path("address-flags/<uuid:flag_id>/resolve/", mailroom_letters.flag_resolve, name="address_flag_resolve"),
]
