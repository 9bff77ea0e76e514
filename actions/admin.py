from django.contrib import admin

from actions.models import Action, DueDateChange, Evidence, Priority, ProgressUpdate


@admin.register(Priority)
class PriorityAdmin(admin.ModelAdmin):
    list_display = ["number", "title"]
    search_fields = ["title", "description"]


class AppendOnlyInline(admin.TabularInline):
    """Read-only rows: these logs are append-only (a database trigger refuses edits) and
    are written by the app's services, never typed into the admin."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False


class ProgressUpdateInline(AppendOnlyInline):
    model = ProgressUpdate
    fields = ["created_at", "author", "status_before", "status_after", "percent_after", "note"]


class DueDateChangeInline(AppendOnlyInline):
    model = DueDateChange
    fields = ["changed_at", "changed_by", "old_date", "new_date", "reason"]


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    fields = ["added_at", "added_by", "note", "url", "file"]
    readonly_fields = ["added_at", "added_by"]
    can_delete = False


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ["reference", "title", "priority", "owner", "status", "due_date"]
    list_filter = ["priority", "status", "rag_override", "owner"]
    list_select_related = ["priority", "owner"]
    search_fields = ["reference", "title", "description"]
    autocomplete_fields = ["owner", "accountable", "areas"]
    date_hierarchy = "due_date"
    readonly_fields = ["version", "created_at", "updated_at"]
    inlines = [ProgressUpdateInline, DueDateChangeInline, EvidenceInline]

    def get_readonly_fields(self, request, obj=None):
        # Once an action exists its dates move only through the app, which asks for a reason.
        if obj is None:
            return self.readonly_fields
        return [*self.readonly_fields, "baseline_due_date", "due_date"]

    def save_formset(self, request, form, formset, change):
        for obj in formset.save(commit=False):
            if isinstance(obj, Evidence) and not obj.added_by_id:
                obj.added_by = request.user
            obj.save()
        formset.save_m2m()


class AppendOnlyAdmin(admin.ModelAdmin):
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(AppendOnlyAdmin):
    list_display = ["action", "created_at", "author", "status_before", "status_after"]
    list_filter = ["status_after"]
    list_select_related = ["action", "author"]
    search_fields = ["note", "action__reference"]


@admin.register(DueDateChange)
class DueDateChangeAdmin(AppendOnlyAdmin):
    list_display = ["action", "old_date", "new_date", "changed_by", "changed_at"]
    list_select_related = ["action", "changed_by"]
    search_fields = ["reason", "action__reference"]
