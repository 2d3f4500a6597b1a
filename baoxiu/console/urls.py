from django.urls import path

from baoxiu.console import views

app_name = "console"

urlpatterns = [
    path("", views.home, name="home"),
    path("tickets/", views.tickets, name="tickets"),
    path("tickets/new/", views.ticket_new, name="ticket_new"),
    path("tickets/<str:code>/", views.ticket_detail, name="ticket_detail"),
    path("tickets/<str:code>/action/", views.ticket_action, name="ticket_action"),
    path("tickets/<str:code>/reveal/", views.ticket_reveal, name="ticket_reveal"),
    path(
        "tickets/<str:code>/tracking-reset/",
        views.ticket_tracking_reset_view,
        name="ticket_tracking_reset",
    ),
    path("audit/", views.audit_log, name="audit"),
    path("dispatch/", views.dispatch, name="dispatch"),
    path("dispatch/alerts/<int:pk>/ack/", views.alert_acknowledge, name="alert_ack"),
    path("jobs/", views.my_jobs, name="my_jobs"),
    path("jobs/location/", views.my_location, name="my_location"),
]
