"""Settings for Improve: one module, configured from the environment.

Every value that differs between a laptop, CI and production comes from an
environment variable (see `.env.example`). Defaults suit a developer machine
with PostgreSQL and Redis on 127.0.0.1; production (DEBUG off) refuses to start
without a real secret key.
"""

import datetime as dt
from pathlib import Path
from typing import Any

import environ
import pghistory
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

_DEV_SECRET_KEY = "dev-only-insecure-secret-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else "")
if not DEBUG and (not SECRET_KEY or SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a long random value when DEBUG is off. "
        "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(64))'"
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The public address of the service, used in links inside emails and PDFs.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
COUNCIL_NAME = env.str("COUNCIL_NAME", default="Medway Council")
SERVICE_NAME = "Improve"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.forms",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "core",
    "accounts",
    "inspections",
    "actions",
    "reminders",
    "kpis",
    "risks",
    "imports",
    "audit",
    "board",
    "boardpacks",
    "home",
]

MIDDLEWARE = [
    "medway_improve.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "medway_improve.middleware.SessionRefreshMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "medway_improve.middleware.SessionLifetimeMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "medway_improve.middleware.RoleRequiredMiddleware",
    "medway_improve.middleware.MfaRequiredMiddleware",
    "audit.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "medway_improve.middleware.HtmxVaryMiddleware",
    "medway_improve.middleware.PrivatePagesMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "medway_improve.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "medway_improve.context_processors.service",
                "accounts.context_processors.permissions",
            ],
        },
    },
]
FORM_RENDERER = "core.forms.GovukFormRenderer"

WSGI_APPLICATION = "medway_improve.wsgi.application"

DATABASES = {
    "default": env.db_url(
        "DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/medway_improve"
    ),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
    raise ImproperlyConfigured("Improve runs on PostgreSQL only: DATABASE_URL must be postgres://")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# django-axes first, so a locked-out person is refused before their password is checked.
# RoleBackend is Django's ModelBackend plus: Administrators have every admin permission.
# SsoBackend signs people in through the council's identity provider (accounts/oidc.py); it
# is listed so that such sessions stay valid, and never checks a password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.RoleBackend",
    "accounts.oidc.SsoBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j F Y, H:i"

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
# Uploaded documents live outside the web root and are served only by views that check access.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
# Where files live (docs/storage.md): filesystem (MEDIA_ROOT, the default), azure (Blob
# Storage) or s3 (Amazon S3 or any S3-compatible store). Every document, board pack and pending
# upload goes through STORAGES["default"]; none is ever given a public URL.
STORAGE_BACKEND = env.str("STORAGE_BACKEND", default="filesystem")
# Downloads: "stream" sends the bytes through the web process; "redirect" sends a signed-in,
# permitted person to a signed URL of the object store that expires after
# STORAGE_SIGNED_URL_SECONDS (filesystem storage always streams).
STORAGE_DOWNLOADS = env.str("STORAGE_DOWNLOADS", default="stream")
STORAGE_SIGNED_URL_SECONDS = env.int("STORAGE_SIGNED_URL_SECONDS", default=60)
if STORAGE_DOWNLOADS not in ("stream", "redirect"):
    raise ImproperlyConfigured("STORAGE_DOWNLOADS must be stream or redirect.")
_default_storage: dict[str, Any]
if STORAGE_BACKEND == "filesystem":
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif STORAGE_BACKEND == "azure":
    _default_storage = {
        "BACKEND": "storages.backends.azure_storage.AzureStorage",
        "OPTIONS": {
            # A connection string, or an account name and key.
            "connection_string": env.str("AZURE_CONNECTION_STRING", default=None),
            "account_name": env.str("AZURE_ACCOUNT_NAME", default=None),
            "account_key": env.str("AZURE_ACCOUNT_KEY", default=None),
            "azure_container": env.str("AZURE_CONTAINER", default="improve"),
            "location": env.str("AZURE_LOCATION", default=""),
            "overwrite_files": False,
            "expiration_secs": STORAGE_SIGNED_URL_SECONDS,
            "timeout": env.int("AZURE_CONNECTION_TIMEOUT_SECS", default=20),
        },
    }
    if not (
        _default_storage["OPTIONS"]["connection_string"]
        or _default_storage["OPTIONS"]["account_name"]
    ):
        raise ImproperlyConfigured(
            "STORAGE_BACKEND=azure needs AZURE_CONNECTION_STRING or AZURE_ACCOUNT_NAME."
        )
elif STORAGE_BACKEND == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
            # Empty for AWS itself; the address of any other S3-compatible store.
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env.str("AWS_S3_REGION_NAME", default=None),
            # Empty to use the platform's credentials (an IAM role for the task or pod).
            "access_key": env.str("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default=None),
            "location": env.str("AWS_LOCATION", default=""),
            "addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", default=None),
            "default_acl": None,  # objects inherit the bucket's (private) access
            "querystring_auth": True,
            "querystring_expire": STORAGE_SIGNED_URL_SECONDS,
            "signature_version": "s3v4",
            "file_overwrite": False,
        },
    }
