"""Every page needs the second factor once the password is accepted, for whoever must have one (rules.py) or has
enrolled one. Placed after django_otp's OTPMiddleware, which tells whether this session passed it."""

from django.contrib.auth.views import redirect_to_login
from django.urls import reverse

from .selectors import has_confirmed_device, is_second_factor_required_for

# Pages for the public (trainee form, check-in, printout verification, red/black list, demand catalogue) and the
# static files stay reachable whoever is half logged in on the same browser.
PUBLIC_PREFIXES = ("/static/", "/t/", "/c/", "/v/", "/public/", "/favicon.ico")


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not user.is_verified():
            if has_confirmed_device(user):
                target = "accounts:second_factor_verify"
            elif is_second_factor_required_for(user):
                target = "accounts:second_factor_enrol"
            else:
                target = None
            if target is not None:
                # Templates hide the navigation of a session that has not passed yet.
                request.second_factor_pending = True
                if not self._is_exempt(request.path):
                    return redirect_to_login(request.get_full_path(), reverse(target))
        return self.get_response(request)

    @staticmethod
    def _is_exempt(path: str) -> bool:
        own = (
            reverse("accounts:second_factor_enrol"),
            reverse("accounts:second_factor_verify"),
            reverse("accounts:logout"),
        )
        return path in own or path.startswith(PUBLIC_PREFIXES)
