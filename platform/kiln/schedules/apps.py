from django.apps import AppConfig


class SchedulesConfig(AppConfig):
    name = "kiln.schedules"
    label = "schedules"
