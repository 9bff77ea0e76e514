"""Friendly pages for requests that fail before or after the view: 400 and a lost session."""

from django.contrib.sessions.exceptions import SessionInterrupted
from django.core.exceptions import SuspiciousOperation
from django.test import RequestFactory

from medway_improve.views import bad_request


def test_a_request_for_another_host_gets_the_friendly_400_page(client):
    response = client.get("/", headers={"host": "evil.example"})
    assert response.status_code == 400
    assert b"Sorry, your browser sent a request the service could not read" in response.content


def test_a_suspicious_request_gets_the_400_page():
    response = bad_request(RequestFactory().get("/"), SuspiciousOperation("bad"))
    assert response.status_code == 400
    assert b"could not read" in response.content


def test_a_session_that_could_not_be_saved_is_the_services_fault():
    # Django raises SessionInterrupted when saving the session fails, which is what happens
    # when PostgreSQL goes away mid-request (tests/faults restarts it under traffic).
    response = bad_request(RequestFactory().get("/"), SessionInterrupted("gone"))
    assert response.status_code == 500
    assert b"Sorry, there is a problem with the service" in response.content
