"""Writes of the training demand catalogue and of the workers' training wishes (policy §8.1, S2 二)."""

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from accounts.audit import audit_event_record
from accounts.models import AuditEvent, Role, User
from classes.identity import IdentifierError, clean_person_name, normalise_mobile
from classes.models import Occupation, Region, TraineeCategory, TrainingClass
from xingan_training.errors import ServiceError
from xingan_training.personal_data import phone_digest

from .demand_selectors import catalogue_entries_visible_to, classes_matching_wishes, training_wishes_visible_to
from .models import DemandCatalogueEntry, TrainingWish

ENTRY_FIELDS = ("occupation", "training_type", "subsidy_per_person", "is_urgent", "valid_from", "valid_to")


def can_manage_catalogue(user, entry: DemandCatalogueEntry | None = None) -> bool:
    """League staff keep their league's catalogue; everyone else reads it."""
    if user is None or not user.is_authenticated or not user.is_active or user.role != Role.LEAGUE or not user.region_id:
        return False
    return entry is None or entry.league_id == user.region_id


def can_tell_registrants(user) -> bool:
    """County staff tell the registrants of their county when a class opens (policy §8.1)."""
    return user.is_authenticated and user.is_active and user.role == Role.COUNTY and user.region_id is not None


def _require_league_staff(actor: User) -> Region:
    if not can_manage_catalogue(actor):
        raise ServiceError("只有盟级人社部门可以维护培训需求目录。")
    return actor.region


def _lock_entry(actor: User, entry: DemandCatalogueEntry) -> DemandCatalogueEntry:
    locked = catalogue_entries_visible_to(actor).select_for_update().filter(pk=entry.pk).first()
    if locked is None or not can_manage_catalogue(actor, locked):
        raise ServiceError("目录条目不存在或无权操作。")
    return locked


def _check_entry_values(league: Region, values: dict, *, exclude_pk: int | None = None) -> None:
    occupation: Occupation = values["occupation"]
    if not occupation.is_active:
        raise ServiceError(f"“{occupation}”已不在职业（工种）目录中。")
    if values["subsidy_per_person"] < Decimal("0"):
        raise ServiceError("补贴标准不能为负数。")
    if values["valid_to"] < values["valid_from"]:
        raise ServiceError("有效期止不能早于有效期起。")
    overlapping = DemandCatalogueEntry.objects.filter(
        league=league,
        occupation=occupation,
        training_type=values["training_type"],
        valid_from__lte=values["valid_to"],
        valid_to__gte=values["valid_from"],
    ).exclude(pk=exclude_pk)
    clash = overlapping.order_by("valid_from").first()
    if clash is not None:
        # One occupation and training type has one subsidy standard on any day, or the public page contradicts itself.
        raise ServiceError(
            f"“{occupation}”在 {clash.valid_from:%Y-%m-%d} 至 {clash.valid_to:%Y-%m-%d} 已有同类型的目录条目，有效期不能重叠。"
        )


def catalogue_entry_create(*, actor: User, **fields) -> DemandCatalogueEntry:
    """League staff publish an entry of their league's catalogue. Refused for an inactive occupation, an entry
    already over, or a period overlapping another entry of the same occupation and training type."""
    league = _require_league_staff(actor)
    values = {name: fields[name] for name in ENTRY_FIELDS}
    if values["valid_to"] < timezone.localdate():
        raise ServiceError("有效期止不能早于今天：已经结束的目录无需发布。")
    with transaction.atomic():
        # The league row serialises publications, so two overlapping entries cannot both pass the check.
        Region.objects.select_for_update().get(pk=league.pk)
        _check_entry_values(league, values)
        entry = DemandCatalogueEntry(league=league, created_by=actor, **values)
        entry._history_user = actor
        entry.save()
    return entry


def catalogue_entry_update(*, actor: User, entry: DemandCatalogueEntry, **fields) -> DemandCatalogueEntry:
    """League staff correct an entry that is current or not yet valid. What was published for days already
    past stays as it was: an expired or ended entry is fixed, and a started entry keeps its first day."""
    _require_league_staff(actor)
    today = timezone.localdate()
    with transaction.atomic():
        Region.objects.select_for_update().get(pk=actor.region_id)
        locked = _lock_entry(actor, entry)
        if locked.ended_at is not None:
            raise ServiceError("该条目已终止，不能再修改。")
        if locked.valid_to < today:
            raise ServiceError("该条目已过期，不能再修改；如需继续，请发布新的条目。")
        values = {name: fields.get(name, getattr(locked, name)) for name in ENTRY_FIELDS}
        if locked.valid_from <= today and values["valid_from"] != locked.valid_from:
            raise ServiceError("该条目已经生效，有效期起不能修改。")
        if locked.valid_from <= today and values["occupation"] != locked.occupation:
            raise ServiceError("该条目已经生效，职业（工种）不能修改；请终止后发布新的条目。")
        if values["valid_to"] < today:
            raise ServiceError("有效期止不能早于今天；如需提前结束，请使用“终止”。")
        _check_entry_values(locked.league, values, exclude_pk=locked.pk)
        for name, value in values.items():
            setattr(locked, name, value)
        locked._history_user = actor
        locked.save()
    return locked


