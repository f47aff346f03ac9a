from django.urls import path

from studio.multimodal import catalog
from studio.sandbox import views

API = catalog.API_BASE_PATH.lstrip("/")

urlpatterns = [
    *(
        path(f"{API}{kind.path}", views.generate, {"endpoint_type": kind.endpoint_type},
             name=f"sandbox_{kind.endpoint_type}")
        for kind in catalog.KINDS.values()
    ),
    path(f"{API}/usage", views.usage_list, name="sandbox_usage_list"),
    path(f"{API}/usage/<str:usage_id>", views.usage_detail, name="sandbox_usage_detail"),
    path(f"{API}/health", views.health, name="sandbox_health"),
    path(catalog.MANAGED_USAGE_PATH.lstrip("/"), views.managed_usage,
         name="sandbox_managed_usage"),
    path("faults/", views.set_faults, name="sandbox_faults"),
    path("files/<str:usage_id>.mp4", views.video_file, name="sandbox_file"),
]
