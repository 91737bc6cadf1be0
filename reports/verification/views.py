"""The public verification page (no login), opened from a printout's QR code or by typing its code."""

from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from .codes import normalise_code
from .services import printout_check
from .throttle import lookup_refused

NOT_FOUND = "未找到该核验码对应的打印件。请核对核验码；如仍无法核验，该打印件可能不是由本平台打印的。"


def _page(request, context: dict, *, status: int = 200):
    response = render(request, "reports/verification/verify.html", context, status=status)
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
def printout_lookup(request):
    """The form to type a code; a typed code goes to its page (the same address the QR code holds)."""
    typed = request.GET.get("code", "")
    if typed:
        code = normalise_code(typed)
        if code is not None:
            return redirect("printout_verify", code=code)
        return _page(request, {"typed": typed[:40], "error": "核验码格式不正确：应为12位字母和数字（不含I、L、O、U）。"}, status=400)
    return _page(request, {})


@never_cache
def printout_verify(request, code):
    if lookup_refused(request):
        return _page(request, {"error": "查询过于频繁，请稍后再试。"}, status=429)
    normalised = normalise_code(code)
    if normalised is not None and normalised != code:
        return redirect("printout_verify", code=normalised)  # typed by hand: a-b-c, lower case, O for 0
    check = printout_check(normalised) if normalised else None
    if check is None:
        return _page(request, {"typed": code[:40], "error": NOT_FOUND}, status=404)
    return _page(request, {"check": check})
