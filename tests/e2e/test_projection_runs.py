"""The index projection under crashes and several processes: exactly once, one runner.

Real ``registry serve`` processes on a real SQLite file or PostgreSQL database,
killed with SIGKILL while the index catches up; the index they leave is then
compared row for row with one rebuilt from the log.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from authority import register_in_process
from conftest import LAUNCHER
from eventsourcing.persistence import IntegrityError, InternalError
from server_process import ServerProcess

from registry import config
from registry.application.registry import Registry
from registry.application.views import CertificateRef, Organization, Site, WriteMeta
from registry.projections.setup import open_index

D = date.fromisoformat
CERTIFICATES = 2000


def publish(db: str) -> int:
    """Certificates with lifecycles, written straight to the store (each phase's writes
    committed together); the last position."""
    app = Registry(config.persistence_env(db, pool_size=2))
    refs = [CertificateRef(f"cb-{n % 5}", f"C-{n}") for n in range(CERTIFICATES)]
    try:
        for n in range(5):
            register_in_process(app, f"cb-{n}")
        phases = [
            (
                "issue_certificate",
                refs,
                {
                    "organization": Organization("Holder Spółka", "PL", "Łódź"),
                    "sites": [Site("Łódź", "")],
                    "standard": "ISO 9001:2015",
                    "scope": "machining",
                    "sector_codes": ["17"],
                    "expiry_date": D("2028-01-09"),
                },
                "2025-01-10",
            ),
            ("suspend_certificate", refs[1::2], {"reason": "audit missed"}, "2025-06-01"),
            ("renew_certificate", refs[::3], {"expiry_date": D("2031-01-09")}, "2025-12-01"),
        ]
        for use_case, chosen, fields, effective in phases:
            futures = [
                app.begin(use_case, ref, WriteMeta(f"{use_case}-{ref}", D(effective)), **fields)
                for ref in chosen
            ]
            for future in futures:
                future.result()
        last = app.store.last_point()
        assert last is not None
        return last.position
    finally:
        app.close()


def opened(db: str) -> Registry:
    """The registry on ``db``; a server starting at the same moment may be creating its
    tables, which PostgreSQL can refuse to either side once ("tuple concurrently updated")."""
    for _ in range(10):
        try:
            return Registry(config.persistence_env(db, pool_size=2))
        except (IntegrityError, InternalError):
            time.sleep(0.2)
    return Registry(config.persistence_env(db, pool_size=2))


def index_position(db: str) -> int:
    app = opened(db)
    index = open_index(app)
    try:
        return index.projection.position()
    finally:
        index.close()
        app.close()


def index_rows(db: str) -> dict[str, list[tuple[object, ...]]]:
    app = opened(db)
    index = open_index(app)
    try:
        return index.reader.rows()
    finally:
        index.close()
        app.close()


def wait_for(condition, timeout: float = 60, message=lambda: "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out; {message()}"
        time.sleep(0.05)


def test_a_killed_runner_resumes_without_losing_or_repeating_an_event(
    durable_db_url: str, tmp_path: Path
) -> None:
    last = publish(durable_db_url)
    seen_between: list[int] = []
    for attempt in range(3):
        before = index_position(durable_db_url)
        server = ServerProcess(durable_db_url, tmp_path / f"server-{attempt}.log")
        with server.log.open("w") as log:
            server.process = subprocess.Popen(
                [
                    *(sys.executable, str(LAUNCHER), "serve", "--db", durable_db_url),
                    *("--port", "0", "--token-file", str(tmp_path / "admin.token")),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        # Kill it while it is catching up: once it moved on, mid-way through the log.
        wait_for(
            lambda before=before: index_position(durable_db_url) > before or before >= last,
            message=lambda server=server: server.log.read_text(),
        )
        server.kill()
        seen_between.append(index_position(durable_db_url))
    assert seen_between[0] < last, "the index caught up before the first kill: publish more"
    server = ServerProcess(durable_db_url, tmp_path / "server-final.log").start()
    wait_for(lambda: index_position(durable_db_url) == last)
    assert server.stop() == 0
    status = subprocess.run(
        [sys.executable, str(LAUNCHER), "projections", "status", "--db", durable_db_url, "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert status.returncode == 0, status.stderr
    [row] = json.loads(status.stdout)
    assert (row["projection"], row["position"], row["behind_positions"]) == ("index", last, 0)
    survived = index_rows(durable_db_url)
    rebuilt = subprocess.run(
        [sys.executable, str(LAUNCHER), "projections", "rebuild", "--db", durable_db_url],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert f"to log position {last}" in rebuilt.stdout
    assert index_rows(durable_db_url) == survived
    # One audit row per event of the log but the catalogue's seed: the certificates' and
    # the five CBs' registrations.
    audit = survived["registry_index_events"]
    assert len(audit) == last - 1
    assert [row[0] for row in audit] == list(range(2, last + 1))
    assert sum(row[4] == "certification_body.Registered" for row in audit) == 5


def test_one_server_process_runs_the_projection_and_another_takes_over(
    durable_db_url: str, tmp_path: Path
) -> None:
    logs = [tmp_path / f"server-{n}.log" for n in range(2)]
    servers = [ServerProcess(durable_db_url, log).start() for log in logs]
    running = "projection index: running in this process"
    wait_for(lambda: sum(running in log.read_text() for log in logs) == 1)
    time.sleep(2)  # the other keeps trying every second; it must not win while the first lives
    assert sum(log.read_text().count(running) for log in logs) == 1
    leader = next(n for n, log in enumerate(logs) if running in log.read_text())
    servers[leader].kill()
    other = 1 - leader
    wait_for(lambda: running in logs[other].read_text())
    app = Registry(config.persistence_env(durable_db_url, pool_size=2))
    try:
        register_in_process(app, "cb-late")
        app.issue_certificate(
            CertificateRef("cb-late", "L-1"),
            WriteMeta("late", D("2025-01-10")),
            organization=Organization("Late Holder", "DE", "Berlin"),
            sites=[Site("Berlin", "")],
            standard="ISO 9001:2015",
            scope="x",
            sector_codes=[],
            expiry_date=D("2028-01-09"),
        )
    finally:
        app.close()
    from registry.client import RegistryClient

    with RegistryClient(servers[other].target, timeout=10) as client:  # anonymous: a buyer
        found = client.search_certificates(certificate_number="L-1", at=D("2026-01-01"))
    assert [c.certificate.certification_body_id for c in found.certificates] == ["cb-late"]
    assert servers[other].stop() == 0
