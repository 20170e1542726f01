"""The ``registry`` command line against a real ``registry serve`` process.

One server (SQLite in a temporary folder) serves the whole module; every CLI
call is its own ``python -m registry`` process, as a user would run it.
"""

from __future__ import annotations

import json
import os
import re
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from authority import Authority
from conftest import LAUNCHER
from pg_instance import free_port

from registry.commands import WRITES

CB = "cb-cli"
ADMIN_TOKEN = ""
NUMBER = "Q-2024/001"
STARTUP_SECONDS = 20.0


@dataclass(frozen=True)
class Run:
    """One finished ``registry`` process."""

    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)

    def pairs(self) -> dict[str, str]:
        """The ``name  value`` lines of a plain-text answer."""
        rows = (re.split(r"\s{2,}", line, maxsplit=1) for line in self.stdout.splitlines())
        return {row[0]: row[1] if len(row) > 1 else "" for row in rows}

    def table(self) -> list[list[str]]:
        """The rows of a plain-text table, header left out."""
        return [re.split(r"\s{2,}", line) for line in self.stdout.splitlines()[1:]]


Cli = Callable[..., Run]


def registry(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> Run:
    done = subprocess.run(
        [sys.executable, "-m", "registry", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=cwd,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def wait_until_listening(process: subprocess.Popen[str]) -> None:
    assert process.stdout is not None
    deadline = time.monotonic() + STARTUP_SECONDS
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while (left := deadline - time.monotonic()) > 0:
            if not selector.select(timeout=left):
                continue
            line = process.stdout.readline()
            if "registry listening on" in line:
                return
            if not line:
                raise RuntimeError(f"registry serve exited with {process.wait()}")
    raise TimeoutError(f"registry serve did not listen within {STARTUP_SECONDS} s")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``registry serve`` on a free port; stopped with SIGTERM, which must exit 0."""
    folder: Path = tmp_path_factory.mktemp("cli")
    port = free_port()
    with (folder / "server.log").open("w") as log:
        db = f"sqlite:///{folder / 'r.db'}"
        process = subprocess.Popen(
            [sys.executable, str(LAUNCHER), "serve", "--db", db, "--port", str(port)],
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            cwd=folder,  # where it writes the first admin token (registry.token)
        )
        try:
            wait_until_listening(process)
            global ADMIN_TOKEN
            ADMIN_TOKEN = (folder / "registry.token").read_text().strip()
            yield f"127.0.0.1:{port}"
        finally:
            process.send_signal(signal.SIGTERM)
            stdout, _ = process.communicate(timeout=20)
    assert process.returncode == 0, (folder / "server.log").read_text()
    assert "registry stopped" in stdout


@pytest.fixture(scope="module")
def authority(server: str) -> Iterator[Authority]:
    authority = Authority(server, ADMIN_TOKEN)
    yield authority
    authority.close()


@pytest.fixture(scope="module")
def cli(server: str, authority: Authority) -> Cli:
    """``cli("status", CB, NUMBER, ...)`` runs ``registry`` against the module's server: a
    write as its CB (with that CB's token in $REGISTRY_TOKEN), anything else as the admin."""

    def run(*args: str) -> Run:
        if args[0] in WRITES:
            token = authority.cb_token(args[1], accredited=args[0] == "transfer")
        else:
            token = authority.admin_token
        env = {**os.environ, "REGISTRY_TOKEN": token}
        return registry(*args, "--server", server, "--timeout", "5", env=env)

    return run


@pytest.fixture(scope="module")
def lifecycle(cli: Cli) -> dict[str, Any]:
    """Issued 2024-01-10, surveilled 2025-01-05, suspended 2025-03-01, reinstated 2025-04-15."""
    steps = {
        "issue": [
            "issue",
            *(CB, NUMBER),
            *("--org-name", "Acme GmbH", "--org-country", "DE"),
            *("--org-address", "1 Hauptstr, Berlin"),
            *("--standard", "ISO 9001:2015", "--scope", "Design and manufacture of widgets"),
            *("--site", "2 Hafenweg, Hamburg|Storage", "--sector-code", "17"),
            *("--effective", "2024-01-10", "--expiry", "2027-01-09"),
        ],
        "surveil": ["surveil", CB, NUMBER, "--effective", "2025-01-05"],
        "suspend": [
            *("suspend", CB, NUMBER, "--reason", "major nonconformity"),
            *("--effective", "2025-03-01"),
        ],
        "reinstate": ["reinstate", CB, NUMBER, "--effective", "2025-04-15"],
    }
    written = {}
    for step, args in steps.items():
        run = cli(*args, "--json")
        assert run.code == 0, run.stderr
        written[step] = run.json()
    return written


def test_each_write_answers_its_new_version_and_a_fresh_request_id(lifecycle):
    assert [answer["version"] for answer in lifecycle.values()] == ["1", "2", "3", "4"]
    request_ids = {answer["request_id"] for answer in lifecycle.values()}
    assert len(request_ids) == 4
    assert all(answer["recorded_at"].endswith("Z") for answer in lifecycle.values())


def test_during_the_suspension_the_certificate_is_suspended(cli, lifecycle):
    run = cli("status", CB, NUMBER, "--at", "2025-03-20")
    assert run.code == 0, run.stderr
    answer = run.pairs()
    assert answer["status"] == "SUSPENDED"
    assert answer["on"] == "2025-03-20"
    assert answer["suspension reason"] == "major nonconformity"
    assert answer["certificate"] == f"{CB}/{NUMBER}"


def test_after_the_reinstatement_the_certificate_is_valid(cli, lifecycle):
    run = cli("status", CB, NUMBER, "--at", "2025-05-01")
    assert run.code == 0, run.stderr
    answer = run.pairs()
    assert answer["status"] == "VALID"
    assert answer["holder"] == "Acme GmbH"
    assert answer["site"] == "2 Hafenweg, Hamburg | Storage"
    assert answer["expires"] == "2027-01-09"


def test_status_as_json_parses_and_has_the_status_field(cli, lifecycle):
    run = cli("status", CB, NUMBER, "--at", "2025-03-20", "--json")
    assert run.code == 0, run.stderr
    answer = run.json()
    assert answer["status"] == "CERTIFICATE_STATUS_SUSPENDED"
    assert answer["certificate"]["standard"] == "ISO 9001:2015"
    assert answer["at"] == {"year": 2025, "month": 3, "day": 20}


def test_status_as_of_before_the_suspension_was_recorded_is_valid(cli, lifecycle):
    before_suspension = lifecycle["surveil"]["recorded_at"]
    run = cli("status", CB, NUMBER, "--at", "2025-03-20", "--as-of", before_suspension)
    assert run.code == 0, run.stderr
    assert run.pairs()["status"] == "VALID"
    assert run.pairs()["version"] == "2"
    # The answer names the cut it was computed at; the latest cut lies beyond it.
    cut = int(run.pairs()["log position"])
    latest = cli("status", CB, NUMBER, "--at", "2025-03-20")
    assert 2 <= cut < int(latest.pairs()["log position"])


def test_history_lists_the_four_events_in_version_order(cli, lifecycle):
    run = cli("history", CB, NUMBER)
    assert run.code == 0, run.stderr
    rows = run.table()
    assert run.stdout.split()[:3] == ["POSITION", "VERSION", "TYPE"]
    assert [row[1:4] for row in rows] == [
        ["1", "Issued", "2024-01-10"],
        ["2", "SurveillancePassed", "2025-01-05"],
        ["3", "Suspended", "2025-03-01"],
        ["4", "Reinstated", "2025-04-15"],
    ]


def test_history_summarises_each_events_payload(cli, lifecycle):
    run = cli("history", CB, NUMBER)
    assert run.code == 0, run.stderr
    issued, _, suspended, _ = (row[-1] for row in run.table())
    assert 'standard="ISO 9001:2015"' in issued
    assert "expiry_date=2027-01-09" in issued
    assert 'organization.name="Acme GmbH"' in issued
    assert "sites=1" in issued
    assert suspended == 'reason="major nonconformity"'


def test_history_as_json_has_numbers_iso_dates_and_the_payload_named_by_kind(cli, lifecycle):
    run = cli("history", CB, NUMBER, "--json")
    assert run.code == 0, run.stderr
    issued, surveilled, suspended, _ = run.json()["events"]
    assert issued["version"] == 1
    assert isinstance(issued["global_position"], int)
    assert issued["type"] == "CERTIFICATE_EVENT_TYPE_ISSUED"
    assert issued["effective_date"] == "2024-01-10"
    assert issued["retracted_by_version"] is None
    assert issued["issued"]["expiry_date"] == "2027-01-09"
    assert issued["issued"]["sites"] == [{"address": "2 Hafenweg, Hamburg", "scope": "Storage"}]
    assert issued["issued"]["sector_codes"] == ["17"]
    assert issued["issued"]["replaces"] is None
    assert surveilled["surveillance_passed"] == {}
    assert suspended["suspended"] == {
        "reason": "major nonconformity",
        "review_by": None,
        "reason_confidential": False,
    }
    assert "issued" not in suspended


def test_history_with_all_follows_page_tokens_to_every_event(cli, lifecycle):
    run = cli("history", CB, NUMBER, "--page-size", "1", "--all", "--json")
    assert run.code == 0, run.stderr
    answer = run.json()
    assert [event["version"] for event in answer["events"]] == [1, 2, 3, 4]
    assert answer["next_page_token"] == ""


def test_history_with_a_page_size_prints_one_page_and_the_token_of_the_next(cli, lifecycle):
    first = cli("history", CB, NUMBER, "--page-size", "3")
    assert first.code == 0, first.stderr
    *rows, more = first.stdout.splitlines()[1:]
    assert [row.split()[1] for row in rows] == ["1", "2", "3"]
    token = more.removeprefix("more events: --page-token ")
    second = cli("history", CB, NUMBER, "--page-size", "3", "--page-token", token)
    assert second.code == 0, second.stderr
    assert [row[1:3] for row in second.table()] == [["4", "Reinstated"]]


def test_reinstating_a_valid_certificate_fails_naming_the_rule(cli, lifecycle):
    run = cli("reinstate", CB, NUMBER, "--effective", "2025-05-01")
    assert run.code == 1
    assert run.stderr.startswith("registry: FAILED_PRECONDITION: ")
    assert "reinstate-only-suspended" in run.stderr
    assert run.stdout == ""


def test_a_write_at_an_unexpected_version_is_aborted(cli, lifecycle):
    run = cli("surveil", CB, NUMBER, "--effective", "2025-06-01", "--expected-version", "1")
    assert run.code == 1
    assert run.stderr.startswith("registry: ABORTED: ")


def test_an_unknown_certificate_is_unknown_and_exits_0(cli, server):
    run = cli("status", CB, "NO-SUCH-NUMBER")
    assert run.code == 0, run.stderr
    assert run.pairs()["status"] == "UNKNOWN"


def test_a_write_retried_with_the_same_request_id_returns_the_same_version(cli, server):
    issue = [
        *("issue", CB, "Q-RETRY", "--org-name", "Beta SA", "--org-country", "FR"),
        *("--org-address", "3 rue Neuve, Lyon", "--standard", "ISO 9001:2015"),
        *("--scope", "Consulting", "--effective", "2024-06-01", "--expiry", "2027-05-31"),
        *("--request-id", "cli-retry-1"),
    ]
    first, retry = cli(*issue), cli(*issue)
    assert (first.code, retry.code) == (0, 0), retry.stderr
    assert first.pairs()["request id"] == "cli-retry-1"
    assert retry.pairs() == first.pairs()
    assert first.pairs()["version"] == "1"


def holder_options(number: str) -> list[str]:
    return [
        *("--org-name", "Gamma Oy", "--org-country", "FI", "--org-address", "Helsinki"),
        *("--standard", "ISO 9001:2015", "--scope", "Logistics", "--expiry", "2027-01-09"),
        *("--site", "Helsinki", "--sector-code", "31"),
        *("--request-id", f"cli-{number}"),
    ]


def test_a_transfer_prints_the_new_certificate_and_the_replaced_ones_new_version(cli, server):
    issued = cli("issue", CB, "Q-OLD-1", "--effective", "2024-01-10", *holder_options("old-1"))
    assert issued.code == 0, issued.stderr
    run = cli(
        *("transfer", "cb-new", "N-1", "--from", f"{CB}/Q-OLD-1", "--effective", "2025-05-01"),
        *holder_options("new-1"),
    )
    assert run.code == 0, run.stderr
    answer = run.pairs()
    assert (answer["certificate"], answer["version"]) == ("cb-new/N-1", "1")
    assert (answer["replaced"], answer["replaced version"]) == (f"{CB}/Q-OLD-1", "2")
    status = cli("status", CB, "Q-OLD-1", "--at", "2025-05-01").pairs()
    assert (status["status"], status["transferred to"]) == ("TRANSFERRED", "cb-new/N-1")


def test_a_transfer_as_json_has_both_versions(cli, server):
    issued = cli("issue", CB, "Q-OLD-2", "--effective", "2024-01-10", *holder_options("old-2"))
    assert issued.code == 0, issued.stderr
    run = cli(
        *("transfer", "cb-new", "N-2", "--from", f"{CB}/Q-OLD-2", "--effective", "2025-05-01"),
        *(*holder_options("new-2"), "--json"),
    )
    assert run.code == 0, run.stderr
    answer = run.json()
    assert (answer["version"], answer["from_version"]) == ("1", "2")
    assert answer["request_id"] == "cli-new-2"


def test_a_refused_transfer_names_the_rule_and_exits_1(cli, server):
    issued = cli("issue", CB, "Q-OLD-3", "--effective", "2024-01-10", *holder_options("old-3"))
    assert issued.code == 0, issued.stderr
    run = cli(
        *("transfer", "cb-new", "N-3", "--from", f"{CB}/Q-OLD-3", "--effective", "2025-05-01"),
        *(*holder_options("new-3"), "--standard", "ISO 14001:2015"),
    )
    assert run.code == 1
    assert run.stderr.startswith("registry: FAILED_PRECONDITION: ")
    assert "transfer-same-standard" in run.stderr


def test_the_server_address_can_come_from_the_environment(server):
    env = {**os.environ, "REGISTRY_SERVER": server}
    run = registry("status", CB, "NO-SUCH-NUMBER", "--timeout", "5", env=env)
    assert run.code == 0, run.stderr
    assert run.pairs()["status"] == "UNKNOWN"


def test_a_server_that_cannot_be_reached_is_reported_with_exit_1():
    address = f"127.0.0.1:{free_port()}"
    run = registry("status", CB, NUMBER, "--server", address, "--retries", "0")
    assert run.code == 1
    assert run.stderr.startswith("registry: UNAVAILABLE: ")
    assert address in run.stderr


def test_a_malformed_date_is_a_usage_error():
    run = registry("status", CB, NUMBER, "--at", "2025-02-30", "--server", "127.0.0.1:9")
    assert run.code == 2
    assert "--at" in run.stderr
    assert "YYYY-MM-DD" in run.stderr


def test_follow_prints_each_event_of_the_cb_and_type_asked_on_a_line(cli, lifecycle):
    run = cli("follow", "--cb", CB, "--type", "Suspended", "--type", "reinstated", "--limit", "2")
    assert run.code == 0, run.stderr
    lines = run.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].split()[1:4] == [f"{CB}/{NUMBER}", "v3", "Suspended"]
    assert lines[1].split()[1:4] == [f"{CB}/{NUMBER}", "v4", "Reinstated"]


def test_follow_as_json_prints_one_object_a_line_from_a_position(cli, lifecycle):
    # Of a CB, the feed sends the catalogue's events (they concern every CB), the CB's entry
    # in the directory, then its certificate's.
    start = cli("follow", "--cb", CB, "--limit", "2", "--json")
    assert start.code == 0, start.stderr
    seeded, registered = [
        item for item in map(json.loads, start.stdout.splitlines()) if "heartbeat" not in item
    ]
    assert seeded["catalogue_event"]["type"] == "CATALOGUE_EVENT_TYPE_SEEDED"
    entry = registered["directory_event"]
    assert entry["body_id"] == CB and entry["type"] == "DIRECTORY_EVENT_TYPE_REGISTERED"
    first = cli("follow", "--cb", CB, "--kind", "certificate", "--limit", "1", "--json")
    assert first.code == 0, first.stderr
    issued = json.loads(first.stdout)["event"]
    assert issued["type"] == "CERTIFICATE_EVENT_TYPE_ISSUED"
    position = issued["global_position"]
    run = cli("follow", "--cb", CB, "--from", str(position), "--limit", "1", "--json")
    assert run.code == 0, run.stderr
    (line,) = [json.loads(line) for line in run.stdout.splitlines() if '"event"' in line]
    assert line["event"]["global_position"] > position
    assert line["event"]["version"] == 2


def test_follow_with_an_unknown_event_type_is_a_usage_error(cli):
    run = cli("follow", "--type", "Exploded")
    assert run.code == 2
    assert "Suspended" in run.stderr


def test_search_finds_the_holder_by_a_folded_word_and_prints_its_status_on_the_day(cli, lifecycle):
    run = cli("search", "ACME", "--at", "2025-03-20")
    assert run.code == 0, run.stderr
    rows = [row for row in run.table() if row[0] == f"{CB}/{NUMBER}"]
    assert rows == [
        [f"{CB}/{NUMBER}", "Acme GmbH", "DE", "ISO 9001:2015", "2027-01-09", "SUSPENDED"]
    ]
    assert "status on 2025-03-20" in run.stdout
    by_number = cli(
        "search", "--number", NUMBER, "--status", "VALID", "--at", "2025-05-01", "--json"
    )
    assert by_number.code == 0, by_number.stderr
    found = by_number.json()["certificates"]
    assert [c["certificate"]["certification_body_id"] for c in found] == [CB]


def test_events_lists_what_the_cb_published_in_log_order(cli, lifecycle):
    run = cli("events", CB, "--type", "SUSPENDED", "--type", "REINSTATED")
    assert run.code == 0, run.stderr
    rows = [row for row in run.table() if len(row) > 3 and row[1] == f"{CB}/{NUMBER}"]
    assert [row[3] for row in rows] == ["Suspended", "Reinstated"]
    positions = [int(row[0]) for row in rows]
    assert positions == sorted(positions)


def test_report_counts_the_cbs_certificates_by_status_on_a_day(cli, lifecycle):
    run = cli("report", CB, "--at", "2025-03-20", "--json")
    assert run.code == 0, run.stderr
    report = run.json()
    assert report["certification_body_id"] == CB
    assert {c["status"]: c["count"] for c in report["by_status"]}[
        "CERTIFICATE_STATUS_SUSPENDED"
    ] >= 1


# Confidential reasons (a CB of their own, so the tests above count only theirs)

CONFIDENTIAL_CB = "cb-cli-confidential"
SECRET = "fraud inquiry by the public prosecutor"


@pytest.fixture(scope="module")
def confidential(cli: Cli) -> None:
    """Q-S suspended 2025-03-01 and Q-W withdrawn 2025-03-01, each for a reason marked
    confidential with --confidential."""
    for number, end in (("Q-S", "suspend"), ("Q-W", "withdraw")):
        issued = cli(
            *("issue", CONFIDENTIAL_CB, number, "--org-name", "Beta GmbH", "--org-country", "DE"),
            *("--org-address", "Berlin", "--standard", "ISO 9001:2015", "--scope", "widgets"),
            *("--effective", "2024-01-10", "--expiry", "2027-01-09"),
        )
        assert issued.code == 0, issued.stderr
        ended = cli(
            *(end, CONFIDENTIAL_CB, number, "--reason", SECRET, "--confidential"),
            *("--effective", "2025-03-01"),
        )
        assert ended.code == 0, ended.stderr


def anonymous(server: str, tmp_path: Path, *args: str) -> Run:
    """``registry ARGS`` with no token at all (an empty folder: no ./registry.token)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
    return registry(*args, "--server", server, "--timeout", "5", env=env, cwd=tmp_path)


def test_the_cb_reads_its_confidential_reason_marked_so(cli, confidential):
    suspended = cli("status", CONFIDENTIAL_CB, "Q-S", "--at", "2025-03-20")
    assert suspended.code == 0, suspended.stderr
    assert suspended.pairs()["suspension reason"] == f"{SECRET} (confidential)"
    withdrawn = cli("status", CONFIDENTIAL_CB, "Q-W", "--at", "2025-03-20")
    assert withdrawn.pairs()["end reason"] == f"{SECRET} (confidential)"
    history = cli("history", CONFIDENTIAL_CB, "Q-S")
    assert history.table()[-1][-1] == f'reason="{SECRET}" (confidential)'


def test_anyone_else_reads_a_confidential_reason_as_withheld(server, confidential, tmp_path):
    suspended = anonymous(server, tmp_path, "status", CONFIDENTIAL_CB, "Q-S", "--at", "2025-03-20")
    assert suspended.code == 0, suspended.stderr
    assert suspended.pairs()["status"] == "SUSPENDED"
    assert suspended.pairs()["suspension reason"] == "(withheld)"
    withdrawn = anonymous(server, tmp_path, "status", CONFIDENTIAL_CB, "Q-W", "--at", "2025-03-20")
    assert withdrawn.pairs()["end reason"] == "(withheld)"
    history = anonymous(server, tmp_path, "history", CONFIDENTIAL_CB, "Q-W")
    assert history.table()[-1][2] == "Withdrawn"
    assert history.table()[-1][-1] == "reason=(withheld)"
    as_json = anonymous(server, tmp_path, "history", CONFIDENTIAL_CB, "Q-W", "--json")
    assert as_json.json()["events"][-1]["withdrawn"] == {"reason": "", "reason_confidential": True}
    for run in (suspended, withdrawn, history, as_json):
        assert SECRET not in run.stdout
