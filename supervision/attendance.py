"""Daily attendance against 虚构课时 (policy §8.3, §8.4): every write, one function per act.

- The institution registers its class site (``class_site_save``) and opens each training day's classroom code
  (``attendance_day_open``).
- A trainee checks in from the phone with the current code (``check_in_code_accept`` then ``check_in_record``):
  name + resident ID must match the roster; location and photo are optional evidence.
- County and league staff draw photos for spot checks (``spot_check_draw``), judge them
  (``spot_check_verdict_record``) and dismiss signals with a reason (``check_in_flag_dismiss``,
  ``shortfall_dismiss``). Signals inform; they never block a check-in.
"""

import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.audit import audit_state_change
from accounts.models import AuditEvent, Role, User
from classes.identity import IdentifierError, clean_person_name, parse_resident_id
from classes.models import Enrollment, TrainingClass
from classes.selectors import classes_visible_to, enrollments_visible_to
from xingan_training.errors import ServiceError
from xingan_training.locking import LockedRecordError
from xingan_training.personal_data import id_number_digest

from . import attendance_rules, attendance_selectors, checkin_codes, fraud_signals, geo, rules
from .attendance_permissions import SITE_EDITABLE, is_training_day
from .models import (
    AttendanceDay,
    CheckIn,
    ClassSite,
    PhotoSpotCheck,
    PhotoSpotCheckItem,
    ShortfallDismissal,
)
from .photos import PhotoError, photo_from_upload

TICKET_SALT = "supervision.check-in"
SPOT_CHECK_MAX = 50


class CodeRefused(ServiceError):
    """The classroom code is forged, unknown or too old."""

    def __init__(self, message: str, *, is_expired: bool = False):
        super().__init__(message)
        self.is_expired = is_expired


class IdentityMismatch(ServiceError):
    """Name and resident ID are not together on the class roster (counted against the rate limit)."""


class AlreadyCheckedIn(ServiceError):
    def __init__(self, check_in: CheckIn):
        super().__init__("今天已签到，无需重复签到。")
        self.check_in = check_in


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float
    accuracy_m: int | None = None


def _require_bureau(actor: User, message: str) -> None:
    if actor.role not in (Role.COUNTY, Role.LEAGUE):
        raise ServiceError(message)


def _history_by(instance, actor: User | None):
    instance._history_user = actor  # simple_history records the actor even outside a request (tasks, seeding)
    return instance


# The institution -------------------------------------------------------------------------------------------


def _lock_own_class(actor: User, training_class: TrainingClass) -> TrainingClass:
    if actor.role != Role.INSTITUTION or actor.institution_id is None:
        raise ServiceError("只有培训机构人员可以办理此事项。")
    locked = classes_visible_to(actor).select_for_update().filter(pk=training_class.pk).first()
    if locked is None or locked.institution_id != actor.institution_id:
        raise ServiceError("培训班不存在或无权操作。")
    if locked.is_locked():
        raise LockedRecordError()
    return locked


def class_site_save(*, actor: User, training_class: TrainingClass, address: str, latitude: float, longitude: float) -> ClassSite:
    """The class's institution registers or moves the class site while the class is 筹备中 or 培训中.

    Refuses other institutions, finished classes and coordinates out of range. Every move stays in the history."""
    address = (address or "").strip()
    if not address:
        raise ServiceError("请填写培训地址。")
    try:
        geo.check_coordinates(latitude, longitude)
    except ValueError:
        raise ServiceError("经纬度不正确：纬度在 -90 到 90 之间，经度在 -180 到 180 之间。") from None
    with transaction.atomic():
        locked = _lock_own_class(actor, training_class)
        if locked.status not in SITE_EDITABLE:
            raise ServiceError(f"培训班状态为“{locked.get_status_display()}”，不能再修改培训地点。")
        site = ClassSite.objects.select_for_update().filter(training_class=locked).first() or ClassSite(training_class=locked)
        site.address, site.latitude, site.longitude, site.updated_by = address[:200], latitude, longitude, actor
        _history_by(site, actor).save()
    return site


