from django.urls import path

from . import views

app_name = "sites"
urlpatterns = [
    path("", views.site_list, name="site_list"),
    path("<int:site_id>/", views.site_detail, name="site_detail"),
    path("<int:site_id>/labels/", views.site_labels, name="site_labels"),
    path("assets/", views.asset_list, name="asset_list"),
    path("assets/<str:asset_tag>/", views.asset_detail, name="asset_detail"),
    # What a label's QR code opens; the project also mounts this view at the root as /a/<tag> (asset_qr).
    path("a/<str:asset_tag>", views.asset_qr, name="asset_qr"),
]
