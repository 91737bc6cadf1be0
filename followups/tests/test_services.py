"""The real services behind the portal answer: the database CI must use, the broker, the shared cache."""

import uuid

import pytest
from django.core.cache import cache, caches
from django.db import connection

from conftest import IS_CI
from xingan_training.celery import app as celery_app


def test_ci_runs_on_postgresql(db):
    if not IS_CI:
        pytest.skip("outside CI the default database is SQLite")
    assert connection.vendor == "postgresql"


def test_the_configured_broker_carries_a_message_round_trip():
    # Redis in CI and production, kombu's file-system transport in a local run: both are real brokers.
    queue_name = f"test-roundtrip-{uuid.uuid4().hex}"
    with celery_app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=2)
        queue = broker.SimpleQueue(queue_name)
        try:
            queue.put({"ping": queue_name})
            message = queue.get(timeout=5)
            message.ack()
            assert message.payload == {"ping": queue_name}
        finally:
            queue.clear()
            queue.close()
    if IS_CI:
        assert celery_app.conf.broker_url.startswith("redis://")


def test_the_cache_is_shared_between_processes():
    key = f"shared-{uuid.uuid4().hex}"
    cache.set(key, "visible", 30)
    assert cache.get(key) == "visible"
    backend = type(caches["default"]).__name__
    assert backend in {"RedisCache", "FileBasedCache"}, "a per-process memory cache would not rate-limit across web nodes"
    if IS_CI:
        assert backend == "RedisCache"