else:
    raise ImproperlyConfigured("STORAGE_BACKEND must be filesystem, azure or s3.")
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=DEBUG)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Imports (the imports app): limits on uploaded Ofsted documents and action-plan sheets.
# Indicator values from CSV: a year of monthly values for every indicator is a few kilobytes.
IMPORT_MAX_CSV_BYTES = env.int("IMPORT_MAX_CSV_BYTES", default=1024 * 1024)
IMPORT_MAX_DOCUMENT_BYTES = env.int("IMPORT_MAX_DOCUMENT_BYTES", default=20 * 1024 * 1024)
IMPORT_MAX_SPREADSHEET_BYTES = env.int("IMPORT_MAX_SPREADSHEET_BYTES", default=10 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=10_000)
IMPORT_PENDING_HOURS = 24  # unconfirmed uploads are deleted after this

# Documents officers add as evidence of an action (PDF, Office, PNG or JPEG).
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=10 * 1024 * 1024)
# A board meeting's minutes file (PDF, .docx, .odt or text).
BOARD_MINUTES_MAX_BYTES = env.int("BOARD_MINUTES_MAX_BYTES", default=10 * 1024 * 1024)

# Email through Django's MAILERS. EMAIL_URL picks the transport:
# smtp://user:pass@host:port (smtp+tls:// for STARTTLS, smtps:// for TLS),
# or console:// to print each message instead of sending it (operators, demos).
_email_url = env.str("EMAIL_URL", default="smtp://127.0.0.1:1025")
SMTP_TIMEOUT = env.int("SMTP_TIMEOUT", default=10)
MAILERS: dict[str, dict[str, Any]]
if _email_url.startswith("console:"):
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
else:
    _email = env.email_url_config(_email_url)
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _email.get("EMAIL_HOST", "127.0.0.1"),
                "port": _email.get("EMAIL_PORT") or 25,
                "username": _email.get("EMAIL_HOST_USER", ""),
                "password": _email.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": bool(_email.get("EMAIL_USE_TLS", False)),
                "use_ssl": bool(_email.get("EMAIL_USE_SSL", False)),
                "timeout": SMTP_TIMEOUT,
            },
        }
    }
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Improve <improve@medway.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery on Redis. If no broker answers at start-up, `make demo` runs tasks
# in-process (CELERY_TASK_ALWAYS_EAGER) and says so.
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": 2,
    "socket_connect_timeout": 2,
    "visibility_timeout": 3600,
    "max_retries": 1,
    # Retry a refused connection at once, not after kombu's default 2 s: a save that queues
    # work must answer promptly when Redis is down (reminders keep the work for later).
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_TASK_PUBLISH_RETRY = False
# Board packs render on their own queue so a slow PDF never holds up other work.
CELERY_TASK_ROUTES = {"boardpacks.*": {"queue": "boardpacks"}}

# Board packs (boardpacks/). The monthly schedule builds the month's pack on
# BOARD_PACK_DAY at BOARD_PACK_HOUR (Europe/London) and emails it to every board member:
# attached when the PDF is at most BOARD_PACK_MAX_ATTACHMENT_BYTES, otherwise as a
# link to the sign-in-protected download. Meetings fall on BOARD_MEETING_DAY of the
# month (moved to the Monday after if that is a weekend) unless a lead sets the date.
BOARD_NAME = env.str("BOARD_NAME", default="Improvement Board")
BOARD_PACK_DAY = env.int("BOARD_PACK_DAY", default=1)
BOARD_PACK_HOUR = env.int("BOARD_PACK_HOUR", default=7)
BOARD_MEETING_DAY = env.int("BOARD_MEETING_DAY", default=15)
if not (1 <= BOARD_PACK_DAY <= 28 and 1 <= BOARD_MEETING_DAY <= 28):
    raise ImproperlyConfigured("BOARD_PACK_DAY and BOARD_MEETING_DAY must be between 1 and 28.")
