from django.urls import path

from baoxiu.privacy import views

app_name = "privacy"

urlpatterns = [
    path("", views.subject_requests, name="subjects"),
    path("<int:customer_id>/export/", views.subject_export_view, name="subject_export"),
    path("<int:customer_id>/erase/", views.subject_erase_view, name="subject_erase"),
]
