from django.urls import path

from studio.generations import gallery, queueing, review, selection, trash, views

urlpatterns = [
    path("", gallery.gallery, name="gallery"),
    path("gallery/poll/", gallery.poll, name="gallery_poll"),
    path("generate/<slug:slug>/", views.generate, name="generate"),
    path("generations/<id:pk>/", views.detail, name="generation_detail"),
    path("generations/<id:pk>/cancel/", views.cancel, name="generation_cancel"),
    path("generations/<id:pk>/pause/", queueing.pause, name="generation_pause"),
    path("generations/<id:pk>/resume/", queueing.resume, name="generation_resume"),
    path("generations/<id:pk>/top/", queueing.move_to_top, name="generation_top"),
    path("generations/<id:pk>/lane/", queueing.set_lane, name="generation_lane"),
    path("generations/<id:pk>/card/", views.card, name="generation_card"),
    path("generations/<id:pk>/viewer/", views.viewer, name="generation_viewer"),
    path("generations/<id:pk>/media", views.media, name="generation_media"),
    path("generations/<id:pk>/poster", views.derived_file, {"which": "poster"},
         name="generation_poster"),
    path("generations/<id:pk>/thumbnail", views.derived_file, {"which": "thumbnail"},
         name="generation_thumbnail"),
    path("generations/<id:pk>/delete/", trash.delete, name="generation_delete"),
    path("generations/<id:pk>/restore/", trash.restore, name="generation_restore"),
    path("trash/", trash.trash, name="trash"),
    path("shared/<str:token>/", views.shared_image, name="shared_image"),
    path("generations/<id:pk>/star/", review.star, name="generation_star"),
    path("generations/<id:pk>/review/", review.review_block, name="generation_review"),
    path("generations/<id:pk>/rate/", review.rate, name="generation_rate"),
    path("generations/<id:pk>/comments/", review.comment, name="generation_comment"),
    path("comments/<id:comment_id>/delete/", review.delete_comment, name="comment_delete"),
    path("compare/", selection.compare, name="compare"),
    path("generations/zip/", selection.download_zip, name="generations_zip"),
]
