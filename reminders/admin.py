from django.contrib import admin

from reminders.models import (
    DueDateNotice,
    Reminder,
    ReminderPreference,
    ReminderRun,
    ReminderSettings,
)


@admin.register(ReminderSettings)
class ReminderSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "due_within_days", "escalate_after_days", "send_time"]
    readonly_fields = ["updated_at", "updated_by"]

    def has_add_permission(self, request):
        return not ReminderSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReminderPreference)
class ReminderPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "frequency", "paused", "back_on"]
    list_filter = ["frequency", "paused"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]


class DeliveryAdmin(admin.ModelAdmin):
    """The delivery record is written by the workers; here it is for reading."""

    list_filter = ["status"]
    search_fields = ["recipient__username", "recipient__email"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Reminder)
class ReminderAdmin(DeliveryAdmin):
    list_display = ["date", "kind", "recipient", "status", "attempts", "sent_at", "action_count"]
    list_filter = ["status", "kind", "date"]
    date_hierarchy = "date"


@admin.register(DueDateNotice)
class DueDateNoticeAdmin(DeliveryAdmin):
    list_display = ["created_at", "change", "recipient", "status", "attempts", "sent_at"]


@admin.register(ReminderRun)
class ReminderRunAdmin(admin.ModelAdmin):
    """One row per day the reminders were planned, written by the worker (its unique date
    stops a second run the same day): for reading, never added by hand."""

    list_display = ["date", "planned_at", "reminders_planned"]
    readonly_fields = ["date", "planned_at", "reminders_planned"]

    def has_add_permission(self, request):
        return False
