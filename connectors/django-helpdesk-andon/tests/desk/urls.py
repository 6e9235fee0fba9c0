from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("andon/", include("andon_helpdesk.urls")),
    path("helpdesk/", include("helpdesk.urls", namespace="helpdesk")),
]
