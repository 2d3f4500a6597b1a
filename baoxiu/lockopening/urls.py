from django.urls import path

from baoxiu.lockopening import views

app_name = "lockopening"

urlpatterns = [
    path("console/jobs/<str:code>/lock-opening/", views.register_form, name="form"),
    path("console/tickets/<str:code>/lock-opening/print/", views.register_print, name="print"),
    path(
        "console/tickets/<str:code>/lock-opening/<str:kind>.jpg",
        views.register_image,
        name="image",
    ),
]
