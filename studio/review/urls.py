from django.urls import path

from studio.review import share_views

urlpatterns: list = [
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
