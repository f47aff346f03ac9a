from django.urls import include, path

from studio.generations import gallery, trash, views

urlpatterns = [
    path("", include("studio.generations.review_urls")),
    path("", gallery.gallery, name="gallery"),
    path("gallery/poll/", gallery.poll, name="gallery_poll"),
    path("generate/<slug:slug>/", views.generate, name="generate"),
    path("generations/<id:pk>/", views.detail, name="generation_detail"),
    path("generations/<id:pk>/cancel/", views.cancel, name="generation_cancel"),
    path("generations/<id:pk>/card/", views.card, name="generation_card"),
    path("generations/<id:pk>/media", views.media, name="generation_media"),
    path("generations/<id:pk>/poster", views.poster, name="generation_poster"),
    path("generations/<id:pk>/thumbnail", views.thumbnail, name="generation_thumbnail"),
    path("generations/<id:pk>/delete/", trash.delete, name="generation_delete"),
    path("generations/<id:pk>/restore/", trash.restore, name="generation_restore"),
    path("trash/", trash.trash, name="trash"),
    path("shared/<str:token>/", views.shared_image, name="shared_image"),
]
