from django.urls import path

from studio.generations import review

urlpatterns = [
    path("generations/<int:pk>/star/", review.star, name="generation_star"),
    path("generations/<int:pk>/review/", review.review_block, name="generation_review"),
    path("generations/<int:pk>/rate/", review.rate, name="generation_rate"),
    path("generations/<int:pk>/comments/", review.comment, name="generation_comment"),
    path("comments/<int:comment_id>/delete/", review.delete_comment, name="comment_delete"),
    path("compare/", review.compare, name="compare"),
    path("generations/zip/", review.download_zip, name="generations_zip"),
]
