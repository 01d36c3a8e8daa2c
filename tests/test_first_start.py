"""The first start's workspace: its default network follows what this machine can give jobs."""

from __future__ import annotations

import pytest

from kiln.accounts.models import Workspace
from kiln.accounts.services import platform_bootstrap
from kiln.supervisor import first_network


@pytest.mark.django_db
def test_without_pasta_the_first_workspace_defaults_to_no_network_and_says_why(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KILN_PASTA_PATH", "/nonexistent/pasta")
    network, note = first_network()
    assert network == "none"
    assert "jobs of workspace 'main' get no network by default" in note and "pasta" in note
    platform_bootstrap(email="a@example.com", password="pw-123456", default_network=network)
    assert Workspace.objects.get(id="main").settings == {"default_network": "none"}


@pytest.mark.django_db
def test_a_later_start_does_not_probe_or_change_anything(monkeypatch: pytest.MonkeyPatch) -> None:
    platform_bootstrap(email="a@example.com", password="pw-123456", default_network="internet")
    monkeypatch.setenv("KILN_PASTA_PATH", "/nonexistent/pasta")
    assert first_network() == ("internet", "")
    assert platform_bootstrap(email="a@example.com", password="x", default_network="none") is None
    assert Workspace.objects.get(id="main").settings == {"default_network": "internet"}
