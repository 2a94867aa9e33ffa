"""Web routes for provider files (the plan's page, the provider's page, a load's report, the files calaim makes) and
member services' review of the contact updates providers report; calaim.web.urls joins them under "web"."""

from django.urls import URLPattern, path

from calaim.web.views import exchange, exchange_worklist

urlpatterns: list[URLPattern] = [
    path("data/exchange/", exchange.plan_files, name="exchange_plan"),
    path("exchange/", exchange.provider_files, name="exchange_provider"),
    path("data/exchange/rtf-missing/", exchange_worklist.rtf_missing_panel, name="exchange_rtf_missing"),
    path("exchange/loads/<uuid:load_id>/", exchange.load, name="exchange_load"),
    path("exchange/loads/<uuid:load_id>/status/", exchange.load_status, name="exchange_load_status"),
    path("exchange/loads/<uuid:load_id>/rejects.csv", exchange.rejects, name="exchange_load_rejects"),
    path("exchange/exports/", exchange.export_create, name="exchange_export_create"),
    path("exchange/exports/<uuid:export_id>/file", exchange.export_download, name="exchange_export_download"),
    path("contact-updates/<uuid:update_id>/accept/", exchange_worklist.accept, name="contact_update_accept"),
    path("contact-updates/<uuid:update_id>/dismiss/", exchange_worklist.dismiss, name="contact_update_dismiss"),
]
