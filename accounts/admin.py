from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpResponseRedirect

from accounts import credentials, mfa, permissions
from accounts.models import SsoIdentity, User

# Role-giving fields: for people whose roles come from the identity provider's groups they
# are shown, not editable (see accounts/oidc.py).
ROLE_FIELDS = ("groups", "is_staff", "is_superuser", "user_permissions")


class SsoIdentityInline(admin.StackedInline):
    model = SsoIdentity
    can_delete = True
    extra = 0
    max_num = 1
    fields = ["issuer", "subject", "linked_at", "last_sign_in"]
    readonly_fields = fields  # type: ignore[assignment]  # a flat list of field names
    verbose_name = "Single sign-on"
    verbose_name_plural = "Single sign-on"

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "email", "job_title", "is_active"]
    list_filter = ["groups", "is_active", "is_staff"]
    fieldsets = [
        *(BaseUserAdmin.fieldsets or []),
        ("Job", {"fields": ["job_title"]}),
    ]
    inlines = [SsoIdentityInline]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and not permissions.can_change_roles_of(obj):
            fields += [name for name in ROLE_FIELDS if name not in fields]
        return fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and not permissions.can_change_roles_of(obj):
            note = (
                "Roles follow this person's groups at the council's identity provider and "
                "are set again each time they sign in. Change their groups there."
            )
            fieldsets = [
                (name, {**options, "description": note})
                if "groups" in options.get("fields", ())
                else (name, options)
                for name, options in fieldsets
            ]
        return fieldsets

    actions = ["reset_two_factor"]

    @admin.action(description="Reset two-factor authentication (they set it up again at sign-in)")
    def reset_two_factor(self, request, queryset):
        """Recovery for someone who lost their phone; each reset is in the audit trail."""
        for user in queryset:
            mfa.mfa_reset_by_administrator(administrator=request.user, user=user)
        self.message_user(
            request,
            f"Two-factor authentication reset for {queryset.count()} "
            f"{'person' if queryset.count() == 1 else 'people'}. They set up a new app the "
            "next time they sign in.",
            messages.SUCCESS,
        )

    def user_change_password(self, request, id, form_url=""):
        """Django's password reset page; a successful reset is recorded in the audit trail."""
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and isinstance(response, HttpResponseRedirect):
            user = self.get_object(request, id)
            if user is not None:
                credentials.user_password_reset_record(administrator=request.user, user=user)
        return response
