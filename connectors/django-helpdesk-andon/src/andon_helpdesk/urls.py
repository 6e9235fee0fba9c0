from django.urls import path

from . import views

app_name = "andon_helpdesk"
urlpatterns = [
    path("tickets/<int:ticket_id>/pull", views.pull, name="pull"),
    path("webhooks", views.webhook, name="webhook"),
]
