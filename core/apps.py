from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The shared layer under every app: form fields, files, the task queue and logs.
    It imports no app of the project."""

    name = "core"
    verbose_name = "Shared plumbing"
