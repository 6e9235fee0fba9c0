from django.urls import path

from . import views

app_name = "reviews"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("andons/<int:andon_id>/", views.review, name="review"),
    path("kpis/", views.kpis, name="kpis"),
    path("kpis/drill/", views.drill, name="drill"),
    path("actions/", views.actions, name="actions"),
    path("actions/<int:action_id>/done", views.action_done, name="action_done"),
    path("monday/", views.monday, name="monday"),
]
