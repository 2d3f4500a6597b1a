from django.urls import path

from baoxiu.feedback import views

app_name = "feedback"

urlpatterns = [
    path("t/<str:code>/<str:token>/complaint/", views.complaint, name="complaint"),
    path("t/<str:code>/<str:token>/cancel/", views.cancel, name="cancel"),
    path("t/<str:code>/<str:token>/rate/", views.rate, name="rate"),
    path("console/followups/", views.desk_followups, name="desk_followups"),
    path(
        "console/tickets/<str:code>/complaints/<int:complaint_id>/handle/",
        views.complaint_handle_view,
        name="complaint_handle",
    ),
]
