"""The auditor (纪检监察/审计) changes nothing: every unsafe request by an auditor is refused here, in one place,
before any view runs, so a view that forgets a role check still cannot be used to write (issue #13 item 4)."""

from django.shortcuts import render

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

# URL names an auditor may POST to. Each one writes nothing but the auditor's own account or audit record:
# - logging out, and changing its own password (等保 asks every account to keep its password its own; the password
#   is no record under audit);
# - the pages that show full personal data only on POST (so no ID or phone number is in a URL) and record the read
#   as an AuditEvent: the auditor's reading of personal data must be possible and must be audited.
# - its own second factor (enrol, verify, renew recovery codes) and its own sessions.
AUDITOR_ALLOWED_UNSAFE_URL_NAMES = frozenset({
    "accounts:logout",
    "accounts:password_change",
    # The auditor's own second factor and sessions: without them it could not log in, or end a session it left open.
    "accounts:second_factor_enrol",
    "accounts:second_factor_verify",
    "accounts:second_factor_recovery_codes_new",
    "accounts:session_end",
    "accounts:sessions_end_others",
    "reports:trainee_search",
    "classes:enrollment_reveal",
    "supervision:teacher_reveal",
    "supervision:wish_reveal",
    "supervision:department_list_entry_reveal",
})

REFUSAL_MESSAGE = "纪检监察/审计账号只能查看，不能新增、修改、删除或提交任何内容。"


def is_refused_for_auditor(request) -> bool:
    user = getattr(request, "user", None)
    if request.method in SAFE_METHODS or user is None or not user.is_authenticated or not user.is_auditor:
        return False
    match = request.resolver_match
    return match is None or match.view_name not in AUDITOR_ALLOWED_UNSAFE_URL_NAMES


class AuditorReadOnlyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if is_refused_for_auditor(request):
            return render(request, "403.html", {"reason": REFUSAL_MESSAGE}, status=403)
        return None