def catalogue_entry_end(*, actor: User, entry: DemandCatalogueEntry, last_day: date, reason: str) -> DemandCatalogueEntry:
    """League staff end an entry early: its last valid day becomes ``last_day`` (yesterday at the earliest, so
    days already published stay true). Refused for an ended or expired entry and without a reason."""
    _require_league_staff(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("请填写终止原因。")
    today = timezone.localdate()
    with transaction.atomic():
        locked = _lock_entry(actor, entry)
        if locked.ended_at is not None:
            raise ServiceError("该条目已终止。")
        if locked.valid_to < today:
            raise ServiceError("该条目已过期，无需终止。")
        if last_day < today - timedelta(days=1):
            raise ServiceError("最后有效日不能早于昨天：已经公布的日子不能改写。")
        if last_day < locked.valid_from:
            raise ServiceError("最后有效日不能早于有效期起；尚未生效的条目请直接修改有效期。")
        if last_day >= locked.valid_to:
            raise ServiceError(f"最后有效日应早于原有效期止（{locked.valid_to:%Y-%m-%d}）。")
        locked.valid_to = last_day
        locked.ended_at = timezone.now()
        locked.ended_by = actor
        locked.end_reason = reason[:500]
        locked._history_user = actor
        locked.save()
    return locked


def training_wish_register(
    *, name: str, phone: str, category: TraineeCategory, catalogue_entry: DemandCatalogueEntry, county: Region,
    note: str = "", has_consented: bool,
) -> TrainingWish:
    """A worker registers a training wish on the public page, without an account (培训需求档案).

    Refused without consent, for an entry not current today, or a county outside the entry's league. The same
    phone registering the same occupation in the same county again, before being told, updates that wish
    instead of counting twice; the page answers alike, so it reveals nothing about earlier registrations."""
    if not has_consented:
        raise ServiceError("请阅读并同意信息使用说明后再提交。")
    try:
        name = clean_person_name(name)
        phone = normalise_mobile(phone)
    except IdentifierError as error:
        raise ServiceError(str(error)) from None
    today = timezone.localdate()
    if not (catalogue_entry.valid_from <= today <= catalogue_entry.valid_to):
        raise ServiceError("所选培训项目已不在当前目录中，请重新选择。")
    if county.level != Region.Level.COUNTY or county.parent_id != catalogue_entry.league_id:
        raise ServiceError("请选择所在的旗县市。")
    note = (note or "").strip()[:200]
    with transaction.atomic():
        earlier = (
            TrainingWish.objects.select_for_update()
            .filter(phone_digest=phone_digest(phone), occupation_id=catalogue_entry.occupation_id, county=county,
                    told_at__isnull=True)
            .first()
        )
        wish = earlier or TrainingWish(phone=phone, occupation_id=catalogue_entry.occupation_id, county=county)
        wish.name = name
        wish.category = category
        wish.catalogue_entry = catalogue_entry
        wish.note = note
        wish.consented_at = timezone.now()
        wish.save()
    return wish


def training_wishes_mark_told(*, actor: User, wishes, training_class: TrainingClass) -> int:
    """County staff record that they told registrants of their county about a class they can join.

    All or nothing. Refused for anyone but county staff, for a wish outside the actor's county (or already
    told), and for a class that is not of the wished occupation, not in the county, or no longer open
    (筹备中/培训中, starting today or later)."""
    if not can_tell_registrants(actor):
        raise ServiceError("只有旗县市人社部门可以通知报名人员。")
    wish_ids = sorted({wish.pk for wish in wishes})
    if not wish_ids:
        raise ServiceError("请选择要通知的人员。")
    today = timezone.localdate()
    with transaction.atomic():
        locked = list(training_wishes_visible_to(actor).select_for_update().filter(pk__in=wish_ids).order_by("pk"))
        if len(locked) != len(wish_ids) or any(wish.county_id != actor.region_id for wish in locked):
            raise ServiceError("部分人员不存在或不属于本旗县市，未作任何通知。")
        already = [wish.name for wish in locked if wish.told_at is not None]
        if already:
            raise ServiceError(f"以下人员已经通知过：{'、'.join(already[:10])}{'等' if len(already) > 10 else ''}。")
        codes = set(Occupation.objects.filter(pk__in={wish.occupation_id for wish in locked}).values_list("code", flat=True))
        if len(codes) != 1:
            raise ServiceError("所选人员的意向职业（工种）不同，请按职业分别通知。")
        matching = classes_matching_wishes(actor, county_id=actor.region_id, occupation_code=codes.pop(), today=today)
        if not matching.filter(pk=training_class.pk).exists():
            raise ServiceError("该培训班不是本旗县市即将开班的同职业（工种）培训班，不能据此通知。")
        now = timezone.now()
        for wish in locked:
            wish.told_at = now
            wish.told_by = actor
            wish.told_class = training_class
        bulk_update_with_history(locked, TrainingWish, ["told_at", "told_by", "told_class"], default_user=actor)
    return len(locked)


def training_wish_reveal_phone(*, actor: User, wish: TrainingWish, request=None) -> str:
    """The full phone number of a registrant, for bureau staff whose scope covers the wish. Audited."""
    if not training_wishes_visible_to(actor).filter(pk=wish.pk).exists():
        raise ServiceError("登记信息不存在或无权查看。")
    audit_event_record(
        action=AuditEvent.Action.VIEW_PERSONAL_DATA,
        request=request,
        actor=actor,
        target=wish,
        detail=f"培训意愿登记 {wish.occupation.name}",
    )
    return wish.phone
