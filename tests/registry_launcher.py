"""``python tests/registry_launcher.py ARGS`` runs ``registry ARGS`` for the tests.

When the test run moved today (``pytest --today DAY``), the server processes it
starts see the same day: the machine's clock is moved for them with time-machine.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, date, datetime, time

TODAY_ENV = "REGISTRY_TEST_TODAY"


def main() -> int:
    if day := os.environ.get(TODAY_ENV):
        import time_machine

        moved = datetime.combine(date.fromisoformat(day), time(9), tzinfo=UTC)
        time_machine.travel(moved, tick=True).start()
    from registry.cli.main import main as registry

    return registry(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
