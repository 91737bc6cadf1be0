"""Enrolment (QR code drawn here with segno), verification after the password, recovery codes shown once, and the
league's switch for institution staff."""

import base64

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from .forms import SecondFactorCodeForm, SecondFactorPolicyForm
from .selectors import can_set_second_factor_policy, confirmed_totp_device, has_confirmed_device
from .services import (
    SecondFactorError,
    recovery_codes_renew,
    second_factor_enrol,
    second_factor_policy_set,
    second_factor_verify,
    totp_device_pending,
)

# The codes are kept in the session between the POST that made them and the page that shows them once.
SESSION_CODES_KEY = "recovery_codes_once"


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return candidate
    return "/"


def _show_codes_once(request, codes: list[str], next_url: str):
    request.session[SESSION_CODES_KEY] = codes
    url = reverse("accounts:second_factor_recovery_codes")
    return redirect(f"{url}?{urlencode({'next': next_url})}" if next_url != "/" else url)


@login_required
@sensitive_post_parameters("code")
def enrol(request):
    if has_confirmed_device(request.user):
        return redirect(_next_url(request) if request.user.is_verified() else "accounts:second_factor_verify")
    device = totp_device_pending(user=request.user)
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = second_factor_enrol(request=request, token=form.cleaned_data["code"])
        except SecondFactorError as error:
            form.add_error("code", str(error))
        else:
            messages.success(request, "二次验证已启用。")
            return _show_codes_once(request, codes, _next_url(request))
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=4, border=2, title="身份验证器二维码")
    return render(request, "accounts/second_factor_enrol.html", {
        "form": form,
        "qr_svg": mark_safe(qr_svg),  # segno's own markup: the URL is ours, no user text is in it
        "secret": base64.b32encode(device.bin_key).decode(),
        "next": _next_url(request),
        "second_factor_pending": not request.user.is_verified(),
    })


@login_required
@sensitive_post_parameters("code")
def verify(request):
    if request.user.is_verified():
        return redirect(_next_url(request))
    if confirmed_totp_device(request.user) is None:
        return redirect("accounts:second_factor_enrol")
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            second_factor_verify(request=request, token=form.cleaned_data["code"])
        except SecondFactorError as error:
            form.add_error("code", str(error))
        else:
            return redirect(_next_url(request))
    return render(request, "accounts/second_factor_verify.html", {
        "form": form, "next": _next_url(request), "second_factor_pending": True,
    })


@login_required
def recovery_codes(request):
    codes = request.session.pop(SESSION_CODES_KEY, None)
    if not codes:
        messages.info(request, "恢复码只显示一次。如已遗失，请重新生成。")
        return redirect("accounts:security")
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": _next_url(request)})


@login_required
@require_POST
def recovery_codes_new(request):
    try:
        codes = recovery_codes_renew(request=request)
    except SecondFactorError as error:
        messages.error(request, str(error))
        return redirect("accounts:security")
    return _show_codes_once(request, codes, "/")


@login_required
@require_POST
def policy(request):
    if not can_set_second_factor_policy(request.user):
        raise Http404
    form = SecondFactorPolicyForm(request.POST)
    form.is_valid()  # a single checkbox: absent means False
    second_factor_policy_set(
        actor=request.user, institutions_required=form.cleaned_data.get("institutions_required", False), request=request
    )
    messages.success(request, "二次验证要求已保存。")
    return redirect("accounts:security")
