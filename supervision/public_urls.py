"""Public pages without login, mounted under public/ (policy §8.1)."""

from django.urls import path

from .views import demand_public

app_name = "supervision_public"

urlpatterns = [
    path("training-catalogue/", demand_public.public_catalogue, name="catalogue"),
    path("training-wish/", demand_public.public_wish_form, name="wish_form"),
    path("training-wish/done/", demand_public.public_wish_done, name="wish_done"),
]
