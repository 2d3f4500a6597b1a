from django.urls import path

from baoxiu.pricing import views

app_name = "pricing"

urlpatterns = [
    path("prices/", views.board, name="board"),
    path("console/prices/", views.versions, name="versions"),
    path("console/prices/drafts/", views.draft_create, name="draft_create"),
    path("console/prices/<int:number>/", views.version_detail, name="version_detail"),
    path("console/prices/<int:number>/publish/", views.publish, name="publish"),
    path(
        "console/prices/<int:number>/items/<int:item_id>/remove/",
        views.item_remove,
        name="item_remove",
    ),
]
