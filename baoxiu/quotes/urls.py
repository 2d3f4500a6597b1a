from django.urls import path

from baoxiu.quotes import views

app_name = "quotes"

urlpatterns = [
    path("console/jobs/<str:code>/quote/", views.job_quote, name="job_quote"),
    path("console/jobs/<str:code>/quote/status/", views.job_quote_status, name="job_quote_status"),
    path("console/jobs/<str:code>/serial/", views.job_serial, name="job_serial"),
    path("console/jobs/<str:code>/quote/<int:number>/code/", views.job_quote_code, name="job_code"),
    path("console/jobs/<str:code>/payment/", views.job_payment, name="job_payment"),
    path("console/serials/", views.serial_history, name="serial_history"),
    path(
        "t/<str:code>/<str:token>/quote/<int:number>/decision/",
        views.track_quote_decide,
        name="track_decide",
    ),
    path("receipt/<str:token>/", views.receipt, name="receipt"),
]
