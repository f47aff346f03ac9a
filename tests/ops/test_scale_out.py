"""The scale-out stack: PostgreSQL for data, Redis for the task queue and the cache.

Meaningful only on `make test`'s second run (DATABASE_URL on PostgreSQL, REDIS_URL
set; tests/servers/servers.sh starts both on loopback); skipped on SQLite.
"""

import os
import uuid

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.db import connection

DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")

pytestmark = pytest.mark.servers

on_postgres = pytest.mark.skipif(
    not DATABASE_URL.startswith(("postgres://", "postgresql://")),
    reason="DATABASE_URL is not PostgreSQL (the SQLite run); `make test` runs this on PG")
on_redis = pytest.mark.skipif(
    not REDIS_URL, reason="REDIS_URL is not set (the SQLite run); `make test` runs this on Redis")


@on_postgres
def test_the_database_is_postgresql(db):
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        assert cursor.fetchone()[0].startswith("PostgreSQL")


@on_redis
def test_the_task_broker_is_redis():
    from django_q.brokers import get_broker
    from django_q.brokers.redis_broker import Redis

    assert "redis" in settings.Q_CLUSTER and "orm" not in settings.Q_CLUSTER
    broker = get_broker()
    assert isinstance(broker, Redis)
    assert broker.ping()


@on_redis
def test_an_enqueued_task_waits_in_redis():
    """Not inline: conftest makes django-q2 synchronous, this task asks not to be."""
    from django_q.brokers import get_broker
    from django_q.signing import SignedPackage
    from django_q.tasks import async_task

    # A queue of its own, so nothing else (a worker, another test) touches it.
    broker = get_broker(list_key=f"scale-out-{uuid.uuid4().hex}")
    try:
        before = broker.queue_size()
        task_id = async_task("math.copysign", 2, -1, sync=False, broker=broker)
        assert broker.queue_size() == before + 1
        (_, package), = broker.dequeue()
        task = SignedPackage.loads(package)
        assert (task["id"], task["func"], task["args"]) == (task_id, "math.copysign", (2, -1))
    finally:
        broker.delete_queue()


@on_redis
def test_the_cache_is_redis():
    import redis
    from django.core.cache.backends.redis import RedisCache

    assert isinstance(caches["default"], RedisCache)
    key = f"scale-out-{uuid.uuid4().hex}"
    cache.set(key, "shared by every process", 30)
    try:
        with redis.from_url(REDIS_URL) as client:
            # What another web process or worker would see: the same server's key.
            assert client.exists(cache.make_key(key)) == 1
            assert 0 < client.ttl(cache.make_key(key)) <= 30
        assert cache.get(key) == "shared by every process"
    finally:
        cache.delete(key)
