"""Structured logs: one JSON object per line, each with the request's ID."""

import io
import json
import logging

import pytest
from django.urls import reverse

from core.logs import JsonFormatter, RequestIdFilter


@pytest.fixture
def log_lines():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    loggers = [logging.getLogger("improve.request"), logging.getLogger("improve.test")]
    # A Celery test worker started earlier in this process may have reconfigured
    # logging (levels, disabled loggers): pin what these tests rely on.
    saved = [(logger.level, logger.disabled) for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.disabled = False
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    for logger, (level, disabled) in zip(loggers, saved, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.disabled = disabled


def test_each_request_gets_an_id_on_the_response_and_in_the_log(as_user, officer, log_lines):
    response = as_user(officer).get(reverse("dashboard"))
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32 and int(request_id, 16) >= 0
    [line] = [line for line in log_lines() if line["logger"] == "improve.request"]
    assert line["request_id"] == request_id
    assert line["message"] == "GET / 200"
    assert line["status"] == 200
    assert line["method"] == "GET"
    assert line["user_id"] == officer.pk
    assert line["duration_ms"] >= 0
    assert line["level"] == "INFO"
    assert line["time"].endswith("+00:00")


def test_a_proxys_request_id_is_kept(client, log_lines):
    response = client.get(reverse("healthz"), headers={"X-Request-ID": "lb-7f3a.1:2"})
    assert response["X-Request-ID"] == "lb-7f3a.1:2"
    assert log_lines()[0]["request_id"] == "lb-7f3a.1:2"


@pytest.mark.parametrize("hostile", ["a" * 65, "x\ny", 'x" ,"level":"ERROR', "<script>"])
def test_a_malformed_request_id_is_replaced(client, hostile, log_lines):
    response = client.get(reverse("healthz"), headers={"X-Request-ID": hostile})
    assert response["X-Request-ID"] != hostile
    assert len(response["X-Request-ID"]) == 32
    assert all(line["request_id"] == response["X-Request-ID"] for line in log_lines())


def test_log_lines_from_code_carry_the_request_id_and_extras(log_lines):
    from core import logs

    token = logs.request_id_var.set("abc123")
    try:
        logging.getLogger("improve.test").warning("Reminder sent to %s", "Sam", extra={"n": 2})
        try:
            raise ValueError("boom")
        except ValueError:
            logging.getLogger("improve.test").exception("It failed")
    finally:
        logs.request_id_var.reset(token)
    first, second = log_lines()
    assert first == first | {"message": "Reminder sent to Sam", "request_id": "abc123", "n": 2}
    assert "ValueError: boom" in second["exception"]


def test_logging_is_configured_as_json_in_production(settings):
    assert settings.LOG_FORMAT == "json"
    assert settings.LOGGING["handlers"]["console"]["formatter"] == "json"