BOARD_PACK_MAX_ATTACHMENT_BYTES = env.int("BOARD_PACK_MAX_ATTACHMENT_BYTES", default=5_000_000)
BOARD_PACK_TIME_LIMIT = env.int("BOARD_PACK_TIME_LIMIT", default=600)
# A pack still queued this long after it was asked for (its task was never sent: Redis was
# down) is queued again by a sweep that runs every BOARD_PACK_SWEEP_SECONDS.
BOARD_PACK_REQUEUE_SECONDS = env.int("BOARD_PACK_REQUEUE_SECONDS", default=300)
BOARD_PACK_SWEEP_SECONDS = env.int("BOARD_PACK_SWEEP_SECONDS", default=300)
# Packs up to this many pages are tagged PDF/UA-1; longer ones are plain PDFs (still with
# title, language and bookmarks) beside the HTML version. See boardpacks/pdf.py.
BOARD_PACK_TAGGED_MAX_PAGES = env.int("BOARD_PACK_TAGGED_MAX_PAGES", default=200)

# Reminders (README, "Reminders"). Send tasks go to this queue; a claim on a reminder older
# than the lease belongs to a dead worker (keep it above the send task's 90 s time limit);
# transient mail errors are retried after base, 2 x base, 4 x base ... seconds (6 times).
REMINDERS_QUEUE = env.str("REMINDERS_QUEUE", default="email")
REMINDERS_CLAIM_LEASE_SECONDS = env.int("REMINDERS_CLAIM_LEASE_SECONDS", default=120)
REMINDERS_RETRY_BASE_SECONDS = env.float("REMINDERS_RETRY_BASE_SECONDS", default=60.0)

