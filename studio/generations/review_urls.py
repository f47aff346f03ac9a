from django.urls import path

from studio.generations import review

urlpatterns = [
    path("generations/<id:pk>/star/", review.star, name="generation_star"),
    path("generations/<id:pk>/review/", review.review_block, name="generation_review"),
    path("generations/<id:pk>/rate/", review.rate, name="generation_rate"),
    path("generations/<id:pk>/comments/", review.comment, name="generation_comment"),
    path("comments/<id:comment_id>/delete/", review.delete_comment, name="comment_delete"),
    path("compare/", review.compare, name="compare"),
    path("generations/zip/", review.download_zip, name="generations_zip"),
]
