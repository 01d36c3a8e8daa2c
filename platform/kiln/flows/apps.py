from django.apps import AppConfig


class FlowsConfig(AppConfig):
    name = "kiln.flows"
    label = "flows"
