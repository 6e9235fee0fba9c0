from django.contrib import admin
from django.urls import include, path

from andon.api.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("reviews/", include("andon.reviews.urls")),
    path("bonuses/", include("andon.incentives.urls")),
    path("recovery/", include("andon.recovery.urls")),
    path("", include("andon.web.urls")),
]
