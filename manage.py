#!/usr/bin/env python
"""Django's command-line utility for Kiln."""

import os
import sys
from pathlib import Path

# platform/ is a source root, not a package: append, never insert, so the
# standard library's `platform` module always wins.
sys.path.append(str(Path(__file__).resolve().parent / "platform"))


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiln.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