def attendance_day_open(*, actor: User, training_class: TrainingClass, today: date | None = None) -> AttendanceDay:
    """The institution opens today's classroom code (签到码) for its class; opening it twice is harmless.

    Refused unless the class is 培训中, today lies in its registered period and its site is registered."""
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = _lock_own_class(actor, training_class)
        if not is_training_day(locked, today):
            raise ServiceError("只有培训中的培训班在培训期内才能开启签到。")
        if not ClassSite.objects.filter(training_class=locked).exists():
            raise ServiceError("请先登记培训地点（含经纬度），再开启签到。")
        day, _created = AttendanceDay.objects.get_or_create(
            training_class=locked, date=today, defaults={"opened_by": actor}
        )
    return day


def current_code(site: ClassSite, *, now: datetime | None = None) -> tuple[str, int]:
    """The classroom code to show now and the seconds until it changes."""
    timestamp = (now or timezone.now()).timestamp()
    minutes = settings.CHECKIN_CODE_MINUTES
    window = checkin_codes.window_of(timestamp, minutes)
    return checkin_codes.token_for(site.code_secret, site.training_class_id, window), checkin_codes.seconds_left(timestamp, minutes)


# The trainee's phone ---------------------------------------------------------------------------------------


def check_in_ticket(site: ClassSite) -> str:
    """Given with the form when a valid code was scanned: the trainee may send the form for
    CHECKIN_FORM_MINUTES even if the code on the screen changes meanwhile."""
    return signing.dumps({"class": site.training_class_id}, salt=TICKET_SALT)


def _ticket_valid(ticket: str, class_id: int) -> bool:
    try:
        data = signing.loads(ticket or "", salt=TICKET_SALT, max_age=settings.CHECKIN_FORM_MINUTES * 60)
    except signing.BadSignature:  # also SignatureExpired
        return False
    return isinstance(data, dict) and data.get("class") == class_id


def check_in_code_accept(*, token: str, ticket: str = "", now: datetime | None = None) -> ClassSite:
    """The class site behind a classroom code that is valid now (this window or the previous one), or that was
    valid when the trainee opened the form (``ticket``). Refuses forged, unknown and expired codes."""
    parsed = checkin_codes.parse_token(token)
    site = (
        ClassSite.objects.select_related("training_class__institution", "training_class__occupation")
        .filter(training_class_id=parsed[0]).first()
        if parsed else None
    )
    if site is None:
        raise CodeRefused("二维码无效。请扫描培训教室屏幕上的签到二维码。")
    status = checkin_codes.token_status(
        token, site.code_secret, timestamp=(now or timezone.now()).timestamp(), minutes=settings.CHECKIN_CODE_MINUTES
    )
    if status == checkin_codes.CodeStatus.VALID:
        return site
    if status == checkin_codes.CodeStatus.EXPIRED:
        if ticket and _ticket_valid(ticket, site.training_class_id):
            return site
        raise CodeRefused(
            f"二维码已过期。签到码每 {settings.CHECKIN_CODE_MINUTES} 分钟更换一次，请重新扫描教室屏幕上的二维码。",
            is_expired=True,
        )
    raise CodeRefused("二维码无效。请扫描培训教室屏幕上的签到二维码。")


def _roster_entry(training_class: TrainingClass, name: str, id_number: str) -> Enrollment:
    try:
        clean_name = clean_person_name(name)
        resident_id = parse_resident_id(id_number)
    except IdentifierError as error:
        raise ServiceError(str(error)) from None
    enrollment = (
        Enrollment.objects.select_related("trainee")
        .filter(training_class=training_class, trainee__id_number_digest=id_number_digest(resident_id.number), trainee__name=clean_name)
        .first()
    )
    if enrollment is None:
        # Never say which of the two did not match: the page must not help anyone probe the roster.
        raise IdentityMismatch("姓名或身份证号与本班花名册不符，请核对后重新填写。")
    if enrollment.completion == Enrollment.Completion.DROPPED:
        raise ServiceError("花名册显示您已中途退出本班，不能签到；如有误请联系培训机构。")
    return enrollment


