from django.urls import path

from baoxiu.support import views

app_name = "support"

urlpatterns = [
    # public
    path("verify/", views.verify, name="verify"),
    path("verify/b/<str:code>/", views.verify_badge, name="verify_badge"),
    path("verify/b/<str:code>/qr.svg", views.verify_badge_qr, name="verify_badge_qr"),
    path("verify/b/<str:code>/photo", views.verify_badge_photo, name="verify_badge_photo"),
    path("support/chat/", views.chat_start, name="chat_start"),
    path("support/chat/<str:token>/", views.chat, name="chat"),
    path("support/chat/<str:token>/log/", views.chat_log, name="chat_log"),
    path("t/<str:code>/<str:token>/chat/", views.ticket_chat, name="ticket_chat"),
    # console
    path("console/support/", views.inbox, name="inbox"),
    path("console/support/c/<int:pk>/", views.conversation, name="conversation"),
    path("console/support/c/<int:pk>/log/", views.conversation_log, name="conversation_log"),
    path(
        "console/support/c/<int:pk>/assign/",
        views.conversation_assign_view,
        name="conversation_assign",
    ),
    path(
        "console/support/c/<int:pk>/close/",
        views.conversation_close_view,
        name="conversation_close",
    ),
    path(
        "console/support/c/<int:pk>/ticket/", views.conversation_ticket, name="conversation_ticket"
    ),
    path("console/support/canned/", views.canned_list, name="canned"),
    path("console/support/canned/<int:pk>/toggle/", views.canned_toggle, name="canned_toggle"),
    path("console/support/calls/ringing/", views.call_ringing, name="call_ringing"),
    path("console/support/calls/<str:call_id>/", views.call_screen, name="call"),
    path("console/support/calls/<str:call_id>/attach/", views.call_attach, name="call_attach"),
    path(
        "console/support/technicians/<int:pk>/badge/",
        views.technician_badge,
        name="technician_badge",
    ),
]
