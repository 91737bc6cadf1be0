"""Pages of daily attendance (policy §8.3): the class site, the classroom code on the projector, the trainee's
check-in on the phone, and the county's day view, trainee list and photo spot checks.
Reads go through supervision.attendance_selectors, writes through supervision.attendance."""

import re
import secrets
from datetime import date, timedelta

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts.security import client_ip
from classes.selectors import classes_visible_to, enrollments_visible_to
from xingan_training.errors import ServiceError

from .. import attendance as services
from .. import attendance_selectors as selectors
from .. import checkin_codes, geo, rules
from ..attendance_forms import (
    CheckInForm,
    ClassSiteForm,
    DismissForm,
    SpotCheckDrawForm,
    VerdictForm,
)
from ..attendance_permissions import (
    attendance_actions_for,
    can_see_evidence,
    is_training_day,
)
from ..models import ClassSite, PhotoSpotCheckItem

PAGE_SIZE = 30
RECENT_DAYS = 30  # finished classes stay on the attendance list this long
FAILURE_WINDOW_SECONDS = 600
DEVICE_COOKIE = "checkin_device"
_DEVICE = re.compile(r"^[0-9a-f]{32}$")
# The check-in page alone may ask for the phone's position and camera (the rest of the site forbids both).
CHECK_IN_PERMISSIONS = "camera=(self), microphone=(), geolocation=(self)"


def _visible_class(request, pk):
    return get_object_or_404(
        classes_visible_to(request.user).select_related("institution__county", "occupation"), pk=pk
    )


def _site_of(request, training_class) -> ClassSite | None:
    return selectors.class_sites_visible_to(request.user).filter(training_class=training_class).select_related("updated_by").first()


def _actions(request, training_class, site):
    return attendance_actions_for(request.user, training_class, has_site=site is not None, today=timezone.localdate())


def _back(pk):
    return redirect("supervision:attendance_class", pk=pk)


# Staff pages -----------------------------------------------------------------------------------------------


