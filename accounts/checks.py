"""`manage.py check --deploy` warns when production would run without two-factor sign-in."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def two_factor_on(app_configs, **kwargs):
    if settings.MFA_REQUIRED:
        return []
    return [
        checks.Warning(
            "MFA_REQUIRED is off: improvement leads and administrators sign in with a "
            "password alone.",
            hint="Remove MFA_REQUIRED=0 from the environment (.env); only the demo sets it.",
            id="accounts.W001",
        )
    ]
