from django.urls import path

from . import views

app_name = "knowledge"
urlpatterns = [
    path("", views.help_page, name="help"),
    path("suggest/", views.suggest, name="suggest"),
    path("desk/", views.desk, name="desk"),
    path("new/", views.article_new, name="article_new"),
    path("from-ticket/<int:pk>/", views.article_from_ticket, name="article_from_ticket"),
    path("from-problem/<int:pk>/", views.article_from_problem, name="article_from_problem"),
    path("<str:reference>/", views.article_page, name="article"),
    path("<str:reference>/feedback/", views.feedback, name="feedback"),
    path("<str:reference>/solved/", views.deflect, name="deflect"),
    path("<str:reference>/edit/", views.article_edit, name="article_edit"),
    path("<str:reference>/images/", views.article_images, name="article_images"),
    path("<str:reference>/images/<int:image>/", views.article_image, name="article_image"),
    path("<str:reference>/status/", views.article_status, name="article_status"),
    path("<str:reference>/versions/", views.article_versions, name="article_versions"),
    path("<str:reference>/versions/<int:number>/", views.article_version, name="article_version"),
    path("<str:reference>/versions/<int:number>/restore/", views.article_restore, name="article_restore"),
]