# Security. Production values are on unless DEBUG is on.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=30 * 60)
# The age above is inactivity, not absolute: SessionRefreshMiddleware pushes the expiry back
# at most once in this many seconds of activity, rather than writing the session on every
# request (a database write per page view for nothing).
SESSION_REFRESH_SECONDS = env.int("SESSION_REFRESH_SECONDS", default=60)
# However active, a session ends this long after signing in (SessionLifetimeMiddleware).
SESSION_MAX_LIFETIME_SECONDS = env.int("SESSION_MAX_LIFETIME_SECONDS", default=12 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The container health check calls /healthz over plain HTTP inside the host.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# Single sign-on with OpenID Connect (accounts/oidc.py, docs/sso.md). Off unless OIDC_ISSUER
# is set; then the provider's endpoints come from its discovery document.
OIDC_ISSUER = env.str("OIDC_ISSUER", default="").rstrip("/")
OIDC_RP_CLIENT_ID = env.str("OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_CLIENT_SECRET", default="")
if OIDC_ISSUER and not (OIDC_RP_CLIENT_ID and OIDC_RP_CLIENT_SECRET):
    raise ImproperlyConfigured("OIDC_ISSUER needs OIDC_CLIENT_ID and OIDC_CLIENT_SECRET too.")
SSO_PROVIDER_NAME = env.str("SSO_PROVIDER_NAME", default="your council account")
OIDC_RP_SCOPES = env.str("OIDC_SCOPES", default="openid email profile")
OIDC_RP_SIGN_ALGO = env.str("OIDC_SIGN_ALGORITHM", default="RS256")
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_TIMEOUT = env.int("OIDC_TIMEOUT", default=10)
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:sso_callback"
# Tolerated difference between our clock and the provider's when checking token times.
OIDC_CLOCK_SKEW_SECONDS = env.int("OIDC_CLOCK_SKEW_SECONDS", default=120)
# Someone the provider knows but Improve does not: refused (default), or given an account
# with no role (their groups may then give them one).
OIDC_CREATE_USERS = env.bool("OIDC_CREATE_USERS", default=False)
# Require the ID token's `amr` claim to show multi-factor authentication ("mfa").
OIDC_REQUIRE_MFA = env.bool("OIDC_REQUIRE_MFA", default=False)
# Roles from the provider's groups: the claim's name, then for each role the group IDs
# (comma-separated) that give it. With any group set, roles follow the groups at every
# sign-in and cannot be changed in Improve for people who sign in this way.
OIDC_GROUPS_CLAIM = env.str("OIDC_GROUPS_CLAIM", default="groups")
OIDC_ROLE_GROUPS = {
    "Board member": env.list("OIDC_GROUPS_BOARD_MEMBER", default=[]),
    "Officer": env.list("OIDC_GROUPS_OFFICER", default=[]),
    "Improvement lead": env.list("OIDC_GROUPS_IMPROVEMENT_LEAD", default=[]),
    "Administrator": env.list("OIDC_GROUPS_ADMINISTRATOR", default=[]),
}
# LOCAL_PASSWORDS=0 turns password sign-in off for everyone but the break-glass
# administrator named here (for when the identity provider is down).
LOCAL_PASSWORDS = env.bool("LOCAL_PASSWORDS", default=True)
BREAK_GLASS_USERNAME = env.str("BREAK_GLASS_USERNAME", default="")
if not LOCAL_PASSWORDS and not OIDC_ISSUER:
    raise ImproperlyConfigured("LOCAL_PASSWORDS=0 needs single sign-on: set OIDC_ISSUER.")
if OIDC_ISSUER:
    # Signing out sends the browser on to the provider's end-session page after a form post.
    from urllib.parse import urlsplit

    _issuer = urlsplit(OIDC_ISSUER)
    SECURE_CSP["form-action"] = [CSP.SELF, f"{_issuer.scheme}://{_issuer.netloc}"]

CSRF_FAILURE_VIEW = "medway_improve.views.csrf_failure"

# Login throttling (django-axes) on every login form, the admin's included (accounts/throttle.py):
# after AXES_FAILURE_LIMIT wrong passwords for one username from one client address, that
# pair is refused for the cool-off period and sees a GOV.UK lockout page (429); after
# LOGIN_USERNAME_FAILURE_LIMIT for one username from any addresses, each further attempt
# waits a delay that doubles (1 s, 2 s, 4 s ... at most the cool-off).
# TRUSTED_PROXY_COUNT: how many proxies in front of the app append to X-Forwarded-For (1
# behind docker-compose's TLS proxy). 0 (the default) uses the connection's address.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "accounts.throttle.LockoutHandler"
AXES_CLIENT_IP_CALLABLE = "accounts.throttle.client_ip"
LOGIN_USERNAME_FAILURE_LIMIT = env.int("LOGIN_USERNAME_FAILURE_LIMIT", default=20)
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_VERBOSE = False

# Two-factor authentication (TOTP, django-otp). Required for improvement leads and
# administrators unless MFA_REQUIRED=0, whatever DEBUG says: only the demo (make demo,
# scripts/run-demo.sh) turns it off, and the sign-in page then says so. Anyone else may turn
# it on from their two-factor page.
MFA_REQUIRED = env.bool("MFA_REQUIRED", default=True)
OTP_TOTP_ISSUER = f"{SERVICE_NAME} ({COUNCIL_NAME})"
# The admin never shows anyone's secret or QR code (it could be used to copy their second factor).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Audit trail (django-pghistory): database triggers record every insert, update and
# delete of a tracked model; the event tables refuse UPDATE and DELETE.
PGHISTORY_DEFAULT_TRACKERS = (
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
)
PGHISTORY_APPEND_ONLY = True
# Triggers on many-to-many tables (action ↔ area, person ↔ role) are not in migrations
# (Django makes those tables itself), so pgtrigger (re)installs every trigger after migrate.
PGTRIGGER_INSTALL_ON_MIGRATE = True
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
PGHISTORY_ADMIN_MODEL = "audit.AuditEvent"
PGHISTORY_ADMIN_LIST_DISPLAY = [
    "pgh_created_at",
    "pgh_obj_model",
    "pgh_obj_id",
    "pgh_label",
    "user",
    "source",
    "pgh_diff",
]

# Logs are JSON lines (LOG_FORMAT=plain for a terminal), each with the request ID.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.logs.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "core.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "pgtrigger": {"level": "WARNING"},
        # Our request log line replaces Django's "Not Found"/"Forbidden" warnings.
        "django.request": {"level": "ERROR"},
        # WeasyPrint and fontTools log every layout step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # The Azure SDK logs every request and response at INFO.
        "azure": {"level": "WARNING"},
    },
}
