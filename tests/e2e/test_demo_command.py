"""``registry demo`` as a user runs it: a real process that builds, serves and walks.

One small demo (``--no-serve``) runs for the module; its output and the store it
leaves are checked by other ``registry`` processes. Another demo keeps serving
and answers a client until SIGTERM.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass

import pytest
from conftest import LAUNCHER
from pg_instance import free_port
from test_cli import registry, wait_until_listening

from registry.client import RegistryClient

SIZE = "200"
STARTUP_SECONDS = 60.0


@dataclass(frozen=True)
class Demo:
    stdout: str
    db: str

    def section(self, number: str) -> str:
        """The lines of the story titled ``== NUMBER.`` up to the next one."""
        start = self.stdout.index(f"== {number}.")
        end = self.stdout.find("\n== ", start + 1)
        return self.stdout[start : end if end != -1 else None]

    def row(self, first_cell: str) -> list[str]:
        """The cells of the table row that begins with ``first_cell``."""
        for line in self.stdout.splitlines():
            if line.startswith(first_cell):
                return re.split(r"\s{2,}", line)
        raise AssertionError(f"no row {first_cell!r} in:\n{self.stdout}")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    db = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    done = subprocess.run(
        [sys.executable, str(LAUNCHER), "demo", "--no-serve", "--certificates", SIZE, "--db", db],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr + done.stdout
    return Demo(done.stdout, db)


def test_the_demo_introduces_the_abs_and_cbs_each_writing_with_its_own_token(demo):
    assert demo.row("DAkkS")[2:4] == ["cb-nordstern", "Nordstern Zertifizierung GmbH"]
    assert demo.row("PCA")[2] == "cb-wisla"
    assert "Each CB publishes with its own token" in demo.stdout


def test_the_buyer_finds_the_supplier_credible_step_by_step(demo):
    assert "Is it credible today? The registry checks each step: CREDIBLE" in demo.stdout
    for step in ("EXISTS", "VALID", "CLAIMED_ORGANIZATION_NAME", "ACCREDITED", "MLA_SIGNATORY"):
        assert demo.row(step)[1] == "yes", step


def test_the_month_end_batch_answers_each_command_and_refuses_one_naming_the_rule(demo):
    batch = demo.section("1")
    assert "PublishBatch" in batch
    assert re.search(r"^1\s+issue\s+cb-nordstern/\S+\s+OK\s+v1$", batch, re.MULTILINE)
    assert re.search(r"^4\s+transfer\s+cb-nordstern/\S+\s+OK\s+v1$", batch, re.MULTILINE)
    refused = re.search(r"^5\s+reinstate\s+\S+\s+FAILED_PRECONDITION\s+(.*)$", batch, re.MULTILINE)
    assert refused is not None
    assert "reinstate-only-suspended" in refused.group(1)
    assert re.search(r"\d+ accepted, 1 refused", batch)


def test_the_buyer_finds_the_supplier_typed_without_accents(demo):
    buyer = demo.section("2")
    assert 'types "lodz"' in buyer
    assert "Łódź Tekstylia Sp. z o.o." in demo.row("cb-wisla/")[1]


def test_the_buyer_sees_the_past_suspension_and_what_was_answered_before_it_was_recorded(demo):
    today = demo.row("valid today?")
    known_today = demo.row("valid on ")
    answered_then = next(
        re.split(r"\s{2,}", line)
        for line in demo.stdout.splitlines()
        if line.startswith("valid on ") and "as answered on" in line
    )
    assert today[3] == "VALID"
    assert "as known today" in known_today[0]
    assert known_today[3] == "SUSPENDED"
    assert answered_then[3] == "VALID"
    assert int(answered_then[4]) < int(known_today[4])
    assert "backdated correction" in demo.section("2")


def test_the_assessor_lists_last_month_s_events_and_the_report_as_of_last_month(demo):
    assessor = demo.section("3")
    assert "ListEvents" in assessor
    assert re.search(r"^\d+ events last month: .*SurveillancePassed", assessor, re.MULTILINE)
    assert re.search(r"cb-nordstern: certificates on \S+ as known at \S+T00:00:00Z", assessor)
    total = demo.row("all")
    assert int(total[1]) > 0
    assert "registry stopped" in demo.stdout


def test_the_demo_s_store_passes_the_check_and_serves_what_the_demo_said(demo, tmp_path):
    check = registry("db", "check", "--db", demo.db, "--json")
    assert check.code == 0, check.stderr
    assert check.json()["schema_version"] == 2
    assert check.json()["events"] > int(SIZE)
    port = free_port()
    server = subprocess.Popen(
        [
            *(sys.executable, str(LAUNCHER), "serve", "--db", demo.db, "--port", str(port)),
            *("--token-file", str(tmp_path / "admin.token")),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        wait_until_listening(server)
        found = registry("search", "lodz", "--server", f"127.0.0.1:{port}")
        assert found.code == 0, found.stderr
        assert "Łódź Tekstylia Sp. z o.o." in found.stdout
    finally:
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=20)
    assert server.returncode == 0


def test_the_demo_refuses_a_store_that_is_not_empty(demo):
    before = registry("db", "check", "--db", demo.db, "--json").json()["events"]
    again = registry("demo", "--no-serve", "--certificates", "20", "--db", demo.db)
    assert again.code == 2
    assert "already holds" in again.stderr
    assert registry("db", "check", "--db", demo.db, "--json").json()["events"] == before


def read_until_listening(process: subprocess.Popen[str]) -> list[str]:
    """The lines the demo printed up to "registry listening on", read in a thread (the
    demo prints many lines: a selector on the pipe would miss the ones already buffered);
    the rest of its output is left in the pipe."""
    assert process.stdout is not None
    stdout = process.stdout
    lines: list[str] = []
    listening = threading.Event()

    def read() -> None:
        for line in iter(stdout.readline, ""):
            lines.append(line)
            if line.startswith("registry listening on"):
                listening.set()
                return
        listening.set()

    threading.Thread(target=read, daemon=True).start()
    assert listening.wait(STARTUP_SECONDS), "".join(lines)
    assert lines and lines[-1].startswith("registry listening on"), "".join(lines)
    return lines


def test_a_serving_demo_answers_a_client_and_stops_on_sigterm():
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(LAUNCHER), "demo", "--certificates", "60", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        printed = "".join(read_until_listening(process))
        assert f"registry search lodz --server 127.0.0.1:{port}" in printed
        with RegistryClient(f"127.0.0.1:{port}", timeout=10) as client:
            found = client.search_certificates(organization_name="lodz")
            names = [c.organization.name for c in found.certificates]
            assert "Łódź Tekstylia Sp. z o.o." in names
            status = client.get_certificate_status(
                found.certificates[0].certificate.certification_body_id,
                found.certificates[0].certificate.certificate_number,
            )
            assert status.version >= 1
    finally:
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert stdout.strip() == "registry stopped"
