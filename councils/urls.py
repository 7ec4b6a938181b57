from django.urls import path

from . import views

app_name = "councils"

urlpatterns = [
    path("", views.council_list, name="list"),
    path("<int:body>/<int:year>/", views.council_detail, name="detail"),
    path("<int:body>/<int:year>/xlsx/", views.council_xlsx, name="xlsx"),
    path("proposals/<int:pk>/decide/", views.decide, name="decide"),
    path("proposals/<int:pk>/hold/", views.hold, name="hold"),
    path("holds/<int:pk>/lift/", views.lift, name="lift"),
]
