"""The reminder emails: a digest, escalation or weekly summary, and a due-date notice, each
with a plain-text and an HTML body and a Message-ID that is the same on every attempt."""

from __future__ import annotations

from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import User
from actions.models import DueDateChange
from reminders.digests import Digest
from reminders.models import Kind

_TEMPLATES: dict[str, str] = {
    Kind.DAILY_DIGEST: "reminders/email/digest",
    Kind.WEEKLY_DIGEST: "reminders/email/digest",
    Kind.ESCALATION: "reminders/email/escalation",
    Kind.LEAD_SUMMARY: "reminders/email/lead_summary",
}


def _mail_domain() -> str:
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2] or "improve.invalid"


def _message(*, subject: str, to: str, template: str, context: dict, message_key: str):
    context = {
        "site_url": settings.SITE_URL,
        "service_name": settings.SERVICE_NAME,
        "council_name": settings.COUNCIL_NAME,
        "preferences_url": settings.SITE_URL + reverse("reminders:preference_edit"),
        "subject": subject,
        **context,
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={
            # The same Message-ID on every attempt, so a repeat after a crash is recognisable.
            "Message-ID": f"<improve.{message_key}@{_mail_domain()}>",
            # Ask auto-responders (out of office) not to answer a robot.
            "Auto-Submitted": "auto-generated",
            "X-Auto-Response-Suppress": "All",
        },
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message


def digest_message(digest: Digest, *, message_key: str) -> EmailMultiAlternatives:
    return _message(
        subject=digest.subject,
        to=digest.recipient.email,
        template=_TEMPLATES[digest.kind],
        context={
            "digest": digest,
            "overdue_list_url": settings.SITE_URL + reverse("actions:action_list") + "?overdue=on",
        },
        message_key=message_key,
    )


def due_date_notice_message(change: DueDateChange, recipient: User, *, message_key: str):
    action = change.action
    return _message(
        subject=f"Due date changed: action {action.reference}",
        to=recipient.email,
        template="reminders/email/due_date_notice",
        context={
            "change": change,
            "action": action,
            "recipient": recipient,
            "action_url": settings.SITE_URL + action.get_absolute_url(),
        },
        message_key=message_key,
    )
