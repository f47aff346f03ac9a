from django.urls import path

from studio.storyboards import views

urlpatterns: list = [
    path("storyboards/", views.storyboard_list, name="storyboards"),
    path("storyboards/<id:pk>/", views.storyboard, name="storyboard"),
    path("storyboards/<id:pk>/edit/", views.edit, name="storyboard_edit"),
    path("storyboards/<id:pk>/make/", views.make, name="storyboard_make"),
    path("storyboards/<id:pk>/panel/", views.film_panel, name="storyboard_panel"),
    path("storyboards/<id:pk>/scenes/", views.scene_add, name="scene_add"),
    path("storyboards/scenes/<id:pk>/", views.scene_edit, name="scene_edit"),
    path("storyboards/scenes/<id:pk>/parts/", views.scene_parts, name="scene_parts"),
    path("storyboards/scenes/<id:pk>/move/", views.scene_move, name="scene_move"),
    path("storyboards/scenes/<id:pk>/split/", views.scene_split, name="scene_split"),
    path("storyboards/scenes/<id:pk>/retake/", views.retake, name="scene_retake"),
    path("storyboards/scenes/<id:pk>/remove/", views.scene_remove, name="scene_remove"),
]
