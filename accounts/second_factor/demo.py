"""The demo logins' second factor: one published authenticator key, like the published demo password, so that a
reviewer of `make run` can pass the second factor with an authenticator app or with `manage.py demo_code`."""

import base64
from binascii import unhexlify

from django.conf import settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User

DEMO_DEVICE_NAME = "演示验证器"


def demo_key_base32() -> str:
    return base64.b32encode(unhexlify(settings.DEMO_TOTP_KEY)).decode()


def demo_code() -> str:
    totp = TOTP(unhexlify(settings.DEMO_TOTP_KEY), step=30, t0=0, digits=6)
    return f"{totp.token():06d}"


def demo_authenticators_ensure(*, usernames: list[str]) -> int:
    """Gives each named demo login a confirmed authenticator with the demo key, unless it has one. Returns how many
    it added. Only seed_demo calls it, which refuses production settings."""
    added = 0
    for user in User.objects.filter(username__in=usernames):
        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            TOTPDevice.objects.create(user=user, name=DEMO_DEVICE_NAME, key=settings.DEMO_TOTP_KEY, confirmed=True)
            added += 1
    return added
