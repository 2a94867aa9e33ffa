"""Logs without PHI: request ids, no query strings in request logs (gunicorn's or runserver's), no bodies."""

from __future__ import annotations

import datetime as dt
import logging
import runpy
from pathlib import Path
from typing import Any

import pytest
from gunicorn.config import Config
from gunicorn.glogging import Logger

from config.logs import QueryStringFilter, RequestIdFilter

ROOT = Path(__file__).resolve().parents[2]
GUNICORN_CONF = runpy.run_path(str(ROOT / "config" / "gunicorn.conf.py"))


class _Response:
    status = "200 OK"
    sent = 1234
    headers = [("Content-Type", "text/html"), ("X-Request-ID", "abc123def456")]


def test_gunicorns_access_log_has_the_path_and_request_id_but_no_query_string_or_referrer(tmp_path: Path) -> None:
    log_file = tmp_path / "access.log"
    cfg = Config()
    cfg.set("accesslog", str(log_file))
    cfg.set("access_log_format", GUNICORN_CONF["access_log_format"])
    logger = Logger(cfg)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/members/search/?q=Lopez-Garcia",
        "PATH_INFO": "/members/search/",
        "QUERY_STRING": "q=Lopez-Garcia",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.7",
        "HTTP_REFERER": "https://calaim.example.org/members/search/?q=Maria",
    }
    logger.access(_Response(), environ, environ, dt.timedelta(milliseconds=42))
    for handler in logger.access_log.handlers:
        handler.flush()
    line = log_file.read_text()
    assert '"GET /members/search/ HTTP/1.1" 200' in line and "rid=abc123def456" in line and "42ms" in line
    assert "Lopez" not in line and "Maria" not in line and "?" not in line


def test_runservers_request_lines_lose_their_query_string() -> None:
    line = ("GET /members/search/?q=Lopez HTTP/1.1", 200, 5)
    record = logging.LogRecord("django.server", logging.INFO, __file__, 1, '"%s" %s %s', line, None)
    assert QueryStringFilter().filter(record)
    assert record.getMessage() == '"GET /members/search/ HTTP/1.1" 200 5'


def test_records_outside_a_request_say_so() -> None:
    record = logging.LogRecord("calaim", logging.INFO, __file__, 1, "started", None, None)
    RequestIdFilter().filter(record)
    assert record.request_id == "-"  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_each_request_gets_an_id_and_keeps_a_proxys(client: Any) -> None:
    first = client.get("/login/")["X-Request-ID"]
    second = client.get("/login/")["X-Request-ID"]
    assert len(first) == 32 and first != second
    assert client.get("/login/", HTTP_X_REQUEST_ID="lb-7f3a9c01")["X-Request-ID"] == "lb-7f3a9c01"
    # Anything that could forge a log line is replaced.
    forged = client.get("/login/", HTTP_X_REQUEST_ID="x\n2026 ERROR fake")["X-Request-ID"]
    assert "\n" not in forged and len(forged) == 32


@pytest.mark.django_db
def test_a_search_logs_neither_its_terms_nor_its_results(web: Any, member: Any, caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    response = web("member_services").get("/members/search/", {"q": member.last_name})
    assert response.status_code == 200
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert member.last_name not in logged and member.cin not in logged
