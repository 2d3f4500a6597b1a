from django.urls import path

from baoxiu.areas import views

app_name = "areas"

urlpatterns = [
    path("divisions/", views.division_browse, name="browse"),
    path("divisions/<str:code>/", views.division_browse, name="browse_division"),
    path("coverage/", views.coverage_overview, name="coverage"),
    path("coverage/import/", views.coverage_import_page, name="coverage_import"),
    path("coverage/import/<int:pk>/", views.coverage_import_result, name="coverage_import_result"),
]
