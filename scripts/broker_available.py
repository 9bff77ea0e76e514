"""Exit 0 if the Celery broker (Redis) answers within two seconds, 1 if not."""

import os
import sys

import redis

url = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
try:
    redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
except redis.RedisError:
    sys.exit(1)
