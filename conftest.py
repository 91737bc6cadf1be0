"""Shared fixtures: two counties, an institution in each, staff of every role, a class with a roster.

Reference data (regions, trainee categories) comes from the data migration, as in production.
"""

import contextlib
import importlib
import os
import random
import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.db.backends.base.operations import BaseDatabaseOperations

from accounts.models import Role, User
from classes.demo_data import make_mobile, make_name, make_resident_id
from classes.models import Enrollment, Institution, Occupation, Region, Trainee, TraineeCategory, TrainingClass

PASSWORD = "Test-Password-2026"
IS_CI = os.environ.get("CI", "").lower() == "true"


def restore_reference_data() -> None:
    """Regions, trainee categories and department-list kinds, as the data migrations write them.

    Transactional (browser) tests flush the database afterwards, migrated rows included, so the fixtures
    put them back with the migrations' own idempotent functions rather than trusting they are still there.
    """
    from django.apps import apps

    migration = importlib.import_module("classes.migrations.0002_regions_and_trainee_categories")
    migration.add_reference_data(apps, None)
    kinds = importlib.import_module("supervision.migrations.0007_department_list_kinds_and_earlier_openings")
    kinds.add_kinds(apps, None)


@pytest.fixture
def reference_data(db):
    restore_reference_data()


@pytest.fixture
def league_region(reference_data):
    return Region.objects.get(code="152200")


@pytest.fixture
def county(reference_data):
    return Region.objects.get(code="152201")  # 乌兰浩特市


@pytest.fixture
def other_county(reference_data):
    return Region.objects.get(code="152224")  # 突泉县


@pytest.fixture
def occupation(db):
    return Occupation.objects.create(
        code="4-10-01-05", name="养老护理员", level="4", training_type="employment_skills", subsidy_per_person=Decimal("1600")
    )


@pytest.fixture
def unlicensed_occupation(db):
    return Occupation.objects.create(
        code="6-18-02-04", name="焊工", level="4", training_type="job_skills_upgrade", subsidy_per_person=Decimal("2000")
    )


def _institution(name, county, credit_code, occupation):
    institution = Institution.objects.create(
        name=name, credit_code=credit_code, county=county, contact_person="联系人", contact_phone="13800000000"
    )
    institution.licensed_occupations.add(occupation)
    return institution


@pytest.fixture
def institution(county, occupation):
    return _institution("乌兰浩特测试职业培训学校", county, "52152201MJ00000018", occupation)


@pytest.fixture
def other_institution(other_county, occupation):
    return _institution("突泉测试职业培训学校", other_county, "52152224MJ0000002M", occupation)


def make_user(username, **fields):
    user = User(username=username, first_name=username, **fields)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def league_user(league_region):
    return make_user("league", role=Role.LEAGUE, region=league_region)


@pytest.fixture
def county_user(county):
    return make_user("county", role=Role.COUNTY, region=county)


@pytest.fixture
def other_county_user(other_county):
    return make_user("county2", role=Role.COUNTY, region=other_county)


@pytest.fixture
def institution_user(institution):
    return make_user("institution", role=Role.INSTITUTION, institution=institution)


@pytest.fixture
def other_institution_user(other_institution):
    return make_user("institution2", role=Role.INSTITUTION, institution=other_institution)


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("admin", "admin@example.org", PASSWORD)


def make_class(institution, occupation, *, batch_number, status=TrainingClass.Status.DRAFT, headcount=40, **extra):
    start = extra.pop("start_date", date(2026, 5, 4))
    return TrainingClass.objects.create(
        batch_number=batch_number,
        institution=institution,
        occupation=occupation,
        category=occupation.training_type,
        start_date=start,
        end_date=extra.pop("end_date", start + timedelta(days=14)),
        registered_headcount=headcount,
        class_hours=90,
        location="培训基地",
        status=status,
        **extra,
    )


def approve_opening(training_class):
    """Records the county's approval of a class's opening (policy §8.2), for tests that start a class or need one
    approved without walking the review; test_opening.py walks it through the services."""
    from django.utils import timezone

    from supervision.models import OpeningReview
    from supervision.opening_selectors import registered_values_of

    review, _created = OpeningReview.objects.update_or_create(
        training_class=training_class,
        defaults={"status": OpeningReview.Status.APPROVED, "decided_at": timezone.now(),
                  "registered_values": registered_values_of(training_class)},
    )
    return review


