"""Public pages without login, mounted under public/ (policy §8.1, §8.7)."""

from django.urls import path

from .views import demand_public, performance_public

app_name = "supervision_public"

urlpatterns = [
    path("training-catalogue/", demand_public.public_catalogue, name="catalogue"),
    path("training-wish/", demand_public.public_wish_form, name="wish_form"),
    path("training-wish/done/", demand_public.public_wish_done, name="wish_done"),
    path("red-black-list/", performance_public.public_list, name="red_black_list"),
    path("institution-status/", performance_public.public_lookup, name="institution_status"),
]
