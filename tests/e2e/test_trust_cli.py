"""The command line of identities, accreditation and verification, against real servers.

Every server is a ``registry serve`` process on SQLite in a temporary folder, started
with ``--token-file`` in that folder and the folder as its working directory, so the
first admin token lands there as ``registry.token``. Every CLI call is its own process
run in that folder, with no token in its environment: an admin call finds
``./registry.token`` by itself; a CB or an AB sends its own token file.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import LAUNCHER, run_registry
from pg_instance import free_port

STARTUP_SECONDS = 30.0
AB, CB, NUMBER = "ab-ukas", "cb-tuv", "Q-2024-001"
ISSUE = [
    *("issue", CB, NUMBER),
    *("--org-name", "Acme GmbH", "--org-country", "DE", "--org-address", "1 Hauptstr, Berlin"),
    *("--standard", "ISO 9001:2015", "--scope", "Design and manufacture of widgets"),
    *("--sector-code", "17", "--effective", "2024-01-10", "--expiry", "2027-01-09"),
]
SECRET = re.compile(r"rgt_\w+_")


@dataclass(frozen=True)
class Run:
    """One finished ``registry`` process."""

    code: int
    stdout: str
    stderr: str

    def pairs(self) -> dict[str, str]:
        """The ``name  value`` lines of a plain-text answer (up to its first blank line)."""
        block = self.stdout.split("\n\n", 1)[0]
        rows = (re.split(r"\s{2,}", line, maxsplit=1) for line in block.splitlines())
        return {row[0]: row[1] if len(row) > 1 else "" for row in rows}

    def steps(self) -> dict[str, tuple[str, str]]:
        """The steps table after a verdict: kind -> (passed/FAILED, reason)."""
        lines = self.stdout.split("\n\n", 1)[1].splitlines()[1:]
        rows = (re.split(r"\s{2,}", line, maxsplit=2) for line in lines)
        return {row[0]: (row[1], row[2] if len(row) > 2 else "") for row in rows}


def registry(*args: str, cwd: Path, server: str = "", token: str | None = None) -> Run:
    """``registry ARGS`` run in ``cwd``; the server from $REGISTRY_SERVER, no token in
    the environment unless ``token`` is given."""
    env = {"REGISTRY_SERVER": server} if server else {}
    if token is not None:
        env["REGISTRY_TOKEN"] = token
    done = run_registry(*args, cwd=cwd, env=env)
    return Run(done.returncode, done.stdout, done.stderr)


@dataclass
class Served:
    """A running server: its folder, address, and what it printed while starting."""

    folder: Path
    address: str
    printed: str

    def cli(self, *args: str, token: str | None = None) -> Run:
        return registry(*args, cwd=self.folder, server=self.address, token=token)


@contextlib.contextmanager
def serving(folder: Path) -> Iterator[Served]:
    """``registry serve`` on ``folder/r.db``, its token file ``folder/registry.token``."""
    port = free_port()
    command = [
        *(sys.executable, str(LAUNCHER), "serve", "--db", f"sqlite:///{folder / 'r.db'}"),
        *("--port", str(port), "--token-file", str(folder / "registry.token")),
    ]
    with (folder / "server.log").open("a") as log:
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=log, text=True, cwd=folder
        )
        try:
            printed = _until_listening(process)
            yield Served(folder, f"127.0.0.1:{port}", printed)
        finally:
            process.send_signal(signal.SIGTERM)
            process.communicate(timeout=20)
    assert process.returncode == 0, (folder / "server.log").read_text()


def _until_listening(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    printed = []
    deadline = time.monotonic() + STARTUP_SECONDS
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while (left := deadline - time.monotonic()) > 0:
            if not selector.select(timeout=left):
                continue
            line = process.stdout.readline()
            if not line:
                raise RuntimeError(f"registry serve exited with {process.wait()}")
            if "registry listening on" in line:
                return "".join(printed)
            printed.append(line)
    raise TimeoutError(f"registry serve did not listen within {STARTUP_SECONDS} s")


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


# Bootstrap


def test_a_fresh_server_writes_the_first_admin_token_for_its_owner_only_and_says_where(
    tmp_path: Path,
) -> None:
    with serving(tmp_path) as served:
        token_file = tmp_path / "registry.token"
        assert token_file.read_text().startswith("rgt_")
        assert mode(token_file) == 0o600
        assert "created the first admin token" in served.printed
        assert str(token_file.resolve()) in served.printed


def test_a_second_server_on_the_same_store_writes_no_token(tmp_path: Path) -> None:
    with serving(tmp_path):
        pass
    (tmp_path / "registry.token").unlink()
    with serving(tmp_path) as served:
        assert "admin token" not in served.printed
    assert not (tmp_path / "registry.token").exists()


def test_admin_bootstrap_writes_the_first_token_of_a_fresh_store(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'offline.db'}"
    run = registry("admin", "bootstrap", "--db", db, "--token-file", "admin.token", cwd=tmp_path)
    assert run.code == 0, run.stderr
    assert (tmp_path / "admin.token").read_text().startswith("rgt_")
    assert mode(tmp_path / "admin.token") == 0o600
    assert str((tmp_path / "admin.token").resolve()) in run.stdout


def test_admin_bootstrap_on_a_store_that_had_a_token_writes_nothing_and_exits_1(
    tmp_path: Path,
) -> None:
    db = f"sqlite:///{tmp_path / 'offline.db'}"
    first = registry("admin", "bootstrap", "--db", db, "--token-file", "one.token", cwd=tmp_path)
    assert first.code == 0, first.stderr
    again = registry("admin", "bootstrap", "--db", db, "--token-file", "two.token", cwd=tmp_path)
    assert again.code == 1
    assert "already" in again.stderr
    assert not (tmp_path / "two.token").exists()


# The operator's story, through the command line only


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serving(tmp_path_factory.mktemp("trust-cli")) as served:
        yield served


@pytest.fixture(scope="module")
def story(server: Served) -> dict[str, Run]:
    """An AB and its MLA status, a CB and both their tokens, the AB accrediting the CB,
    the CB issuing a certificate, the AB suspending the accreditation from 2025-06-01,
    and the admin revoking the CB's token."""
    cli = server.cli
    runs: dict[str, Run] = {}

    def step(name: str, *args: str, token: str | None = None, code: int = 0) -> Run:
        runs[name] = run = cli(*args, token=token)
        assert run.code == code, f"{name}: {run.stderr}"
        return run

    since = ("--effective", "2020-01-01")
    step(
        "register ab", *("admin", "ab", "register", AB, "--name", "UKAS", "--country", "GB"), *since
    )
    step("mla", "admin", "ab", "mla", AB, "SIGNATORY", *since)
    step(
        "register cb",
        *("admin", "cb", "register", CB, "--name", "TÜV Nord", "--country", "DE"),
        *(*since, "--request-id", "register-cb-tuv"),
    )
    step("cb token", *("admin", "token", "create", "--cb", CB, "--out", "cb.token"))
    step("ab token", *("admin", "token", "create", "--ab", AB, "--out", "ab.token"))
    step(
        "grant",
        *("accreditation", "grant", AB, CB, "--standard", "ISO 9001:2015", "--sector-code", "17"),
        *("--expiry", "2028-12-31", "--effective", "2024-01-01", "--token-file", "ab.token"),
    )
    step("issue", "--token-file", "cb.token", *ISSUE)
    step("credible", "verify", CB, NUMBER, "--at", "2025-03-20", "--claim-name", "ACME gmbh")
    step(
        "suspend",
        *("accreditation", "suspend", AB, CB, "--reason", "assessment overdue"),
        *("--effective", "2025-06-01", "--token-file", "ab.token"),
    )
    step("not accredited", "verify", CB, NUMBER, "--at", "2025-06-15")
    step("before the suspension", "verify", CB, NUMBER, "--at", "2025-05-31")
    step("show", "accreditation", "show", AB, CB, "--at", "2025-06-15")
    step("revoke", "admin", "token", "revoke", runs["cb token"].stdout.strip())
    cb_token = (server.folder / "cb.token").read_text().strip()
    surveil = ("surveil", CB, NUMBER, "--effective", "2025-01-05")
    step("revoked write", *surveil, token=cb_token, code=1)
    step("tokens", "admin", "token", "list")
    return runs


