from django.urls import path

from studio.finishing import bundles, views

urlpatterns = [
    path("generate/mix/", views.mix, name="mix"),
    path("generate/sequence/", views.join, name="join"),
    path("generations/<id:pk>/subtitles.<str:fmt>", views.captions, name="subtitles"),
    path("generations/<id:pk>/export.<str:fmt>", views.export, name="export"),
    path("generations/<id:pk>/exports/<str:fmt>/", views.export_page, name="export_page"),
    path("generations/<id:pk>/parts.zip", bundles.parts_zip, name="parts_zip"),
]
