"""Web routes for the plan's state reports and closed-loop monitoring (its compliance officers and data analysts);
calaim.web.urls joins them under the "web" namespace."""

from django.urls import URLPattern, path

from calaim.web.views import loop_monitoring, qimr

urlpatterns: list[URLPattern] = [
    path("data/qimr/", qimr.qimr, name="qimr"),
    path("data/qimr/workbook.xlsx", qimr.qimr_download, name="qimr_download"),
    path("data/closed-loop/", loop_monitoring.loop_monitoring, name="loop_monitoring"),
    path("data/closed-loop.csv", loop_monitoring.loop_monitoring_csv, name="loop_monitoring_csv"),
]
