from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpResponseRedirect

from accounts import credentials, mfa
from accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "email", "job_title", "is_active"]
    list_filter = ["groups", "is_active", "is_staff"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        ("Job", {"fields": ["job_title"]}),
    ]
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
