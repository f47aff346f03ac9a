from django.urls import path

from studio.credits import views

urlpatterns = [
    path("credits/", views.credits_page, name="credits"),
    path("credits/export.csv", views.export_csv, name="credits_export"),
]
