from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "email", "job_title", "is_active"]
    list_filter = ["groups", "is_active", "is_staff"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        ("Job", {"fields": ["job_title"]}),
    ]
