from django.urls import path

from baoxiu.evidence import views

app_name = "evidence"

urlpatterns = [
    path("console/jobs/<str:code>/evidence/", views.job_evidence, name="job"),
    path("console/jobs/<str:code>/evidence/photos/", views.job_photo_upload, name="photo_upload"),
    path("console/jobs/<str:code>/evidence/parts/", views.job_part_record, name="part_record"),
    path("console/jobs/<str:code>/evidence/code/", views.job_code_enter, name="code_enter"),
    path(
        "console/jobs/<str:code>/evidence/signature/",
        views.job_signature_enter,
        name="signature_enter",
    ),
    path("console/tickets/<str:code>/review/", views.review_resolve, name="review_resolve"),
    path(
        "console/tickets/<str:code>/photos/<int:photo_id>/", views.staff_photo, name="staff_photo"
    ),
    path(
        "t/<str:code>/<str:token>/photos/<int:photo_id>/",
        views.customer_photo,
        name="customer_photo",
    ),
    path("t/<str:code>/<str:token>/confirm/", views.customer_confirm, name="customer_confirm"),
]
