from django.urls import path

from baoxiu.core import views

urlpatterns = [path("healthz", views.healthz, name="healthz")]