def _store_photo(training_class: TrainingClass, day: date, data: bytes) -> str:
    try:
        photo = photo_from_upload(
            data, max_bytes=settings.CHECKIN_PHOTO_MAX_BYTES, max_pixels=settings.CHECKIN_PHOTO_MAX_PIXELS
        )
    except PhotoError as error:
        raise ServiceError(str(error)) from None
    # A random name: the path says nothing about the person.
    return default_storage.save(f"attendance/{training_class.pk}/{day:%Y%m%d}/{uuid.uuid4().hex}.jpg", ContentFile(photo.content))


def check_in_record(
    *, site: ClassSite, name: str, id_number: str, location: Location | None, photo: bytes | None, device: str = "",
    now: datetime | None = None,
) -> CheckIn:
    """A trainee's check-in for today, after check_in_code_accept. One per trainee and day (the database refuses
    a second: AlreadyCheckedIn). A check-in without location is accepted and flagged; the photo, when sent, must
    be a real image (photos.py)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    training_class = site.training_class
    if not is_training_day(training_class, today):
        raise ServiceError("今天不是该培训班的培训日，不能签到。")
    if not AttendanceDay.objects.filter(training_class=training_class, date=today).exists():
        raise ServiceError("培训机构今天尚未开启签到，请稍后再扫码。")
    enrollment = _roster_entry(training_class, name, id_number)
    existing = CheckIn.objects.filter(enrollment=enrollment, date=today).first()
    if existing is not None:
        raise AlreadyCheckedIn(existing)
    check_in = CheckIn(enrollment=enrollment, training_class=training_class, date=today, checked_in_at=now, device=device[:32])
    if location is not None:
        check_in.latitude, check_in.longitude, check_in.accuracy_m = location.latitude, location.longitude, location.accuracy_m
        check_in.distance_m = round(geo.distance_m(location.latitude, location.longitude, site.latitude, site.longitude))
    photo_name = _store_photo(training_class, today, photo) if photo else ""
    check_in.photo.name = photo_name
    is_saved = False
    try:
        with transaction.atomic():
            check_in.save()
        is_saved = True
    except IntegrityError:
        # The same trainee sent the form twice at once: the first one stands.
        raise AlreadyCheckedIn(CheckIn.objects.get(enrollment=enrollment, date=today)) from None
    finally:
        if photo_name and not is_saved:
            default_storage.delete(photo_name)  # no photo without its check-in
    if geo.is_far(check_in.distance_m, settings.CHECKIN_FAR_METRES):
        # The one fraud signal a check-in can make (§8.4); a near one changes none, so it queues nothing.
        fraud_signals.enqueue_recompute(training_class.pk, "check_in")
    return check_in


# County and league -----------------------------------------------------------------------------------------


def spot_check_draw(*, actor: User, training_class: TrainingClass, size: int) -> PhotoSpotCheck:
    """County or league staff draw ``size`` random check-in photos of a class they supervise (抽查), at most one
    per trainee. The seed and the candidates are kept, so anyone can re-derive the draw
    (attendance_rules.spot_check_order)."""
    _require_bureau(actor, "只有人社部门可以抽查签到照片。")
    if not 1 <= size <= SPOT_CHECK_MAX:
        raise ServiceError(f"抽查张数应在 1 到 {SPOT_CHECK_MAX} 之间。")
    if not classes_visible_to(actor).filter(pk=training_class.pk).exists():
        raise ServiceError("培训班不存在或无权操作。")
    with transaction.atomic():
        candidates = sorted(
            [check_in_id, enrollment_id] for check_in_id, enrollment_id in
            attendance_selectors.check_in_photos_visible_to(actor)
            .filter(training_class=training_class).values_list("id", "enrollment_id")
        )
        if not candidates:
            raise ServiceError("该班还没有带照片的签到记录，无法抽查。")
        seed = secrets.token_hex(16)
        drawn = attendance_rules.spot_check_order(candidates, seed, size)
        spot_check = PhotoSpotCheck.objects.create(
            training_class=training_class, seed=seed, candidates=candidates, size=size, drawn_by=actor
        )
        PhotoSpotCheckItem.objects.bulk_create(
            PhotoSpotCheckItem(spot_check=spot_check, check_in_id=check_in_id, position=position)
            for position, check_in_id in enumerate(drawn)
        )
    return spot_check


def spot_check_verdict_record(*, actor: User, item: PhotoSpotCheckItem, verdict: str, note: str = "") -> PhotoSpotCheckItem:
    """County or league staff judge one drawn photo: 本人, 非本人 (with the reason) or 无法判断. A later verdict
    replaces the earlier one; the history keeps both with who and when."""
    _require_bureau(actor, "只有人社部门可以判定抽查照片。")
    if verdict not in PhotoSpotCheckItem.Verdict.values:
        raise ServiceError("请选择判定结论：本人、非本人或无法判断。")
    note = (note or "").strip()[:300]
    if verdict == PhotoSpotCheckItem.Verdict.OTHER_PERSON and not note:
        raise ServiceError("判定为“非本人”时请说明依据。")
    with transaction.atomic():
        locked = attendance_selectors.spot_check_items_visible_to(actor).select_for_update().filter(pk=item.pk).first()
        if locked is None:
            raise ServiceError("抽查记录不存在或无权操作。")
        locked.verdict, locked.note, locked.decided_by, locked.decided_at = verdict, note, actor, timezone.now()
        _history_by(locked, actor).save()
    return locked


def check_in_flag_dismiss(*, actor: User, check_in: CheckIn, reason: str) -> CheckIn:
    """County or league staff dismiss a check-in's signal (far from the site, or no location) with a reason,
    e.g. a day of off-site practice they verified (policy §8.4)."""
    _require_bureau(actor, "只有人社部门可以核销异常。")
    reason = (reason or "").strip()[:500]
    if not reason:
        raise ServiceError("请填写核销理由。")
    with transaction.atomic():
        locked = attendance_selectors.check_ins_visible_to(actor).select_for_update().filter(pk=check_in.pk).first()
        if locked is None:
            raise ServiceError("签到记录不存在或无权操作。")
        if not (locked.distance_m is None or geo.is_far(locked.distance_m, settings.CHECKIN_FAR_METRES)):
            raise ServiceError("该签到记录没有异常，无需核销。")
        if locked.flag_dismissed_at is not None:
            raise ServiceError("该异常已经核销。")
        locked.flag_dismissed_reason, locked.flag_dismissed_by, locked.flag_dismissed_at = reason, actor, timezone.now()
        locked.save(update_fields=["flag_dismissed_reason", "flag_dismissed_by", "flag_dismissed_at"])
        # A dismissed check-in is no longer evidence of the class's far-check-in signal.
        fraud_signals.enqueue_recompute(locked.training_class_id, "check_in_dismissed")
        audit_state_change(action=AuditEvent.Action.SIGNAL_DISMISSED, actor=actor, target=locked,
                           step="核销签到异常", note=reason)
    return locked


def shortfall_dismiss(*, actor: User, enrollment: Enrollment, reason: str, today: date | None = None) -> ShortfallDismissal:
    """County or league staff dismiss a trainee's attendance-below-80% signal with a reason (e.g. verified sick
    leave); the figures at that moment are kept with it. Refused when the trainee is not below the line."""
    _require_bureau(actor, "只有人社部门可以核销异常。")
    reason = (reason or "").strip()[:500]
    if not reason:
        raise ServiceError("请填写核销理由。")
    enrollment = enrollments_visible_to(actor).select_related("training_class").filter(pk=enrollment.pk).first()
    if enrollment is None:
        raise ServiceError("学员不存在或无权操作。")
    period = attendance_selectors.counted_period(enrollment.training_class, today or timezone.localdate())
    training_days = period.training_days
    attended = CheckIn.objects.filter(attendance_selectors.counted_check_ins(period), enrollment=enrollment).count()
    if rules.attendance_sufficient(attended, training_days) is not False:
        raise ServiceError("该学员出勤未低于80%，无需核销。")
    try:
        with transaction.atomic():
            dismissal = ShortfallDismissal.objects.create(
                enrollment=enrollment, attended_days=attended, training_days=training_days, reason=reason, dismissed_by=actor
            )
            fraud_signals.enqueue_recompute(enrollment.training_class_id, "shortfall_dismissed")
            audit_state_change(action=AuditEvent.Action.SIGNAL_DISMISSED, actor=actor, target=enrollment,
                               step=f"核销出勤不足（{attended}/{training_days} 天）", note=reason)
            return dismissal
    except IntegrityError:
        raise ServiceError("该学员的出勤不足已经核销。") from None
