from django.urls import path

from baoxiu.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("report/", views.report, name="report"),
    path("t/<str:code>/<str:token>/", views.track, name="track"),
]
