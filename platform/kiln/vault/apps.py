from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "kiln.vault"
    label = "vault"
