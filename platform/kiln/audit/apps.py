from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "kiln.audit"
    label = "audit"
