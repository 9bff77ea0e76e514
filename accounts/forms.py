from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm

from medway_improve.forms import Form, GovukFormMixin


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


class OneTimeCodeForm(Form):
    code = forms.CharField(
        label="Code from your authenticator app",
        help_text="The 6-digit code, for example 123456.",
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "class": "govuk-input--width-5",
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
            }
        ),
        error_messages={"required": "Enter the 6-digit code from your authenticator app."},
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError("The code is 6 digits, for example 123456.")
        return code


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
