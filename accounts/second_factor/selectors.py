"""Reads of the second factor: a user's devices, the league's switch, the lockout state."""

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuditEvent, RecoveryCode, Role, SecondFactorPolicy, User

from . import rules


def second_factor_policy() -> SecondFactorPolicy:
    policy, _created = SecondFactorPolicy.objects.get_or_create(pk=1)
    return policy


def can_set_second_factor_policy(user: User) -> bool:
    """League staff decide for the institutions of their league; administrators too."""
    return user.is_superuser or user.role == Role.LEAGUE


def is_second_factor_required_for(user: User) -> bool:
    # The switch is read only for institution staff (short-circuit): other roles never need the row.
    institutions_required = user.role == rules.INSTITUTION_ROLE and second_factor_policy().institutions_required
    return rules.is_second_factor_required(
        role=user.role, is_superuser=user.is_superuser, is_staff=user.is_staff, institutions_required=institutions_required
    )


def confirmed_totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_confirmed_device(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(device__user=user, device__confirmed=True).count()


def second_factor_events(user: User) -> list[tuple[str, object]]:
    """The user's lockout-relevant events of the lockout period, newest first (bounded: a lock or a success ends
    the walk long before)."""
    since = timezone.now() - settings.OTP_LOCKOUT_PERIOD
    return list(
        AuditEvent.objects.filter(
            Q(actor=user, action__in=[rules.FAILED, rules.VERIFIED, rules.LOCKED])
            # An administrator's reset is recorded with the administrator as actor and the user as target.
            | Q(action=rules.RESET, object_type=User._meta.label, object_id=str(user.pk)),
            created_at__gte=since,
        )
        .order_by("-created_at", "-pk")
        .values_list("action", "created_at")[: settings.OTP_FAILURE_LIMIT * 4]
    )


def second_factor_locked_until(user: User):
    return rules.locked_until(second_factor_events(user), period=settings.OTP_LOCKOUT_PERIOD)