def test_the_cli_run_beside_the_token_file_uses_it_without_flags(server: Served) -> None:
    run = server.cli("admin", "token", "list")
    assert run.code == 0, run.stderr
    assert "admin" in run.stdout.split()
    anonymous = registry("admin", "token", "list", cwd=server.folder.parent, server=server.address)
    assert anonymous.code == 1
    assert anonymous.stderr.startswith("registry: UNAUTHENTICATED: ")


def test_a_directory_write_prints_the_version_recorded_time_and_request_id(
    story: dict[str, Run],
) -> None:
    answer = story["register cb"].pairs()
    assert answer["certification body"] == CB
    assert answer["version"] == "1"
    assert answer["recorded at"].endswith("Z")
    assert answer["request id"] == "register-cb-tuv"


def test_a_token_written_to_a_file_is_for_its_owner_only_and_only_its_id_is_printed(
    server: Served, story: dict[str, Run]
) -> None:
    created = story["cb token"]
    token = (server.folder / "cb.token").read_text().strip()
    assert mode(server.folder / "cb.token") == 0o600
    assert re.fullmatch(r"[0-9a-f]+", created.stdout.strip())
    assert token.startswith(f"rgt_{created.stdout.strip()}_")
    assert not SECRET.search(created.stdout + created.stderr)


