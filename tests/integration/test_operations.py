"""Operating the store: schema version, registry db check, several workers on one port."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import RunningServer, issue_default
from server_process import ServerProcess

from registry import config
from registry.application.registry import Registry
from registry.client import RegistryClient
from registry.domain.schema import CURRENT_SCHEMA_VERSION, SCHEMA_ID, SchemaVersion
from registry.errors import SchemaError


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
        schema = again.repository.get(SCHEMA_ID)
        assert schema.version == 1
    finally:
        again.close()


def upgrade_to_a_newer_schema(db_url: str) -> None:
    app = Registry(config.persistence_env(db_url))
    try:
        schema: SchemaVersion = app.repository.get(SCHEMA_ID)
        schema.upgrade(CURRENT_SCHEMA_VERSION + 1)
        app.save(schema)
    finally:
        app.close()


def test_a_store_of_a_newer_schema_is_refused(durable_db_url):
    upgrade_to_a_newer_schema(durable_db_url)
    with pytest.raises(SchemaError, match="newer than this registry"):
        Registry(config.persistence_env(durable_db_url))


def test_serve_refuses_a_store_of_a_newer_schema_with_a_clear_message(durable_db_url):
    upgrade_to_a_newer_schema(durable_db_url)
    result = registry_command("serve", "--db", durable_db_url, "--port", "0")
    assert result.returncode != 0
    assert "schema version 2, newer than this registry's 1" in result.stderr


def test_db_check_reports_the_schema_version_and_event_count(durable_db_url):
    running = RunningServer.start(Registry(config.persistence_env(durable_db_url)))
    try:
        for n in range(3):
            issue_default(running.client, f"Q-{n}")
            running.client.record_surveillance("cb-1", f"Q-{n}")
    finally:
        running.stop()
    result = registry_command("db", "check", "--db", durable_db_url, "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["schema_version"] == 1
    # 1 schema event + 3 x (issue + surveillance) with a request record each.
    assert summary["events"] == 1 + 3 * 2 * 2
    text = registry_command("db", "check", "--db", durable_db_url)
    assert "schema version  1 (this registry: 1)" in text.stdout
    assert "events          13" in text.stdout


def test_workers_share_one_port_and_a_killed_worker_is_replaced(
    durable_db_url: str, tmp_path: Path
):
    server = ServerProcess(durable_db_url, tmp_path / "server.log", workers=2).start()
    try:
        with RegistryClient(server.target, timeout=10, retries=6) as client:
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
