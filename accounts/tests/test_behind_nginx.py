"""Behind nginx, as in production: the client address the portal audits, locks and throttles is the one nginx
saw, never one the client wrote into X-Forwarded-For.

Runs Debian's nginx (installed with apt-get when missing and running as root) in front of gunicorn with
TRUSTED_PROXY_COUNT=1, both on free loopback ports, against the test database. Requests leave from 127.0.0.1 or
127.0.0.2, two real addresses on the loopback. Under CI=true the test fails rather than skips without nginx.
"""

import html
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from classes.models import TrainingClass
from conftest import IS_CI, PASSWORD, enroll, make_class
from evaluations import services as evaluation_services
from evaluations.models import TraineeEvaluation
from evaluations.tests.conftest import trainee_answers

ROOT = Path(__file__).resolve().parents[2]
FAILURE_LIMIT = 3
pytestmark = pytest.mark.django_db(transaction=True)

NGINX_CONF = """
{user}
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log {dir}/access.log;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://127.0.0.1:{app_port};
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
}}
"""


def unavailable(reason):
    if IS_CI:
        pytest.fail(f"CI must run this test behind nginx: {reason}")
    pytest.skip(reason)


def nginx_binary() -> str | None:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
    if found or os.geteuid() != 0:
        return found
    subprocess.run(
        "apt-get update -qq && apt-get install -y -qq --no-install-recommends nginx-light",
        shell=True, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"}, capture_output=True, timeout=600,
    )
    return shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        assert "memory" not in settings["NAME"], "settings_test must give SQLite a test database file"
        return f"sqlite:///{settings['NAME']}"
    return f"postgres://{settings['USER']}:{settings['PASSWORD'] or ''}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"


def tail(path: Path) -> str:
    return path.read_text(errors="replace")[-3000:] if path.exists() else ""


