from django.contrib import admin

from board.models import AgendaItem, Attendance, Challenge, ChallengeMessage, Decision, Meeting


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    autocomplete_fields = ["person"]


class AgendaItemInline(admin.StackedInline):
    model = AgendaItem
    extra = 0
    filter_horizontal = ["actions", "areas"]


class DecisionInline(admin.StackedInline):
    model = Decision
    extra = 0
    raw_id_fields = ["action", "area", "owner", "resulting_action", "agenda_item"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["date", "title", "board_pack_reference"]
    date_hierarchy = "date"
    search_fields = ["title", "minutes", "agenda_items__title"]
    inlines = [AttendanceInline, AgendaItemInline, DecisionInline]


class ChallengeMessageInline(admin.TabularInline):
    """Read-only: the thread is append-only (a database trigger refuses edits)."""

    model = ChallengeMessage
    extra = 0
    can_delete = False
    fields = ["created_at", "author", "kind", "text"]
    readonly_fields = fields  # type: ignore[assignment]  # a flat list of field names

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Challenge)
class ChallengeAdmin(admin.ModelAdmin):
    """Challenges change state only through the app (board.services); the admin reads."""

    list_display = ["raised_at", "raised_by", "assigned_to", "state", "answer_due"]
    list_filter = ["state"]
    list_select_related = ["raised_by", "assigned_to"]
    search_fields = ["question", "action__reference"]
    inlines = [ChallengeMessageInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