def test_a_certificate_of_an_accredited_cb_is_credible(story: dict[str, Run]) -> None:
    run = story["credible"]
    assert run.pairs()["verdict"] == "CREDIBLE"
    assert run.pairs()["accreditation body"] == AB
    steps = run.steps()
    assert list(steps) == [
        "EXISTS",
        "VALID",
        "CLAIMED_ORGANIZATION_NAME",
        "ACCREDITED",
        "MLA_SIGNATORY",
    ]
    assert {result for result, _ in steps.values()} == {"passed"}


def test_from_the_day_the_ab_suspends_the_accreditation_the_certificate_is_not_accredited(
    story: dict[str, Run],
) -> None:
    run = story["not accredited"]
    assert run.pairs()["verdict"] == "NOT_ACCREDITED"
    assert run.pairs()["status"] == "VALID"
    result, reason = run.steps()["ACCREDITED"]
    assert result == "FAILED"
    assert "no accreditation in effect on 2025-06-15" in reason


def test_the_day_before_the_suspension_the_certificate_is_still_credible(
    story: dict[str, Run],
) -> None:
    assert story["before the suspension"].pairs()["verdict"] == "CREDIBLE"


def test_accreditation_show_tells_the_suspension_and_its_reason(story: dict[str, Run]) -> None:
    answer = story["show"].pairs()
    assert answer["status"] == "SUSPENDED"
    assert answer["suspended since"] == "2025-06-01"
    assert answer["reason"] == "assessment overdue"
    assert answer["standards"] == "ISO 9001:2015"
    assert answer["sector codes"] == "17"


def test_a_write_with_a_revoked_token_is_refused_unauthenticated(story: dict[str, Run]) -> None:
    assert story["revoked write"].stderr.startswith("registry: UNAUTHENTICATED: ")


def test_the_token_list_shows_the_revoked_token_and_never_a_secret(
    story: dict[str, Run],
) -> None:
    run = story["tokens"]
    revoked_id = story["cb token"].stdout.strip()
    rows = {line.split()[0]: line.split() for line in run.stdout.splitlines()[1:]}
    assert rows[revoked_id][1] == f"cb:{CB}"
    assert rows[revoked_id][4].endswith("Z")  # revoked at
    assert {row[1] for row in rows.values()} == {"admin", f"cb:{CB}", f"ab:{AB}"}
    assert not SECRET.search(run.stdout)


# A supplier list

LIST_HEADER = "certification_body_id,certificate_number,at,claimed_organization_name"
SUPPLIERS = [
    f"{CB},{NUMBER},2025-03-20,Acme GmbH",  # credible
    f"{CB},Q-404,2025-03-20,",  # unknown
    f"{CB},{NUMBER},2025-03-20,Other Ltd",  # another organisation claimed
    f"{CB},{NUMBER},2025-02-30,",  # a bad date
    f"{CB},,2025-03-20,",  # no number
    f'{CB},{NUMBER},2025-03-20,"=HYPERLINK(""http://x"")"',  # a formula claimed
]


