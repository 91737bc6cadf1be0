"""Second-factor writes: enrolment, verification after the password, new recovery codes, an administrator's reset
and the league's switch for institutions. Each is audited (AuditEvent)."""

import secrets

import django_otp
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.audit import audit_event_record
from accounts.models import AuditEvent, RecoveryCode, RecoveryCodeDevice, User

from . import rules
from .selectors import (
    can_set_second_factor_policy,
    second_factor_events,
    second_factor_locked_until,
    second_factor_policy,
)

# Crockford-like alphabet without 0/O and 1/I/L: codes are read off paper. 10 characters = 50 bits.
RECOVERY_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
RECOVERY_CODE_LENGTH = 10
TOTP_DEVICE_NAME = "身份验证器"


class SecondFactorError(Exception):
    """A refusal with the Chinese message shown to the user."""


def _new_recovery_code() -> str:
    code = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
    return f"{code[:5]}-{code[5:]}"


def _recovery_codes_replace(user: User) -> list[str]:
    device, _created = RecoveryCodeDevice.objects.get_or_create(
        user=user, defaults={"name": "恢复码", "confirmed": True}
    )
    device.codes.all().delete()
    codes = [_new_recovery_code() for _ in range(settings.OTP_RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(RecoveryCode(device=device, digest=device.digest_of(code)) for code in codes)
    return codes


def _clean(token: str) -> str:
    return "".join(str(token or "").split())


def totp_device_pending(*, user: User) -> TOTPDevice:
    """The authenticator being enrolled: one unconfirmed device per user, kept across page reloads so the QR code
    the user scanned stays valid until they confirm it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)


def second_factor_enrol(*, request, token: str) -> list[str]:
    """Confirms the user's pending authenticator with a code it shows, marks the session verified and returns
    ten new recovery codes (shown once; only their digests are kept). Refuses a user who already has a confirmed
    authenticator (an administrator resets it first) and a wrong code."""
    user = request.user
    with transaction.atomic():
        User.objects.select_for_update().get(pk=user.pk)
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            raise SecondFactorError("您已启用二次验证。如需更换手机，请联系系统管理员重置。")
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if device is None:
            raise SecondFactorError("请先扫描页面上的二维码。")
        if not device.verify_token(_clean(token)):
            raise SecondFactorError("验证码不正确：请输入身份验证器上当前显示的 6 位数字，并确认手机时间准确。")
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _recovery_codes_replace(user)
        audit_event_record(action=AuditEvent.Action.OTP_ENROLLED, request=request, actor=user)
    django_otp.login(request, device)
    return codes


def _matching_device(user: User, token: str):
    totp = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if totp is not None and token.isdigit() and totp.verify_token(token):
        return totp
    recovery = RecoveryCodeDevice.objects.filter(user=user, confirmed=True).first()
    if recovery is not None and not token.isdigit() and recovery.verify_token(token):
        return recovery
    return None


def _locked_message(until) -> str:
    return (
        f"验证码错误次数过多，二次验证已锁定至 {timezone.localtime(until):%H:%M}。"
        "请稍后再试，或联系系统管理员。"
    )


def second_factor_verify(*, request, token: str):
    """After the password: accepts a current authenticator code or an unused recovery code, and marks the session
    verified. Refuses while locked; a wrong code is recorded, and the OTP_FAILURE_LIMIT-th wrong code in a row
    locks the second factor for OTP_LOCKOUT_PERIOD (as django-axes does for passwords)."""
    user = request.user
    token = _clean(token)
    # The user row lock serialises one user's attempts, so parallel guesses cannot pass the limit.
    with transaction.atomic():
        User.objects.select_for_update().get(pk=user.pk)
        until = second_factor_locked_until(user)
        if until is not None:
            refusal = _locked_message(until)
        else:
            device = _matching_device(user, token) if token else None
            if device is not None:
                detail = "恢复码" if isinstance(device, RecoveryCodeDevice) else "身份验证器"
                audit_event_record(action=AuditEvent.Action.OTP_VERIFIED, request=request, actor=user, detail=detail)
                refusal = None
            else:
                audit_event_record(action=AuditEvent.Action.OTP_FAILED, request=request, actor=user)
                if rules.is_limit_reached(second_factor_events(user), limit=settings.OTP_FAILURE_LIMIT):
                    lock = audit_event_record(action=AuditEvent.Action.OTP_LOCKED, request=request, actor=user,
                                              detail=f"连续 {settings.OTP_FAILURE_LIMIT} 次验证码错误")
                    refusal = _locked_message(lock.created_at + settings.OTP_LOCKOUT_PERIOD)
                else:
                    refusal = "验证码不正确，请重新输入。连续输错多次，二次验证将被暂时锁定。"
    # Raised after the commit: the failure and the lock are recorded even though the attempt is refused.
    if refusal is not None:
        raise SecondFactorError(refusal)
    django_otp.login(request, device)
    return device


def recovery_codes_renew(*, request) -> list[str]:
    """Ten new recovery codes for a verified user with an authenticator; the old ones stop working."""
    user = request.user
    if not (user.is_verified() and TOTPDevice.objects.filter(user=user, confirmed=True).exists()):
        raise SecondFactorError("请先启用二次验证。")
    with transaction.atomic():
        codes = _recovery_codes_replace(user)
        audit_event_record(action=AuditEvent.Action.RECOVERY_CODES_RENEWED, request=request, actor=user)
    return codes


def second_factor_reset(*, actor: User, user: User, request=None) -> None:
    """An administrator removes a user's authenticator and recovery codes (lost phone) and lifts a lock; at the
    next login the user enrols again. Only superusers may."""
    if not actor.is_superuser:
        raise SecondFactorError("只有系统管理员可以重置二次验证。")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        RecoveryCodeDevice.objects.filter(user=user).delete()
        # Its target is the user: the lockout walk (selectors.second_factor_events) stops at it, lifting a lock.
        audit_event_record(action=AuditEvent.Action.OTP_RESET, request=request, actor=actor, target=user,
                           detail=f"重置 {user.username} 的二次验证设备")


def second_factor_policy_set(*, actor: User, institutions_required: bool, request=None) -> None:
    """League staff (or an administrator) decide whether institution staff must use a second factor."""
    if not can_set_second_factor_policy(actor):
        raise SecondFactorError("只有盟级人员可以修改二次验证要求。")
    with transaction.atomic():
        policy = second_factor_policy()
        policy = type(policy).objects.select_for_update().get(pk=policy.pk)
        if policy.institutions_required == institutions_required:
            return
        policy.institutions_required = institutions_required
        policy.updated_by = actor
        policy.save()
        audit_event_record(
            action=AuditEvent.Action.SECOND_FACTOR_POLICY, request=request, actor=actor,
            detail="培训机构用户必须启用二次验证" if institutions_required else "培训机构用户可自愿启用二次验证",
        )
