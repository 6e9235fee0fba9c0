from django.urls import path

from .views import agent, andons, detection, home, products, queues

app_name = "web"
urlpatterns = [
    path("", home.home, name="home"),
    path("healthz", home.healthz, name="healthz"),
    path("overview/", home.overview, name="overview"),
    path("team/", home.team, name="team"),
    path("agent/", agent.workspace, name="workspace"),
    path("customers/<str:external_id>/", agent.customer, name="customer"),
    path("customers/<str:external_id>/contacts", agent.contact_create, name="contact_create"),
    path("products/<str:sku>/", products.product_detail, name="product"),
    path("products/<str:sku>/cord", products.cord_open, name="cord"),
    path("products/<str:sku>/pull", products.pull, name="pull"),
    path("departments/<slug:code>/", queues.department_queue, name="department_queue"),
    path("confirm/", queues.confirm_queue, name="confirm_queue"),
    path(
        "work-orders/<int:work_order_id>/<str:action>",
        queues.work_order_step,
        name="work_order_step",
    ),
    path("andons/", andons.andons_index, name="andons"),
    path("andons/<int:andon_id>/", andons.andon_detail, name="andon"),
    path("problems/", detection.problems_index, name="problems"),
    path("problems/<int:problem_id>/", detection.problem_detail, name="problem"),
    path(
        "problems/<int:problem_id>/<str:action>",
        detection.problem_correct,
        name="problem_correct",
    ),
]
