from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm

from accounts.models import Role, User
from core.forms import Form, GovukFormMixin


def people_who_own_things():
    """Who may own an indicator or a risk: officers and improvement leads who can sign in."""
    return User.objects.filter(
        is_active=True, groups__name__in=[Role.OFFICER, Role.IMPROVEMENT_LEAD]
    ).distinct()


class LoginForm(GovukFormMixin, AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # No autofocus: it skips the skip link and the page heading for screen reader users.
        self.fields["username"].widget.attrs.pop("autofocus", None)
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "spellcheck": "false"}
        )
        self.fields["password"].widget = forms.PasswordInput(
            attrs={
                "class": "govuk-input govuk-password-input__input",
                "autocomplete": "current-password",
            }
        )


class OneTimeCodeField(forms.CharField):
    """A 6-digit code from an authenticator app: spaces ignored, digits only."""

    def __init__(self, *, required_message: str, **kwargs):
        kwargs.setdefault("max_length", 12)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "class": "govuk-input--width-5",
                    "autocomplete": "one-time-code",
                    "inputmode": "numeric",
                    "spellcheck": "false",
                }
            ),
        )
        super().__init__(error_messages={"required": required_message}, **kwargs)

    def clean(self, value):
        code = "".join(super().clean(value).split())
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError("The code is 6 digits, for example 123456.")
        return code


class OneTimeCodeForm(Form):
    code = OneTimeCodeField(
        label="Code from your authenticator app",
        help_text="The 6-digit code, for example 123456.",
        required_message="Enter the 6-digit code from your authenticator app.",
    )


class ReplaceDeviceForm(OneTimeCodeForm):
    """Moving two-factor authentication to a new phone: a code from the app in use now, and
    one from the new app (the password alone never replaces a device)."""

    current_code = OneTimeCodeField(
        label="Code from the app you use now",
        help_text="The 6-digit code your current authenticator app shows.",
        required_message="Enter the 6-digit code from the app you use now.",
    )
    code = OneTimeCodeField(
        label="Code from the new app",
        help_text="The 6-digit code the new app shows once it has the QR code.",
        required_message="Enter the 6-digit code from your authenticator app.",
    )
    field_order = ["current_code", "code"]


class PasswordChangeForm(GovukFormMixin, auth_forms.PasswordChangeForm):
    """Django's own: the current password, then the new one twice (checked against the
    password rules in settings.AUTH_PASSWORD_VALIDATORS)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # No autofocus: it skips the skip link and the page heading for screen reader users.
        self.fields["old_password"].widget.attrs.pop("autofocus", None)
        for name, label, hint, required in (
            ("old_password", "Current password", "", "Enter your current password"),
            (
                "new_password1",
                "New password",
                "At least 12 characters. Not a common password, not only numbers, and not "
                "like your name or username.",
                "Enter a new password",
            ),
            ("new_password2", "New password again", "", "Enter the new password again"),
        ):
            field = self.fields[name]
            field.label, field.help_text = label, hint
            field.error_messages["required"] = required


class PasswordSignInForm(LoginForm):
    """The sign-in form. With LOCAL_PASSWORDS off (single sign-on only), it refuses anyone
    but the break-glass administrator before a password is checked."""

    def clean(self):
        from accounts import oidc

        username = self.cleaned_data.get("username")
        if username and not oidc.password_sign_in_allowed(username):
            raise forms.ValidationError(
                f"Sign in with {settings.SSO_PROVIDER_NAME}. {settings.SERVICE_NAME} does not "
                "use passwords, apart from the emergency administrator account.",
                code="passwords_off",
            )
        return super().clean()
