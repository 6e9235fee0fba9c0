from django.urls import path, re_path

from .views import (
    agent,
    andons,
    detection,
    flywheel,
    home,
    incentives,
    integrity,
    membership,
    proactive,
    products,
    queues,
    recovery,
    reviews,
)

app_name = "web"
urlpatterns = [
    path("", home.home, name="home"),
    path("healthz", home.healthz, name="healthz"),
    path("overview/", home.overview, name="overview"),
    path("team/", home.team, name="team"),
    path("agent/", agent.workspace, name="workspace"),
    path("customers/<str:external_id>/", agent.customer, name="customer"),
    path("customers/<str:external_id>/contacts", agent.contact_create, name="contact_create"),
    path("customers/<str:external_id>/phone", agent.phone_reveal, name="phone_reveal"),
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
    path(
        "andons/<int:andon_id>/proactive-recovery",
        proactive.proactive_create,
        name="proactive_recovery",
    ),
    path(
        "andons/<int:andon_id>/proactive-recovery/progress",
        proactive.proactive_progress,
        name="proactive_progress",
    ),
    path("membership/", membership.membership_index, name="membership"),
    path("membership/launches/<slug:code>/", membership.launch_detail, name="launch"),
    path("problems/", detection.problems_index, name="problems"),
    path("flywheel/", flywheel.flywheel, name="flywheel"),
    re_path(r"^flywheel\.(?P<fmt>csv|xlsx)$", flywheel.flywheel_export, name="flywheel_export"),
    path("flywheel/rows/", flywheel.flywheel_rows, name="flywheel_rows"),
    path("flywheel/scorecards/", flywheel.scorecards_page, name="scorecards"),
    re_path(
        r"^flywheel/scorecards\.(?P<fmt>csv|xlsx)$",
        flywheel.scorecards_export,
        name="scorecards_export",
    ),
    path("inbox/", flywheel.inbox_page, name="inbox"),
    path("inbox/read", flywheel.inbox_read, name="inbox_read"),
    path("problems/<int:problem_id>/", detection.problem_detail, name="problem"),
    path(
        "problems/<int:problem_id>/<str:action>",
        detection.problem_correct,
        name="problem_correct",
    ),
    path("integrity/", integrity.integrity_index, name="integrity"),
    path("integrity/signals/<int:signal_id>/", integrity.signal_detail, name="integrity_signal"),
    path(
        "integrity/signals/<int:signal_id>/decide",
        integrity.signal_decide,
        name="integrity_decide",
    ),
]

# Pages mounted under their own prefixes and namespaces (config/urls.py), URLs unchanged.
reviews_urls = (
    [
        path("", reviews.queue, name="queue"),
        path("andons/<int:andon_id>/", reviews.review, name="review"),
        path("andons/<int:andon_id>/correct/", reviews.correct, name="correct"),
        path("kpis/", reviews.kpis, name="kpis"),
        path("kpis.csv", reviews.kpis_export, name="kpis_export"),
        path("kpis/drill/", reviews.drill, name="drill"),
        path("actions/", reviews.actions, name="actions"),
        path("actions/<int:action_id>/done", reviews.action_done, name="action_done"),
        path("monday/", reviews.monday, name="monday"),
    ],
    "reviews",
)
incentives_urls = (
    [
        path("statement/", incentives.statement, name="statement"),
        re_path(
            r"^statement\.(?P<fmt>csv|xlsx)$",
            incentives.statement_export,
            name="statement_export",
        ),
    ],
    "incentives",
)
recovery_urls = (
    [path("contacts/<int:contact_id>/", recovery.contact_recovery, name="contact")],
    "recovery",
)