@login_required
def attendance_classes(request):
    """Classes in training or recently finished, with today's check-ins (counted for the shown page only)."""
    today = timezone.localdate()
    classes = selectors.attendance_classes_for(request.user, since=today - timedelta(days=RECENT_DAYS))
    page = Paginator(classes, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.class_list_counts([item.pk for item in page.object_list], today, far_metres=settings.CHECKIN_FAR_METRES)
    rows = [{"training_class": item, "is_training_today": is_training_day(item, today), **counts[item.pk]}
            for item in page.object_list]
    return render(request, "supervision/attendance/class_list.html", {
        "page": page, "rows": rows, "today": today,
        "can_see_evidence": can_see_evidence(request.user),
    })


@login_required
def attendance_class(request, pk):
    training_class = _visible_class(request, pk)
    site = _site_of(request, training_class)
    actions = _actions(request, training_class, site)
    today = timezone.localdate()
    summary = selectors.class_attendance(training_class, today=today, far_metres=settings.CHECKIN_FAR_METRES)
    days = Paginator(
        selectors.attendance_day_list(training_class, today=today, far_metres=settings.CHECKIN_FAR_METRES), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(request, "supervision/attendance/class_detail.html", {
        "training_class": training_class, "site": site, "actions": actions, "summary": summary, "days": days,
        "site_history": list(site.history.select_related("history_user").order_by("-history_date")[:5])
        if site and actions.can_see_evidence else [],
        "spot_checks": selectors.spot_check_summary(training_class) if actions.can_see_evidence else {},
        "far_metres": settings.CHECKIN_FAR_METRES, "today": today,
    })


@login_required
def attendance_trainees(request, pk):
    training_class = _visible_class(request, pk)
    actions = _actions(request, training_class, _site_of(request, training_class))
    summary = selectors.class_attendance(training_class, today=timezone.localdate(), far_metres=settings.CHECKIN_FAR_METRES)
    roster = selectors.trainee_attendance(training_class, period=summary.period)
    only_below = request.GET.get("below") == "1"
    if only_below:
        roster = selectors.trainees_below(roster, summary.training_days)
    page = Paginator(roster, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {"enrollment": enrollment,
         "is_sufficient": rules.attendance_sufficient(enrollment.attended_days, summary.training_days)}
        for enrollment in page.object_list
    ]
    return render(request, "supervision/attendance/trainees.html", {
        "training_class": training_class, "summary": summary, "page": page, "rows": rows, "only_below": only_below,
        "actions": actions,
    })


def _parse_day(training_class, value: str) -> date:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise Http404 from None
    if not training_class.start_date <= day <= training_class.end_date:
        raise Http404
    return day


@login_required
def attendance_day(request, pk, day):
    training_class = _visible_class(request, pk)
    day = _parse_day(training_class, day)
    site = _site_of(request, training_class)
    actions = _actions(request, training_class, site)
    show = request.GET.get("show", "all")
    if show not in selectors.DAY_FILTERS or (show == "flagged" and not actions.can_see_evidence):
        show = "all"
    far = settings.CHECKIN_FAR_METRES
    page = Paginator(selectors.day_roster(training_class, day, show=show, far_metres=far), PAGE_SIZE).get_page(request.GET.get("page"))
    check_ins = selectors.check_ins_of_day(training_class, day, [enrollment.pk for enrollment in page.object_list])
    shared = selectors.shared_devices(training_class, day) if actions.can_see_evidence else {}
    rows = []
    for enrollment in page.object_list:
        check_in = check_ins.get(enrollment.pk)
        is_far = check_in is not None and geo.is_far(check_in.distance_m, far)
        has_no_location = check_in is not None and check_in.distance_m is None
        rows.append({
            "enrollment": enrollment, "check_in": check_in, "is_far": is_far, "has_no_location": has_no_location,
            "has_open_flag": (is_far or has_no_location) and check_in.flag_dismissed_at is None,
            "shared_device_count": shared.get(check_in.device, 0) if check_in and check_in.device else 0,
        })
    counts = selectors.day_counts(training_class, day, far_metres=far)
    return render(request, "supervision/attendance/day.html", {
        "training_class": training_class, "site": site, "day": day, "page": page, "rows": rows, "actions": actions,
        "show": show, "filters": {key: label for key, label in selectors.DAY_FILTERS.items()
                                  if key != "flagged" or actions.can_see_evidence},
        "counts": counts, "far_metres": far, "enrolled": training_class.enrollments.count(),
        "previous_day": day - timedelta(days=1) if day > training_class.start_date else None,
        "next_day": day + timedelta(days=1) if day < min(training_class.end_date, timezone.localdate()) else None,
    })


@login_required
def class_site_edit(request, pk):
    training_class = _visible_class(request, pk)
    site = _site_of(request, training_class)
    if not _actions(request, training_class, site).can_edit_site:
        raise Http404
    initial = {"address": site.address, "latitude": site.latitude, "longitude": site.longitude} if site else {
        "address": training_class.location}
    form = ClassSiteForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.class_site_save(actor=request.user, training_class=training_class, **form.cleaned_data)
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "培训地点已保存。")
            return _back(pk)
    response = render(request, "supervision/attendance/site_form.html", {"training_class": training_class, "form": form, "site": site})
    response["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(self)"  # the "use my position" button
    return response


def _open_code(request, pk):
    """The class, site and day of an institution's open classroom code today; 404 for anyone but the class's
    institution, (class, site, None) when today's code cannot be shown."""
    training_class = _visible_class(request, pk)
    site = _site_of(request, training_class)
    if not _actions(request, training_class, site).is_class_institution:
        raise Http404
    today = timezone.localdate()
    day = selectors.attendance_days_visible_to(request.user).filter(training_class=training_class, date=today).first()
    if site is None or not is_training_day(training_class, today):
        day = None
    return training_class, site, day


def _code_context(request, training_class, site) -> dict:
    token, seconds_left = services.current_code(site)
    url = request.build_absolute_uri(reverse("check_in_public", args=[token]))
    return {
        "url": url, "qr": segno.make(url, error="m").svg_data_uri(scale=10, border=2), "seconds_left": seconds_left,
        "checked_in": selectors.check_ins_visible_to(request.user)
        .filter(training_class=training_class, date=timezone.localdate()).count(),
    }


@login_required
def attendance_code(request, pk):
    """The classroom projector: today's rotating code as a large QR code, kept current by a small script
    (attendance_code_current) or, without script, by a meta refresh."""
    training_class, site, day = _open_code(request, pk)
    today = timezone.localdate()
    if day is None:
        return render(request, "supervision/attendance/code_closed.html", {
            "training_class": training_class, "site": site, "actions": _actions(request, training_class, site),
            "is_training_day": is_training_day(training_class, today), "today": today,
        })
    return render(request, "supervision/attendance/code.html", {
        "training_class": training_class, "today": today, "enrolled": training_class.enrollments.count(),
        "minutes": settings.CHECKIN_CODE_MINUTES, **_code_context(request, training_class, site),
    })


@login_required
def attendance_code_current(request, pk):
    training_class, site, day = _open_code(request, pk)
    if day is None:
        return JsonResponse({"qr": None})
    return JsonResponse(_code_context(request, training_class, site))


@login_required
@require_POST
def attendance_day_open(request, pk):
    training_class = _visible_class(request, pk)
    try:
        services.attendance_day_open(actor=request.user, training_class=training_class)
    except ServiceError as error:
        messages.error(request, error.message)
        return _back(pk)
    return redirect("supervision:attendance_code", pk=pk)


@login_required
def check_in_photo(request, pk):
    """A check-in photo, for county and league staff of the class only; everyone else gets 404."""
    check_in = get_object_or_404(selectors.check_in_photos_visible_to(request.user), pk=pk)
    try:
        with default_storage.open(check_in.photo.name, "rb") as handle:
            content = handle.read()
    except FileNotFoundError:
        raise Http404 from None
    response = HttpResponse(content, content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = "inline"
    return response


@login_required
@require_POST
def check_in_dismiss(request, pk):
    check_in = get_object_or_404(selectors.check_ins_visible_to(request.user), pk=pk)
    form = DismissForm(request.POST)
    try:
        services.check_in_flag_dismiss(actor=request.user, check_in=check_in,
                                       reason=form.cleaned_data["reason"] if form.is_valid() else "")
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "已核销该签到异常。")
    return redirect("supervision:attendance_day", pk=check_in.training_class_id, day=check_in.date.isoformat())


@login_required
@require_POST
def shortfall_dismiss(request, pk, enrollment_pk):
    training_class = _visible_class(request, pk)
    enrollment = get_object_or_404(enrollments_visible_to(request.user).filter(training_class=training_class), pk=enrollment_pk)
    form = DismissForm(request.POST)
    try:
        services.shortfall_dismiss(actor=request.user, enrollment=enrollment,
                                   reason=form.cleaned_data["reason"] if form.is_valid() else "")
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"已核销 {enrollment.trainee.name} 的出勤不足。")
    return redirect(reverse("supervision:attendance_trainees", args=[pk]) + "?below=1")


@login_required
def spot_checks(request, pk):
    training_class = _visible_class(request, pk)
    if not _actions(request, training_class, None).can_judge:
        raise Http404
    form = SpotCheckDrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            spot_check = services.spot_check_draw(actor=request.user, training_class=training_class, size=form.cleaned_data["size"])
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"已随机抽取 {spot_check.items.count()} 张签到照片。")
            return redirect("supervision:spot_check", pk=spot_check.pk)
    draws = Paginator(
        selectors.spot_checks_visible_to(request.user).filter(training_class=training_class).select_related("drawn_by"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(request, "supervision/attendance/spot_checks.html", {
        "training_class": training_class, "form": form, "page": draws,
        "photo_count": selectors.check_in_photos_visible_to(request.user).filter(training_class=training_class).count(),
    })


@login_required
def spot_check(request, pk):
    spot_check = get_object_or_404(
        selectors.spot_checks_visible_to(request.user).select_related("training_class__institution__county", "training_class__occupation", "drawn_by"),
        pk=pk,
    )
    page = Paginator(
        spot_check.items.select_related("check_in__enrollment__trainee", "decided_by"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    items = list(page.object_list)
    others = selectors.other_photos_of([item.check_in.enrollment_id for item in items], exclude_ids=[item.check_in_id for item in items])
    rows = [{"item": item, "others": others[item.check_in.enrollment_id],
             "form": VerdictForm(initial={"verdict": item.verdict, "note": item.note}, prefix=f"item-{item.pk}")} for item in items]
    return render(request, "supervision/attendance/spot_check.html", {
        "spot_check": spot_check, "training_class": spot_check.training_class, "page": page, "rows": rows,
        "far_metres": settings.CHECKIN_FAR_METRES,
    })


@login_required
@require_POST
def spot_check_verdict(request, item_pk):
    item = get_object_or_404(selectors.spot_check_items_visible_to(request.user), pk=item_pk)
    form = VerdictForm(request.POST, prefix=f"item-{item.pk}")
    if not form.is_valid():
        messages.error(request, "请选择判定结论：本人、非本人或无法判断。")
    else:
        try:
            services.spot_check_verdict_record(actor=request.user, item=item, **form.cleaned_data)
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"已记录第 {item.position + 1} 张照片的判定：{PhotoSpotCheckItem.Verdict(form.cleaned_data['verdict']).label}。")
    return redirect(reverse("supervision:spot_check", args=[item.spot_check_id]) + f"#item-{item.pk}")


# The trainee's phone ---------------------------------------------------------------------------------------


def _failure_keys(request, token: str) -> list[tuple[str, int]]:
    class_id, window = checkin_codes.parse_token(token) or (0, 0)
    return [
        (f"checkin-failures:code:{class_id}:{window}", settings.CHECKIN_FAILURES_PER_CODE),
        (f"checkin-failures:address:{client_ip(request)}", settings.CHECKIN_FAILURES_PER_ADDRESS),
    ]


def _is_blocked(request, token: str) -> bool:
    return any(cache.get(key, 0) >= limit for key, limit in _failure_keys(request, token))


def _count_failure(request, token: str) -> None:
    for key, _limit in _failure_keys(request, token):
        cache.add(key, 0, timeout=FAILURE_WINDOW_SECONDS)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=FAILURE_WINDOW_SECONDS)


def _content_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0  # as Django itself reads a malformed length


def _public(request, template: str, context: dict, *, status: int = 200) -> HttpResponse:
    response = render(request, f"supervision/attendance/{template}", context, status=status)
    response["Cache-Control"] = "no-store"
    response["Permissions-Policy"] = CHECK_IN_PERMISSIONS
    return response


def _closed(request, message: str, status: int) -> HttpResponse:
    return _public(request, "check_in_closed.html", {"message": message}, status=status)


@sensitive_post_parameters("id_number")
def check_in(request, token):
    """Public: the page a trainee's phone opens from the classroom QR code. No account; the code, the roster
    (name + resident ID) and the rate limits are the keys."""
    if _content_length(request) > settings.CHECKIN_PHOTO_MAX_BYTES + 64 * 1024:
        return _closed(request, "照片文件过大，请返回后重新拍摄（手机会自动压缩照片）。", 413)
    ticket = request.POST.get("ticket", "") if request.method == "POST" else ""
    try:
        site = services.check_in_code_accept(token=token, ticket=ticket)
    except services.CodeRefused as refusal:
        return _closed(request, refusal.message, 410 if refusal.is_expired else 404)
    training_class = site.training_class
    if not is_training_day(training_class, timezone.localdate()):
        return _closed(request, "今天不是该培训班的培训日，不能签到。", 403)
    form = CheckInForm(request.POST or None, request.FILES or None, initial={"ticket": services.check_in_ticket(site)})
    error = ""
    if request.method == "POST":
        if _is_blocked(request, token):
            return _closed(request, "核对失败次数过多，请 10 分钟后再试，或请培训机构老师协助。", 429)
        upload = request.FILES.get("photo")
        is_valid = form.is_valid()
        if upload is not None and upload.size > settings.CHECKIN_PHOTO_MAX_BYTES:
            form.add_error("photo", "照片文件过大，请重新拍摄。")
            is_valid = False
        if is_valid:
            device = request.COOKIES.get(DEVICE_COOKIE, "")
            device = device if _DEVICE.match(device) else secrets.token_hex(16)
            try:
                check_in = services.check_in_record(
                    site=site, name=form.cleaned_data["name"], id_number=form.cleaned_data["id_number"],
                    location=form.location(), photo=upload.read() if upload else None, device=device,
                )
            except services.AlreadyCheckedIn as already:
                return _public(request, "check_in_done.html", {
                    "training_class": training_class, "check_in": already.check_in, "is_repeat": True,
                })
            except services.IdentityMismatch as mismatch:
                _count_failure(request, token)
                error = mismatch.message
            except ServiceError as refusal:
                error = refusal.message
            else:
                response = _public(request, "check_in_done.html", {"training_class": training_class, "check_in": check_in})
                response.set_cookie(DEVICE_COOKIE, device, max_age=365 * 24 * 3600, httponly=True, samesite="Lax",
                                    secure=settings.HTTPS)
                return response
        else:
            error = "请检查标红的内容后重新提交。"
    # A bound form sends its first ticket back unchanged: failing on purpose never extends the time to check in.
    return _public(request, "check_in.html", {
        "training_class": training_class, "form": form, "error": error, "site": site,
    }, status=400 if error else 200)
