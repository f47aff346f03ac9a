from django.urls import path

from studio.review import (
    activity_views,
    board_views,
    notification_views,
    review_views,
    share_views,
)

urlpatterns: list = [
    path("activity/", activity_views.activity_page, name="activity"),
    path("notifications/", notification_views.notification_list, name="notifications"),
    path("notifications/settings/", notification_views.email_settings,
         name="notification_settings"),
    path("notifications/read/", notification_views.read_all, name="notifications_read"),
    path("notifications/<id:pk>/", notification_views.open_notification,
         name="notification_open"),
    # --- sharing and notes ---
    path("generations/<id:pk>/share/", share_views.create, name="generation_share"),
    path("links/<id:pk>/revoke/", share_views.revoke, name="share_link_revoke"),
    path("s/<str:token>/", share_views.shared, name="shared"),
    path("s/<str:token>/notes/", share_views.note, name="shared_note"),
    path("s/<str:token>/media", share_views.media, name="shared_media"),
    path("s/<str:token>/poster", share_views.media, {"which": "poster"}, name="shared_poster"),
    path("s/<str:token>/thumbnail", share_views.media, {"which": "thumbnail"},
         name="shared_thumbnail"),
    # --- boards ---
    path("boards/", board_views.board_list, name="boards"),
    path("boards/selection/", board_views.add_selection, name="board_add_selection"),
    path("boards/active/clear/", board_views.deactivate, name="board_deactivate"),
    path("boards/<id:pk>/", board_views.board, name="board"),
    path("boards/<id:pk>/edit/", board_views.edit, name="board_edit"),
    path("boards/<id:pk>/delete/", board_views.delete, name="board_delete"),
    path("boards/<id:pk>/add/", board_views.add, name="board_add"),
    path("boards/<id:pk>/remove/", board_views.remove, name="board_remove"),
    path("boards/<id:pk>/order/", board_views.reorder, name="board_order"),
    path("boards/<id:pk>/move/", board_views.move, name="board_move"),
    path("boards/<id:pk>/activate/", board_views.activate, name="board_activate"),
    path("generations/<id:pk>/tags/", review_views.tags, name="generation_tags"),
    path("tags/selection/", review_views.tag_selection, name="tag_selection"),
    path("generations/<id:pk>/review-status/", review_views.review_status,
         name="generation_review_status"),
]
