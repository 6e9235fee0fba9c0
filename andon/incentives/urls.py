from django.urls import path, re_path

from . import views

app_name = "incentives"
urlpatterns = [
    path("statement/", views.statement, name="statement"),
    re_path(r"^statement\.(?P<fmt>csv|xlsx)$", views.statement_export, name="statement_export"),
]
