from django.contrib.auth.backends import ModelBackend

from accounts import permissions


class RoleBackend(ModelBackend):
    """Django's model permissions, plus: an Administrator may do anything in the admin.
    (Staff status still decides who may open the admin at all.)"""

    def user_can_authenticate(self, user):
        """With LOCAL_PASSWORDS off, only the break-glass administrator signs in with a
        password (here for the admin's sign-in form too); see accounts/oidc.py."""
        from accounts import oidc

        return super().user_can_authenticate(user) and oidc.password_sign_in_allowed(
            user.get_username()
        )

    def has_perm(self, user_obj, perm, obj=None):
        if user_obj.is_active and permissions.is_administrator(user_obj):
            return True
        return super().has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj, app_label):
        if user_obj.is_active and permissions.is_administrator(user_obj):
            return True
        return super().has_module_perms(user_obj, app_label)
