from django.urls import path

from studio.events import stream

urlpatterns = [path("events/", stream.events, name="events")]
