"""gunicorn for calaim: `gunicorn -c config/gunicorn.conf.py config.wsgi` (docs/deploy.md).

Sized for a small machine (2 cores): a few worker processes, each with a few threads, because a request spends most
of its time waiting on PostgreSQL. Every value can be overridden from the environment without editing this file.
"""

from __future__ import annotations

import os

from config.logs import GUNICORN_ACCESS_LOG_FORMAT


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


_cores = os.cpu_count() or 1

wsgi_app = "config.wsgi:application"
bind = os.environ.get("CALAIM_BIND", "127.0.0.1:8000").split(",")
# Processes: one more than the cores, so a core is never idle while a worker waits to be scheduled; threads: each
# thread holds one database connection (CONN_MAX_AGE), so workers x threads stays well under max_connections.
workers = _int("CALAIM_WEB_WORKERS", _cores + 1)
worker_class = "gthread"
threads = _int("CALAIM_WEB_THREADS", 4)
# A request that takes longer than this is stuck: its worker is killed and replaced (the master logs it).
timeout = _int("CALAIM_WEB_TIMEOUT", 30)
# On SIGTERM or SIGHUP, a worker finishes the requests it has before it exits.
graceful_timeout = _int("CALAIM_WEB_GRACEFUL_TIMEOUT", 30)
# Recycle each worker after about ten thousand requests, spread out so they do not all restart at once: any slow
# leak in a library is bounded. Not much lower: at 45 requests a second (the load run) 1,000 recycled a worker every
# 25 s, each costing a start-up and, now and then, a kept-alive connection closed just as a client reused it.
max_requests = _int("CALAIM_WEB_MAX_REQUESTS", 10000)
max_requests_jitter = _int("CALAIM_WEB_MAX_REQUESTS_JITTER", 1000)
# Kept-alive connections (a client or a load balancer reusing one) are closed after this many idle seconds.
keepalive = _int("CALAIM_WEB_KEEPALIVE", 5)
# Not preloaded: `kill -HUP` (systemctl reload) starts new workers on the new code, then retires the old ones.
preload_app = False
# The heartbeat file on tmpfs: a slow disk never makes a healthy worker look stuck.
_SHM = "/dev/shm"  # noqa: S108  (a directory gunicorn creates its own private files in; what its docs advise)
worker_tmp_dir = _SHM if os.path.isdir(_SHM) else None
# A 5 MB request line or header block is an attack, not a referral; bodies are bounded by Django.
limit_request_line = 8190
limit_request_fields = 100
# The proxy in front (nginx, a load balancer) on this address may say the request came over https.
forwarded_allow_ips = os.environ.get("CALAIM_FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "calaim"
# gunicornc's control socket is not used (systemd manages the process) and would collide between instances.
control_socket_disable = True

# Logs on stderr for journald. The access log never has the query string (a search carries a member's name) or
# the referrer: see config/logs.py.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("CALAIM_LOG_LEVEL", "info").lower()
access_log_format = GUNICORN_ACCESS_LOG_FORMAT
