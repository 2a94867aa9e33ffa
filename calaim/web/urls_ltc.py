"""Routes of the long-term care pages; calaim.web.urls joins them under the "web" namespace."""

from django.urls import URLPattern, path

from calaim.web.views import ltc

urlpatterns: list[URLPattern] = [
    path("ltc/", ltc.ltc_home, name="ltc"),
    path("members/<uuid:member_id>/ltc/stays/", ltc.stay_record, name="ltc_stay_record"),
    path("ltc/stays/<uuid:stay_id>/discharge/", ltc.stay_discharge, name="ltc_stay_discharge"),
    path("members/<uuid:member_id>/ltc/pasrr/", ltc.pasrr_record, name="ltc_pasrr_record"),
    path("members/<uuid:member_id>/ltc/pcs/", ltc.pcs_record, name="ltc_pcs_record"),
    path("ltc/pcs/<uuid:pcs_id>/revoke/", ltc.pcs_revoke, name="ltc_pcs_revoke"),
    path("tasks/<uuid:task_id>/ride/", ltc.ride_set, name="ltc_ride_set"),
]
