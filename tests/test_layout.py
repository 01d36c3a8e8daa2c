"""Guards on the project's shape that would otherwise break in surprising ways."""

from __future__ import annotations

import platform
import sysconfig
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kiln.cli import main
from tests.conftest import EXAMPLES, SHARED_EXAMPLES

ROOT = Path(__file__).resolve().parent.parent


def test_import_platform_is_the_standard_library() -> None:
    assert Path(platform.__file__).parent == Path(sysconfig.get_paths()["stdlib"])
    assert hasattr(platform, "python_version")


def test_the_platform_source_root_is_never_a_package() -> None:
    assert not (ROOT / "platform" / "__init__.py").exists()


def test_scripts_runtime_never_imports_django() -> None:
    for source in (ROOT / "scripts_runtime").rglob("*.py"):
        text = source.read_text()
        assert "import django" not in text and "from django" not in text, source


def test_every_compose_service_runs_a_real_kiln_command() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    commands = main.commands  # type: ignore[attr-defined]
    kiln_services = {
        name: svc
        for name, svc in compose["services"].items()
        if "build" in svc or svc.get("image", "").startswith("kiln")
    }
    assert {"web", "worker", "scheduler"} <= set(kiln_services)
    for name, svc in kiln_services.items():
        command = svc["command"]
        argv = command if isinstance(command, list) else command.split()
        assert argv[0] == "kiln", f"{name}: {argv}"
        assert argv[1] in commands, f"{name} runs unknown command 'kiln {argv[1]}'"
        # The options it passes must parse: --help exits 0 only if the command exists.
        result = CliRunner().invoke(main, [argv[1], "--help"])
        assert result.exit_code == 0, result.output


def test_the_dockerfile_entry_point_is_kiln() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert 'ENTRYPOINT ["kiln"]' in dockerfile or 'ENTRYPOINT ["/app/.venv/bin/kiln"]' in dockerfile


def test_kiln_help_lists_every_command_and_the_settings() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in ("up", "web", "worker", "scheduler", "token", "migrate", "openapi"):
        assert command in result.output
    up_help = CliRunner().invoke(main, ["up", "--help"]).output
    for setting in ("DATABASE_URL", "REDIS_URL", "KILN_DATA_DIR", "KILN_SANDBOX", "KILN_PORT"):
        assert setting in up_help


def test_the_example_fixtures_match_shared_examples() -> None:
    if not SHARED_EXAMPLES.is_dir():
        pytest.skip("no ../shared/examples beside this checkout")
    for kind in ("scripts", "flows"):
        for copy in (EXAMPLES / kind).iterdir():
            assert copy.read_text() == (SHARED_EXAMPLES / kind / copy.name).read_text(), copy.name


def test_tokens_in_websocket_urls_are_masked_in_server_logs() -> None:
    import logging

    from kiln.cli import RedactTokens

    record = logging.LogRecord(
        "uvicorn.error",
        logging.INFO,
        __file__,
        1,
        '%s - "WebSocket %s" [accepted]',
        ("127.0.0.1:5", "/ws/w/main/jobs/x/logs?token=kiln_secret123&from=0"),
        None,
    )
    RedactTokens().filter(record)
    assert "kiln_secret123" not in record.getMessage()
    assert "token=[redacted]&from=0" in record.getMessage()


def test_client_commands_load_only_when_run() -> None:
    """`kiln ready` and `kiln worker` must not pay for the client's imports (rich, YAML) nor for
    Celery's: a fresh interpreter importing kiln.cli loads none of them."""
    import subprocess
    import sys

    from kiln.cli import Commands
    from kiln.client.commands import COMMANDS
    from kiln.client.sync import sync

    assert {c.name for c in (*COMMANDS, sync)} == set(Commands.LAZY)
    for name in Commands.LAZY:
        assert CliRunner().invoke(main, [name, "--help"]).exit_code == 0, name
    code = "import sys, kiln.cli; print(sorted(m for m in ('rich', 'yaml', 'celery') if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"
