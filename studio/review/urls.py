from django.urls import path

from studio.review import activity_views, notification_views, share_views

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
]
