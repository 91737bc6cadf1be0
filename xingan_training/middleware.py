"""Response headers every page carries (等保2.0: protection against XSS, framing and MIME sniffing), and the refusal
of NUL bytes in requests."""

from django.conf import settings
from django.http import HttpResponseBadRequest


# Every asset is served from this host: no inline script, no CDN, no framing by anyone.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# Django's admin ships inline style attributes; it is for superusers only and keeps its own page set.
ADMIN_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = "/admin/"

    def __call__(self, request):
        response = self.get_response(request)
        is_admin = request.path.startswith(self.admin_prefix)
        response.setdefault("Content-Security-Policy", ADMIN_CONTENT_SECURITY_POLICY if is_admin else CONTENT_SECURITY_POLICY)
        response.setdefault("X-Content-Type-Options", "nosniff")
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            # Pages with personal data must not be kept by shared browsers or proxies.
            response.setdefault("Cache-Control", "no-store")
        return response




def _declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _has_nul_byte(request) -> bool:
    if "\x00" in request.path:
        return True
    # A body larger than any form is left unread here: the view that takes uploads refuses it by its declared
    # length before reading (a photo upload), and form fields refuse NUL bytes themselves.
    sources = [request.GET]
    if request.method == "POST" and _declared_length(request) <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        sources.append(request.POST)
    for data in sources:
        for key, values in data.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return True
    return False


class RejectNulBytesMiddleware:
    """A NUL byte (%00) in the path, a query parameter or a form field gets 400. No page needs one, and PostgreSQL
    refuses it in text, which would turn a search box or a filter into a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul_byte(request):
            return HttpResponseBadRequest("请求中含有不允许的空字符（%00），请检查输入后重试。", content_type="text/plain; charset=utf-8")
        return self.get_response(request)
