"""Shared set-up of the benchmarks: Django on a throwaway database (DATABASE_URL when set), and a demo school."""

import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def start_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xingan_training.settings")
    if "DATABASE_URL" not in os.environ:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    # As the served process does (xingan_training.wsgi): the start-up objects are out of the collector's reach.
    from xingan_training.startup import freeze_startup_objects

    freeze_startup_objects()


@contextmanager
def throwaway_database():
    """A fresh, migrated test database for the run, dropped afterwards (the real one is never touched)."""
    from django.test.utils import setup_databases, teardown_databases

    databases = setup_databases(verbosity=0, interactive=False)
    try:
        yield
    finally:
        teardown_databases(databases, verbosity=0)


def bench_school(occupation_name: str = "养老护理员"):
    """An institution in 乌兰浩特市 licensed for one occupation; returns (institution, occupation)."""
    from classes.models import Institution, Occupation, Region

    occupation = Occupation.objects.create(code="BENCH", name=occupation_name, level="4",
                                           training_type="employment_skills", subsidy_per_person=1600)
    institution = Institution.objects.create(name="基准测试学校", credit_code="52152201MJ00000018",
                                             county=Region.objects.get(code="152201"),
                                             contact_person="x", contact_phone="13800000000")
    institution.licensed_occupations.add(occupation)
    return institution, occupation


def verified_client(user, **defaults):
    """A Django test client logged in as ``user`` with the second factor passed, as a code typed in would pass it:
    the session names the user's confirmed authenticator (seed_scale and seed_demo give the staff logins one)."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client(**defaults)
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client