@pytest.fixture(scope="module")
def checked(server: Served, story: dict[str, Run]) -> tuple[Run, list[dict[str, str]]]:
    """The supplier list checked two rows a call, with its results in a file."""
    listing = server.folder / "suppliers.csv"
    listing.write_text("\ufeff" + "\n".join([LIST_HEADER, *SUPPLIERS]) + "\n", encoding="utf-8")
    run = server.cli(
        *("verify", "--file", "suppliers.csv", "--out", "results.csv", "--batch-size", "2")
    )
    with (server.folder / "results.csv").open(encoding="utf-8", newline="") as results:
        return run, list(csv.DictReader(results))


def test_a_list_gets_one_result_row_per_row_in_the_same_order(checked: Any) -> None:
    _, rows = checked
    assert [row["certificate_number"] for row in rows] == [
        NUMBER,
        "Q-404",
        NUMBER,
        NUMBER,
        "",
        NUMBER,
    ]
    assert list(rows[0]) == [
        *LIST_HEADER.split(","),
        *("verdict", "status", "accreditation_body_id", "failed_steps", "code", "message"),
        "as_of",
    ]


def test_each_row_of_a_list_has_its_verdict_or_why_it_was_not_checked(checked: Any) -> None:
    _, rows = checked
    assert [(row["verdict"], row["code"]) for row in rows] == [
        ("CREDIBLE", "OK"),
        ("UNKNOWN", "OK"),
        ("NOT_VALID", "OK"),
        ("", "INVALID_ARGUMENT"),
        ("", "INVALID_ARGUMENT"),
        ("NOT_VALID", "OK"),
    ]
    assert rows[2]["failed_steps"].startswith("CLAIMED_ORGANIZATION_NAME: ")
    assert "Other Ltd" in rows[2]["failed_steps"]
    assert rows[3]["message"].startswith("at: '2025-02-30'")
    assert "certificate_number" in rows[4]["message"]


def test_a_list_is_judged_as_of_one_instant_across_calls(checked: Any) -> None:
    _, rows = checked
    instants = {row["as_of"] for row in rows if row["code"] == "OK"}
    assert len(instants) == 1
    assert instants.pop().endswith("Z")


def test_a_list_with_a_row_not_checked_exits_1(checked: Any) -> None:
    run, _ = checked
    assert run.code == 1
    assert "4 checked" in run.stderr
    assert "2 could not be checked" in run.stderr


def test_a_formula_claimed_in_a_list_comes_back_neutralised(server: Served, checked: Any) -> None:
    _, rows = checked
    assert rows[5]["claimed_organization_name"] == '\'=HYPERLINK("http://x")'
    assert "'=HYPERLINK" not in (server.folder / "suppliers.csv").read_text()


def test_a_list_checked_without_a_terminal_prints_progress_lines(checked: Any) -> None:
    run, _ = checked
    assert re.search(r"^verify: 6 rows \(100%\), .* rows/s, .* ETA", run.stderr, re.MULTILINE)


def test_a_list_whose_rows_all_check_exits_0_and_writes_to_stdout(server: Served, story) -> None:
    (server.folder / "good.csv").write_text(
        f"certificate_number,certification_body_id\n{NUMBER},{CB}\nQ-404,{CB}\n"
    )
    run = server.cli("verify", "--file", "good.csv", "--at", "2025-03-20", "--no-progress")
    assert run.code == 0, run.stderr
    rows = list(csv.DictReader(io.StringIO(run.stdout)))
    assert [row["verdict"] for row in rows] == ["CREDIBLE", "UNKNOWN"]
    assert "rows/s" not in run.stderr


def test_a_list_with_unknown_columns_is_refused_naming_them(server: Served) -> None:
    (server.folder / "odd.csv").write_text("certification_body_id,certificate_number,price\n")
    run = server.cli("verify", "--file", "odd.csv")
    assert run.code == 2
    assert "unknown column(s) 'price'" in run.stderr


# Wrong usage


def test_a_token_for_two_principals_at_once_is_a_usage_error(tmp_path: Path) -> None:
    run = registry("admin", "token", "create", "--cb", CB, "--admin", cwd=tmp_path)
    assert run.code == 2
    assert "not allowed with" in run.stderr


def test_verify_with_neither_a_certificate_nor_a_list_is_a_usage_error(tmp_path: Path) -> None:
    run = registry("verify", cwd=tmp_path)
    assert run.code == 2
    assert "give CB NUMBER, or --file" in run.stderr
