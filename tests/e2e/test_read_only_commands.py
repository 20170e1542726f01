"""Commands that only read a store leave an empty one empty: the catalogue of standards is
recorded by the first ``registry serve`` (with its ``--standards-file``), not by whichever
command happened to open the file first."""

from __future__ import annotations

from pathlib import Path

from conftest import run_registry

from registry import config
from registry.application.registry import Registry
from registry.domain.standards import Standard, StandardsCatalogue


def test_reading_commands_on_an_empty_store_record_nothing(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'new.db'}"
    token_file = str(tmp_path / "admin.token")
    for command in (
        ("db", "check", "--db", db),
        ("projections", "status", "--db", db),
        ("projections", "rebuild", "--db", db),
        ("export", "--events", "--db", db, "-o", str(tmp_path / "events.csv")),
        ("export", "--certificates", "--db", db, "-o", str(tmp_path / "certificates.csv")),
        ("admin", "bootstrap", "--db", db, "--token-file", token_file),
    ):
        done = run_registry(*command, cwd=tmp_path)
        assert done.returncode == 0, (command, done.stderr)
    # The first start that records a catalogue records the one it is given.
    given = StandardsCatalogue([Standard("ISO 50001", "2018", "Energy management", None)])
    app = Registry(config.persistence_env(db), standards=given)
    try:
        assert [s.designation for s in app.standards] == ["ISO 50001:2018"]
        last = app.store.last_point()
        assert last is not None and last.position == 1  # the seed is the log's first event
    finally:
        app.close()
