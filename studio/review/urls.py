from django.urls import path

from studio.review import activity_views, notification_views

urlpatterns: list = [
    path("activity/", activity_views.activity_page, name="activity"),
    path("notifications/", notification_views.notification_list, name="notifications"),
    path("notifications/settings/", notification_views.email_settings,
         name="notification_settings"),
    path("notifications/read/", notification_views.read_all, name="notifications_read"),
    path("notifications/<id:pk>/", notification_views.open_notification,
         name="notification_open"),
]
