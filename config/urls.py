from django.contrib import admin
from django.urls import include, path

from baoxiu.api.urls import api

urlpatterns = [
    path("", include("baoxiu.portal.urls")),
    path("", include("baoxiu.support.urls")),
    # On-site evidence, lock-opening register, customer feedback: console and tracking-link pages.
    path("", include("baoxiu.evidence.urls")),
    path("", include("baoxiu.lockopening.urls")),
    path("", include("baoxiu.feedback.urls")),
    path("accounts/", include("baoxiu.accounts.urls")),
    path("console/", include("baoxiu.console.urls")),
    path("console/areas/", include("baoxiu.areas.urls")),
    path("console/privacy/", include("baoxiu.privacy.urls")),
    path("", include("baoxiu.pricing.urls")),
    path("", include("baoxiu.quotes.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("baoxiu.core.urls")),
]
