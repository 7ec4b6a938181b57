from django.urls import path

from . import views

app_name = "blocs"

urlpatterns = [
    path("", views.bloc_list, name="bloc_list"),
    path("search/", views.search, name="search"),
    path("<int:pk>/", views.bloc_detail, name="bloc_detail"),
    path("<int:pk>/edit/", views.bloc_edit, name="bloc_edit"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization_detail"),
]
