import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts import permissions
from core.types import AuthenticatedHttpRequest
from reminders import delivery, services
from reminders.digests import settings_for_reading
from reminders.forms import ReminderPreferenceForm, ReminderSettingsForm
from reminders.models import DeliveryStatus, Reminder, ReminderPreference


@require_http_methods(["GET", "POST"])
def preference_edit(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Each person's own reminders: how often, and a pause while on leave."""
    if not permissions.can_set_own_reminders(request.user):
        raise PermissionDenied
    current = ReminderPreference.objects.filter(user=request.user).first()
    form = ReminderPreferenceForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        services.reminder_preference_update(user=request.user, **form.cleaned_data)
        messages.success(request, "Your reminder settings have been saved.")
        return redirect("reminders:preference_edit")
    return TemplateResponse(
        request,
        "reminders/preference_edit.html",
        {
            "form": form,
            "preference": current,
            "config": settings_for_reading(),
        },
        status=422 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def settings_edit(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The settings for everyone, and what has been sent lately. Leads and administrators."""
    if not permissions.can_manage_reminders(request.user):
        raise PermissionDenied("Only improvement leads and administrators change reminders.")
    config = settings_for_reading()
    form = ReminderSettingsForm(request.POST or None, instance=config)
    if request.method == "POST" and form.is_valid():
        services.reminder_settings_update(user=request.user, **form.cleaned_data)
        messages.success(request, "Reminder settings saved. They apply from the next send.")
        return redirect("reminders:settings_edit")
    failed = (
        Reminder.objects.filter(status=DeliveryStatus.FAILED, date__gte=_week_ago())
        .select_related("recipient")
        .order_by("-date", "kind")[:50]
    )
    return TemplateResponse(
        request,
        "reminders/settings_edit.html",
        {
            "form": form,
            "config": config,
            "log": delivery.delivery_log(days=7),
            "failed": failed,
        },
        status=422 if form.errors else 200,
    )


def _week_ago():
    return timezone.localdate() - dt.timedelta(days=7)