def enroll(training_class, count, *, seed=1):
    rng = random.Random(f"{training_class.batch_number}:{seed}")
    category = TraineeCategory.objects.get(code="rural_migrant")
    enrollments = []
    for _ in range(count):
        gender = rng.choice(("male", "female"))
        number = make_resident_id(rng, area_code=training_class.institution.county.code, gender=gender)
        trainee = Trainee.objects.create(
            id_number=number,
            name=make_name(rng),
            gender=gender,
            birth_date=date(int(number[6:10]), int(number[10:12]), int(number[12:14])),
            category=category,
        )
        enrollments.append(
            Enrollment.objects.create(
                training_class=training_class, trainee=trainee, roster_name=trainee.name, phone=make_mobile(rng)
            )
        )
    return enrollments


def run_at_once(*calls) -> list:
    """Runs the calls in threads released together (each on its own database connection, so a transactional test
    sees a real race on PostgreSQL); returns each call's result or the exception it raised, in order."""
    from django.db import connection

    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # noqa: BLE001 (handed back to the test, which asserts on it)
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.fixture
def training_class(institution, occupation):
    return make_class(institution, occupation, batch_number="XA152201-2026-001")


@pytest.fixture
def other_class(other_institution, occupation):
    other = make_class(other_institution, occupation, batch_number="XA152224-2026-001")
    enroll(other, 3)
    return other


def confirmed_authenticator(user):
    """The user's confirmed TOTP device (made if missing), ready to accept its current code again: a test may log
    the same user in twice within one 30-second step, which django-otp would refuse as a replayed code."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="测试验证器", confirmed=True)
    device.last_t = -1
    device.save(update_fields=["last_t"])
    return device


def current_code(device) -> str:
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def pass_second_factor(client, user):
    """After a password login through the form: types the user's current authenticator code, as a user would."""
    device = confirmed_authenticator(user)
    return client.post("/accounts/second-factor/verify/", {"code": current_code(device)})


class VerifiedClient(Client):
    """A test client whose force_login also passes the second factor, as if the user had typed a code: tests of
    other features need not walk it. Tests of the second factor itself use django.test.Client and the real forms."""

    def force_login(self, user, backend=None):
        from django_otp import DEVICE_ID_SESSION_KEY

        super().force_login(user, backend)
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = confirmed_authenticator(user).persistent_id
        session.save()


@pytest.fixture
def client():
    """pytest-django's client, with force_login passing the second factor (VerifiedClient)."""
    return VerifiedClient()


def browser_log_in(page, base_url, username, password=PASSWORD, *, path="/"):
    """Logs a browser page in through the real forms: password, then the second factor when the user is asked
    for it (the user gets a confirmed authenticator first, so staff are never sent to enrol)."""
    user = User.objects.get(username=User.normalize_username(username))
    device = confirmed_authenticator(user)
    page.goto(f"{base_url}/accounts/login/?next={path}")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    # Waits for the navigation itself: the login page is already loaded when the click returns.
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    if "/accounts/second-factor/verify/" in page.url:
        page.get_by_label("验证码").fill(current_code(device))
        page.get_by_role("button", name="验证").click()
        page.wait_for_url(lambda url: "/accounts/second-factor/" not in url)
    return page


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args():
    return {"locale": "zh-CN", "viewport": {"width": 1366, "height": 900}}


@contextlib.contextmanager
def audit_triggers_suspended(connection):
    """Switch the audit table's append-only triggers off, as only the database owner can (tests only).

    PostgreSQL: ``ALTER TABLE … DISABLE TRIGGER``, inside the caller's transaction when there is one. SQLite has no
    such switch: the triggers are dropped and created again from their own stored SQL.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # ALTER TABLE waits for no deferred foreign-key check of the test's own inserts: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE accounts_auditevent DISABLE TRIGGER USER")
            try:
                yield
            finally:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("ALTER TABLE accounts_auditevent ENABLE TRIGGER USER")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            return
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'accounts_auditevent'")
        triggers = cursor.fetchall()
        for name, _sql in triggers:
            cursor.execute(f'DROP TRIGGER "{name}"')
        try:
            yield
        finally:
            for _name, sql in triggers:
                cursor.execute(sql)


def _audit_table_exists(connection) -> bool:
    return "accounts_auditevent" in connection.introspection.table_names()


@pytest.fixture(scope="session", autouse=True)
def flush_passes_the_audit_triggers():
    """Transactional tests end with a flush (TRUNCATE on PostgreSQL, DELETE on SQLite), which the audit table's
    triggers rightly refuse; the test harness, as the database owner, lifts them for that statement only."""
    original = BaseDatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        if not _audit_table_exists(self.connection):
            return original(self, sql_list)
        with audit_triggers_suspended(self.connection):
            return original(self, sql_list)

    BaseDatabaseOperations.execute_sql_flush = execute_sql_flush
    yield
    BaseDatabaseOperations.execute_sql_flush = original
