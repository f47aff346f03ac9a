from django.urls import path

from studio.storyboards import views

urlpatterns: list = [
    path("storyboards/", views.storyboard_list, name="storyboards"),
    path("storyboards/<id:pk>/", views.storyboard, name="storyboard"),
]
