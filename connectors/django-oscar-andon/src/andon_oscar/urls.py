from django.urls import path

from . import views

app_name = "andon_oscar"
urlpatterns = [path("webhooks", views.webhook, name="webhook")]
