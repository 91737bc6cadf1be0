from django.urls import path

from . import views
from .second_factor import views as second_factor_views
from .user_sessions import views as session_views

app_name = "accounts"

urlpatterns = [
    path("login/", views.PortalLoginView.as_view(), name="login"),
    path("logout/", views.PortalLogoutView.as_view(), name="logout"),
    path("password/", views.PortalPasswordChangeView.as_view(), name="password_change"),
    path("security/", views.security, name="security"),
    path("second-factor/enrol/", second_factor_views.enrol, name="second_factor_enrol"),
    path("second-factor/verify/", second_factor_views.verify, name="second_factor_verify"),
    path("second-factor/recovery-codes/", second_factor_views.recovery_codes, name="second_factor_recovery_codes"),
    path("second-factor/recovery-codes/new/", second_factor_views.recovery_codes_new, name="second_factor_recovery_codes_new"),
    path("second-factor/policy/", second_factor_views.policy, name="second_factor_policy"),
    path("sessions/<int:pk>/end/", session_views.session_end, name="session_end"),
    path("sessions/end-others/", session_views.sessions_end_others, name="sessions_end_others"),
]
