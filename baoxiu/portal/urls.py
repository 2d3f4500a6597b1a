from django.urls import path

from baoxiu.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("report/", views.report, name="report"),
    path("coverage/", views.coverage_check, name="coverage"),
    path("privacy/", views.privacy_notice, name="privacy_notice"),
    path("t/<str:code>/<str:token>/", views.track, name="track"),
    path("t/<str:code>/<str:token>/appointment/", views.book_appointment, name="book"),
]
