from django.contrib import admin
from django.urls import include, path

from andon.api.api import api
from andon.web import urls as web_urls

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("reviews/", include(web_urls.reviews_urls)),
    path("bonuses/", include(web_urls.incentives_urls)),
    path("recovery/", include(web_urls.recovery_urls)),
    path("", include("andon.web.urls")),
]
