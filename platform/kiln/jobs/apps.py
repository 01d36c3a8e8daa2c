from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "kiln.jobs"
    label = "jobs"
