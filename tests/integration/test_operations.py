"""Operating the store: schema version, registry db check, several workers on one port."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import psycopg
import pytest
from conftest import RunningServer, issue_default
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate
from server_process import ServerProcess

from registry import config
from registry.application.registry import CURRENT_SCHEMA_VERSION, Registry
from registry.errors import SchemaError
from registry.store.log import META, SCHEMA_KEY


def registry_command(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "registry", *args], capture_output=True, text=True, timeout=60
    )


def test_a_new_store_records_the_current_schema_version(durable_db_url):
    app = Registry(config.persistence_env(durable_db_url))
    app.close()
    again = Registry(config.persistence_env(durable_db_url))
    try:
        assert again.schema_version == CURRENT_SCHEMA_VERSION
        assert again.store.get_meta(SCHEMA_KEY) == str(CURRENT_SCHEMA_VERSION)
        # The schema version is not an event of the log; the catalogue of standards,
        # recorded when the first registry started, is its one event.
        assert again.summary().events == 1
    finally:
        again.close()


def set_stored_schema_version(db_url: str, version: int) -> None:
    """What a newer registry would have left: its schema version beside the log."""
    Registry(config.persistence_env(db_url)).close()
    statement = f"UPDATE {META} SET value = '{version}' WHERE key = '{SCHEMA_KEY}'"
    if db_url.startswith("sqlite:///"):
        with sqlite3.connect(db_url.removeprefix("sqlite:///")) as connection:
            connection.execute(statement)
        return
    url = urlsplit(db_url)
    schema = parse_qs(url.query)["schema"][0]
    with psycopg.connect(url._replace(query="").geturl(), autocommit=True) as connection:
        connection.execute(f"SET search_path TO {schema}")
        connection.execute(statement)


def test_a_store_of_a_newer_schema_is_refused(durable_db_url):
    set_stored_schema_version(durable_db_url, CURRENT_SCHEMA_VERSION + 1)
    with pytest.raises(SchemaError, match="newer than this registry"):
        Registry(config.persistence_env(durable_db_url))


def test_a_store_written_before_the_ordered_log_is_refused(tmp_path: Path):
    path = tmp_path / "old.db"
    old = Application(
        env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path)}
    )
    old.save(Aggregate())
    old.close()
    with pytest.raises(SchemaError, match="schema version 1"):
        Registry(config.persistence_env(f"sqlite:///{path}"))


def test_serve_refuses_a_store_of_a_newer_schema_with_a_clear_message(durable_db_url):
    set_stored_schema_version(durable_db_url, CURRENT_SCHEMA_VERSION + 1)
    result = registry_command("serve", "--db", durable_db_url, "--port", "0")
    assert result.returncode != 0
    assert (
        f"schema version {CURRENT_SCHEMA_VERSION + 1}, newer than this registry's "
        f"{CURRENT_SCHEMA_VERSION}" in result.stderr
    )


def test_db_check_reports_the_schema_version_and_event_count(durable_db_url):
    running = RunningServer.start(Registry(config.persistence_env(durable_db_url)))
    try:
        for n in range(3):
            issue_default(running.client, f"Q-{n}")
            running.client.record_surveillance("cb-1", f"Q-{n}", effective_date=date(2025, 1, 5))
    finally:
        running.stop()
    result = registry_command("db", "check", "--db", durable_db_url, "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["schema_version"] == CURRENT_SCHEMA_VERSION
    # The log's events: the certificates', the directory's (the three CBs the test set-up
    # registered) and the catalogue's seed; request answers, tokens and the schema live
    # beside the log.
    assert summary["events"] == 3 * 2 + 3 + 1
    text = registry_command("db", "check", "--db", durable_db_url)
    assert (
        f"schema version  {CURRENT_SCHEMA_VERSION} (this registry: {CURRENT_SCHEMA_VERSION})"
        in text.stdout
    )
    assert "events          10" in text.stdout


def test_workers_share_one_port_and_a_killed_worker_is_replaced(
    durable_db_url: str, tmp_path: Path
):
    server = ServerProcess(durable_db_url, tmp_path / "server.log", workers=2).start()
    try:
        with (
            server.authority() as authority,
            authority.client(timeout=10, retries=6) as client,
        ):
            issue_default(client)
            assert server.process is not None
            children = subprocess.run(
                ["pgrep", "-P", str(server.process.pid)], capture_output=True, text=True
            ).stdout.split()
            assert len(children) == 2
            subprocess.run(["kill", "-9", children[0]], check=True)
            deadline = time.monotonic() + 30
            while True:
                now = subprocess.run(
                    ["pgrep", "-P", str(server.process.pid)], capture_output=True, text=True
                ).stdout.split()
                if len(now) == 2 and children[0] not in now:
                    break
                assert time.monotonic() < deadline, "the killed worker was not replaced"
                time.sleep(0.2)
            client.record_surveillance("cb-1", "Q-1")
            assert len(client.get_certificate_history("cb-1", "Q-1").events) == 2
    finally:
        assert server.stop() == 0
    assert "registry stopped" in (tmp_path / "server.log").read_text()