def stop(process):
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def proxy_port(django_db_setup, django_db_blocker, tmp_path_factory):
    """nginx on a free port in front of gunicorn (two workers, sharing the cache's counters)."""
    nginx = nginx_binary()
    if nginx is None:
        unavailable("nginx is not installed (apt-get install nginx-light) and cannot be installed without root")
    with django_db_blocker.unblock():
        url = database_url()
    directory = tmp_path_factory.mktemp("nginx")
    port, app_port = free_port(), free_port()
    environment = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "xingan_training.settings_test", "DATABASE_URL": url,
        "TRUSTED_PROXY_COUNT": "1", "AXES_FAILURE_LIMIT": str(FAILURE_LIMIT),
        "TRAINEE_FORM_ADDRESS_FAILURE_LIMIT": str(FAILURE_LIMIT), "TRAINEE_FORM_LINK_FAILURE_LIMIT": "100",
    }
    gunicorn_log = directory / "gunicorn.log"
    with gunicorn_log.open("w") as log:
        gunicorn = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "xingan_training.wsgi", "--bind", f"127.0.0.1:{app_port}", "--workers", "2"],
            cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT,
        )
    config = directory / "nginx.conf"
    config.write_text(NGINX_CONF.format(
        user="user root;" if os.geteuid() == 0 else "", dir=directory, port=port, app_port=app_port,
    ))
    proxy = subprocess.Popen(
        [nginx, "-p", str(directory), "-c", str(config), "-e", str(directory / "error.log"), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proxy.poll() is not None:
                unavailable(f"nginx did not start: {tail(directory / 'error.log')}")
            if gunicorn.poll() is not None:
                pytest.fail(f"gunicorn did not start: {tail(gunicorn_log)}")
            if Phone(port).get(reverse("accounts:login"))[0] == 200:
                break
            time.sleep(0.3)
        else:
            pytest.fail(f"nothing served through nginx: {tail(directory / 'error.log')} {tail(gunicorn_log)}")
        yield port
    finally:
        stop(proxy)
        stop(gunicorn)


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()
    yield
    cache.clear()


class Phone:
    """A browser at a real loopback address, talking to nginx; it keeps its cookies and may forge headers."""

    def __init__(self, port: int, address: str = "127.0.0.1"):
        self.port, self.address, self.cookies = port, address, SimpleCookie()

    def request(self, method, path, fields=None, forwarded_for=None):
        headers = {"Host": "127.0.0.1"}
        if cookies := "; ".join(f"{name}={morsel.value}" for name, morsel in self.cookies.items()):
            headers["Cookie"] = cookies
        if forwarded_for:
            headers["X-Forwarded-For"] = forwarded_for
        body = None
        if fields is not None:
            body = urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection_ = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30, source_address=(self.address, 0))
        try:
            connection_.request(method, path, body, headers)
            response = connection_.getresponse()
            for cookie in response.headers.get_all("Set-Cookie") or []:
                self.cookies.load(cookie)
            return response.status, html.unescape(response.read().decode())
        except ConnectionError:
            return 0, ""
        finally:
            connection_.close()

    def get(self, path):
        return self.request("GET", path)

    def submit(self, path, fields, forwarded_for=None):
        """Opens the page for its CSRF token, then posts the form, as a browser would."""
        _status, page = self.get(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        return self.request("POST", path, {**fields, "csrfmiddlewaretoken": token}, forwarded_for=forwarded_for)


def log_in(phone, username, password, forwarded_for=None):
    return phone.submit(reverse("accounts:login"), {"username": username, "password": password}, forwarded_for)


def test_a_forged_forwarded_for_does_not_change_the_audited_address(proxy_port, county_user):
    status, page = log_in(Phone(proxy_port), "county", "wrong-Password-1", forwarded_for="203.0.113.9")
    assert status == 200 and "用户名或密码错误" in page
    log_in(Phone(proxy_port, "127.0.0.2"), "county", "wrong-Password-2", forwarded_for="127.0.0.1")
    addresses = AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED).order_by("id").values_list("ip_address", flat=True)
    assert list(addresses) == ["127.0.0.1", "127.0.0.2"]


def test_one_locked_username_does_not_lock_colleagues_at_the_same_address(proxy_port, county_user, other_county_user):
    phone = Phone(proxy_port)
    for attempt in range(FAILURE_LIMIT):
        log_in(phone, "county", f"wrong-Password-{attempt}", forwarded_for=f"198.51.100.{attempt}")
    status, page = log_in(Phone(proxy_port, "127.0.0.2"), "county", PASSWORD)
    assert status == 429 and "账号已暂时锁定" in page
    status, _page = log_in(Phone(proxy_port), "county2", PASSWORD)
    assert status == 302
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN, actor=other_county_user, ip_address="127.0.0.1").exists()


def test_the_trainee_form_counts_failures_per_real_address(proxy_port, institution, occupation, county_user):
    today = timezone.localdate()
    training_class = make_class(
        institution, occupation, batch_number="XA152201-2026-090", status=TrainingClass.Status.IN_TRAINING,
        start_date=today - timedelta(days=3), end_date=today + timedelta(days=3),
    )
    first, second = [enrollment.trainee for enrollment in enroll(training_class, 2)]
    link = evaluation_services.evaluation_link_create(actor=county_user, training_class=training_class)
    path = reverse("trainee_form_public", args=[link.token])
    answers = {
        key: ("true" if value is True else "false" if value is False else value)
        for key, value in trainee_answers(training_class).items()
    }
    attacker = Phone(proxy_port)
    for guess in range(FAILURE_LIMIT):
        status, page = attacker.submit(
            path, {**answers, "name": "王五", "id_number": f"15220119900101{guess:04d}"}, forwarded_for=f"192.0.2.{guess}"
        )
        assert status == 400 and "与本班花名册不符" in page
    status, page = attacker.submit(path, {**answers, "name": first.name, "id_number": first.id_number}, forwarded_for="192.0.2.99")
    assert status == 429 and "核对失败次数过多" in page
    status, page = Phone(proxy_port, "127.0.0.2").submit(path, {**answers, "name": second.name, "id_number": second.id_number})
    assert status == 200 and "提交成功" in page
    assert list(TraineeEvaluation.objects.values_list("enrollment__trainee", flat=True)) == [second.pk]
