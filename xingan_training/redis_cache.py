"""Django's Redis cache backend, keeping one client per connection pool.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` for every cache call, and redis-py's
constructor fills in some 150 response callbacks each time. On the trainee's public form, which reads and counts
its throttling keys on every submission, that construction cost more CPU than the round trips to Redis
(bench/submissions.py). A ``redis.Redis`` holds no connection of its own, only its pool, and is safe to share
between threads, so one per pool does.
"""

from django.core.cache.backends import redis as django_redis


class PooledClientRedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = PooledClientRedisCacheClient
