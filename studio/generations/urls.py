from django.urls import include, path

from studio.generations import views

urlpatterns = [
    path("", include("studio.generations.review_urls")),
    path("", views.gallery, name="gallery"),
    path("gallery/poll/", views.poll, name="gallery_poll"),
    path("generate/<slug:slug>/", views.generate, name="generate"),
    path("generations/<int:pk>/", views.detail, name="generation_detail"),
    path("generations/<int:pk>/cancel/", views.cancel, name="generation_cancel"),
    path("generations/<int:pk>/card/", views.card, name="generation_card"),
    path("generations/<int:pk>/media", views.media, name="generation_media"),
    path("generations/<int:pk>/poster", views.poster, name="generation_poster"),
    path("shared/<str:token>/", views.shared_image, name="shared_image"),
]
