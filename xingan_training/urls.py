from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from reports.home import home
from reports.verification.views import printout_lookup, printout_verify
from evaluations.views import trainee_form
from supervision.views.attendance import check_in

admin.site.site_header = "兴安盟职业技能培训质量监督平台 · 系统管理"
admin.site.site_title = "系统管理"

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("classes/", include("classes.urls")),
    path("evaluations/", include("evaluations.urls")),
    path("followups/", include("followups.urls")),
    path("reports/", include("reports.urls")),
    path("supervision/", include("supervision.urls")),
    path("public/", include("supervision.public_urls")),
    # Short public path for the trainee's phone (QR code); the token is the only key.
    path("t/<str:token>/", trainee_form, name="trainee_form_public"),
    # The classroom check-in code (policy §8.3): the rotating token is the only key.
    path("c/<str:token>/", check_in, name="check_in_public"),
    # A printout's QR code and typed code (reports/verification): the public check of a printed form.
    path("v/", printout_lookup, name="printout_lookup"),
    path("v/<str:code>/", printout_verify, name="printout_verify"),
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico on pages without a <link rel="icon"> (the 500 page, PDFs, plain responses).
    # Lazy: the static URL carries the file's hash, known only once the static files are collected.
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("favicon.ico"))),
]
