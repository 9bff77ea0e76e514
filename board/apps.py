from django.apps import AppConfig


class BoardConfig(AppConfig):
    name = "board"
    verbose_name = "Improvement Board"

    def ready(self) -> None:
        from board import panels

        panels.register()
