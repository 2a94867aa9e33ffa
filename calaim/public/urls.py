"""The plans' public pages: the list of plans, and each plan's ECM and Community Supports page and long-term care
overview in each of its languages."""

from django.urls import path

from calaim.public import views

app_name = "public"

urlpatterns = [
    path("", views.index, name="index"),
    path("<str:plan_code>/", views.plan_redirect, name="plan_redirect"),
    path("<str:plan_code>/<str:lang>/", views.plan_page, name="plan"),
    path("<str:plan_code>/<str:lang>/long-term-care/", views.long_term_care, name="long_term_care"),
]
