from django.apps import AppConfig


class BoardpacksConfig(AppConfig):
    name = "boardpacks"
    verbose_name = "Board packs"
