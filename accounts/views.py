from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters

from .forms import LoginForm
from .second_factor.forms import SecondFactorPolicyForm
from .second_factor.selectors import (
    can_set_second_factor_policy,
    has_confirmed_device,
    is_second_factor_required_for,
    recovery_codes_left,
    second_factor_policy,
)
from .user_sessions.selectors import user_sessions_of
from .user_sessions.services import user_session_rekey, user_sessions_end_others


@method_decorator(sensitive_post_parameters("password"), name="dispatch")
class PortalLoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class PortalLogoutView(auth_views.LogoutView):
    pass


@method_decorator(sensitive_post_parameters("old_password", "new_password1", "new_password2"), name="dispatch")
class PortalPasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        old_key = self.request.session.session_key
        # update_session_auth_hash (in super) keeps this session, under a new key; the others end here.
        response = super().form_valid(form)
        user_session_rekey(old_key=old_key, new_key=self.request.session.session_key)
        ended = user_sessions_end_others(request=self.request)
        messages.success(self.request, f"密码已修改，已结束其他 {ended} 个会话。" if ended else "密码已修改。")
        return response


@login_required
def security(request):
    """The user's own account security: second factor and active sessions; league staff also set whether
    institution staff must use a second factor."""
    user = request.user
    return render(request, "accounts/security.html", {
        "has_second_factor": has_confirmed_device(user),
        "is_second_factor_required": is_second_factor_required_for(user),
        "recovery_codes_left": recovery_codes_left(user),
        "sessions": user_sessions_of(user),
        "current_session_key": request.session.session_key,
        "policy_form": SecondFactorPolicyForm(initial={
            "institutions_required": second_factor_policy().institutions_required
        }) if can_set_second_factor_policy(user) else None,
    })
