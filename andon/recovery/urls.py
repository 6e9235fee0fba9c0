from django.urls import path

from . import views

app_name = "recovery"
urlpatterns = [
    path("contacts/<int:contact_id>/", views.contact_recovery, name="contact"),
]
