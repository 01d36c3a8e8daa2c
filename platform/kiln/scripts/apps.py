from django.apps import AppConfig


class ScriptsConfig(AppConfig):
    name = "kiln.scripts"
    label = "scripts"
