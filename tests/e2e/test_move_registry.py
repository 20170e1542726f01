"""Moving a whole registry: ``registry export --events`` of a registry on SQLite, with two
accreditation bodies, certification bodies, accreditations and catalogue changes among
its certificates, imported into an empty registry on PostgreSQL, answers every question
as the original does: verification verdicts and steps, accreditations, bodies, the
catalogue, every certificate's status on every day."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import RunningServer, make_db_url

from registry import config
from registry.application.registry import Registry
from registry.bulk.importer import Importer, ImportSummary, Progress
from registry.bulk.rows import COMMANDS
from registry.bulk.senders import TOKEN_NOTE
from registry.cli.main import main
from registry.client import RegistryClient
from registry.domain.standards import StandardsCatalogue
from registry.v1 import certificate_service_pb2 as pb

D = date.fromisoformat
SINCE = D("2015-01-01")
ABS = ("ab-uk", "ab-de")
CBS = ("cb-a", "cb-b", "cb-c")
PAIRS = (("ab-uk", "cb-a"), ("ab-de", "cb-b"), ("ab-uk", "cb-b"), ("ab-de", "cb-c"))
CERTIFICATES = (
    ("cb-c", "C-1"),
    ("cb-a", "Q-1"),
    ("cb-a", "Q-2"),
    ("cb-a", "Q-3"),
    ("cb-b", "N-3"),
    ("cb-b", "B-1"),
    ("cb-b", "B-2"),
)
DAYS = [
    D(day)
    for day in (
        "2020-06-01",
        "2021-06-01",
        "2022-07-01",
        "2023-06-01",
        "2024-04-01",
        "2024-06-15",
        "2024-10-15",
        "2025-02-15",
        "2025-12-01",
        "2026-03-01",
    )
]
ISO_9001 = "ISO 9001:2015"
# Each accreditation as first granted: AB, CB, standards, sector codes, effective, expiry.
GRANTS = (
    ("ab-uk", "cb-a", [ISO_9001, "ISO/IEC 27001:2013"], [], "2020-01-01", "2024-12-31"),
    ("ab-de", "cb-b", [ISO_9001], ["17", "18"], "2021-06-01", "2026-05-31"),
    ("ab-uk", "cb-b", [ISO_9001], [], "2022-01-01", "2026-12-31"),
    ("ab-de", "cb-c", [ISO_9001], [], "2019-01-01", "2023-12-31"),
)
# What an answer says about the cut it was computed at: not the same in a copy.
CUT_FIELDS = ("as_of", "log_position")


def issue(
    client: RegistryClient,
    ref: tuple[str, str],
    standard: str,
    effective: str,
    expiry: str,
    sectors: tuple[str, ...] = ("17",),
) -> None:
    client.issue_certificate(
        *ref,
        organization=pb.Organization(name=f"Holder of {ref[1]}", country="DE", address="Kiel"),
        standard=standard,
        scope="Design and manufacture of gears",
        sector_codes=list(sectors),
        sites=[pb.Site(address="Hafen 2, Kiel")],
        expiry_date=D(expiry),
        effective_date=D(effective),
    )


def build(running: RunningServer) -> None:
    """The registry to move: ab-de's IAF MLA status changes; ab-uk suspends and reinstates
    its accreditation of cb-a, then grants it again; ab-de changes the scope of cb-b's and
    withdraws cb-c's; cb-b takes over one of cb-a's certificates; cb-a retracts an event;
    the admin moves a transition deadline, adds an edition and deactivates cb-c."""
    admin = running.authority.admin
    for ab, country in zip(ABS, ("GB", "DE"), strict=True):
        admin.register_accreditation_body(
            ab, name=f"Accreditation {country}", country=country, effective_date=D("2010-01-01")
        )
    admin.record_mla_status("ab-uk", "SIGNATORY", effective_date=D("2010-01-01"))
    admin.record_mla_status("ab-de", "SIGNATORY", effective_date=D("2012-01-01"))
    for cb, country in zip(CBS, ("GB", "DE", "FR"), strict=True):
        admin.register_certification_body(
            cb, name=f"Certification {cb}", country=country, effective_date=SINCE
        )
    admin.change_body_details("cb", "cb-a", name="CB A Ltd", effective_date=D("2020-01-01"))
    uk, de = (client_of(running, "ab", ab) for ab in ABS)
    a, b, c = (client_of(running, "cb", cb) for cb in CBS)
    for ab, cb, standards, sectors, effective, expiry in GRANTS:
        (uk if ab == "ab-uk" else de).grant_accreditation(
            ab,
            cb,
            standards=standards,
            sector_codes=sectors,
            expiry_date=D(expiry),
            effective_date=D(effective),
        )
    issue(c, ("cb-c", "C-1"), "ISO 9001:2015", "2020-01-15", "2023-01-14")
    issue(a, ("cb-a", "Q-1"), "ISO 9001:2015", "2021-03-01", "2024-02-29")
    issue(a, ("cb-a", "Q-2"), "ISO/IEC 27001:2013", "2023-01-10", "2026-01-09", ())
    a.record_surveillance("cb-a", "Q-1", effective_date=D("2022-03-01"))
    de.change_accreditation_scope(
        "ab-de",
        "cb-b",
        standards=["ISO 9001:2015", "ISO 14001:2015"],
        sector_codes=["17", "18", "19"],
        effective_date=D("2023-01-01"),
    )
    issue(a, ("cb-a", "Q-3"), "ISO 9001:2015", "2022-05-01", "2025-04-30")
    issue(b, ("cb-b", "B-1"), "ISO 14001:2015", "2023-02-01", "2026-01-31", ("19",))
    issue(b, ("cb-b", "B-2"), "ISO 9001:2015", "2023-03-01", "2026-02-28")
    de.withdraw_accreditation(
        "ab-de", "cb-c", reason="at the CB's request", effective_date=D("2022-06-01")
    )
    a.record_surveillance("cb-a", "Q-1", effective_date=D("2023-03-01"))
    a.retract_event(
        "cb-a", "Q-1", event_version=3, reason="audit not held", effective_date=D("2023-03-02")
    )
    uk.suspend_accreditation(
        "ab-uk", "cb-a", reason="witnessed audit failed", effective_date=D("2024-03-01")
    )
    uk.reinstate_accreditation("ab-uk", "cb-a", effective_date=D("2024-05-01"))
    a.renew_certificate("cb-a", "Q-1", expiry_date=D("2027-02-28"), effective_date=D("2024-02-01"))
    b.transfer_certificate(
        "cb-b",
        "N-3",
        from_certification_body_id="cb-a",
        from_certificate_number="Q-3",
        organization=pb.Organization(name="Holder of Q-3", country="DE", address="Kiel"),
        standard="ISO 9001:2015",
        scope="Gears",
        sector_codes=["17"],
        expiry_date=D("2025-04-30"),
        effective_date=D("2024-06-01"),
    )
    admin.record_mla_status("ab-de", "SUSPENDED", effective_date=D("2024-09-01"))
    b.suspend_certificate(
        "cb-b",
        "B-1",
        reason="major nonconformity",
        reason_confidential=True,
        effective_date=D("2024-10-01"),
    )
    b.reinstate_certificate("cb-b", "B-1", effective_date=D("2024-11-15"))
    uk.grant_accreditation(  # a new cycle
        "ab-uk",
        "cb-a",
        standards=[ISO_9001, "ISO/IEC 27001:2022"],
        expiry_date=D("2029-12-31"),
        effective_date=D("2025-01-01"),
    )
    b.withdraw_certificate(
        "cb-b", "B-2", reason="misuse of the mark", effective_date=D("2025-02-01")
    )
    admin.set_transition_deadline("ISO/IEC 27001:2013", D("2026-01-31"))
    admin.add_standard_edition("ISO 9001", "2026", title="Quality management systems")
    admin.deactivate_body("cb", "cb-c", reason="ceased trading", effective_date=D("2025-06-01"))
    for client in (uk, de, a, b, c):
        client.close()


def client_of(running: RunningServer, role: str, body_id: str) -> RegistryClient:
    token = running.authority.admin.create_token(role, body_id, note="tests").token
    return RegistryClient(running.target, token=token)


@dataclass
class Original:
    server: RunningServer
    exported: Path


@pytest.fixture(scope="module")
def original(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Original]:
    """The registry on SQLite, running, and its export (CSV)."""
    folder = tmp_path_factory.mktemp("original")
    db = make_db_url("sqlite", folder, request)
    server = RunningServer.start(Registry(config.persistence_env(db)), prepare=False)
    try:
        build(server)
        exported = folder / "events.csv"
        assert main(["export", "--events", "--db", db, "-o", str(exported)]) == 0
        yield Original(server, exported)
    finally:
        server.stop()


def empty_registry(
    backend: str, folder: Path, request: pytest.FixtureRequest, **options: Any
) -> RunningServer:
    """A new registry (only its catalogue), served."""
    db = make_db_url(backend, folder, request)
    return RunningServer.start(Registry(config.persistence_env(db), **options), prepare=False)


def admin_client(running: RunningServer) -> RegistryClient:
    return RegistryClient(running.target, token=running.authority.admin_token)


@dataclass
class Copy:
    server: RunningServer
    summary: ImportSummary


@pytest.fixture(scope="module")
def copy(
    original: Original, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Copy]:
    """An empty registry on PostgreSQL the export was imported into with the admin's
    token."""
    folder = tmp_path_factory.mktemp("copy")
    server = empty_registry("postgres", folder, request)
    try:
        with admin_client(server) as client:
            summary = Importer(client, batch_size=3).run(original.exported, folder / "report.csv")
        yield Copy(server, summary)
    finally:
        server.stop()


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def cut_off(answer: Any) -> Any:
    """``answer`` without what says where in its log it was computed."""
    answer = type(answer).FromString(answer.SerializeToString())
    for name in CUT_FIELDS:
        answer.ClearField(name)
    return answer


def test_the_export_writes_every_kind_of_event_as_its_command(original):
    rows = rows_of(original.exported)
    commands = [row["command"] for row in rows]
    assert commands[0] == "catalogue-seed"
    assert [c for c in commands if c not in COMMANDS] == [
        "catalogue-seed",
        "ab-register",
        "ab-register",
        "ab-mla",
        "ab-mla",
        "cb-register",
        "cb-register",
        "cb-register",
        "cb-change",
        "accreditation-grant",
        "accreditation-grant",
        "accreditation-grant",
        "accreditation-grant",
        "accreditation-scope",
        "accreditation-withdraw",
        "accreditation-suspend",
        "accreditation-reinstate",
        "ab-mla",
        "accreditation-regrant",
        "standard-deadline",
        "standard-add",
        "cb-deactivate",
    ]
    assert commands.index("accreditation-grant") < commands.index("issue")
    assert commands.index("accreditation-scope") < commands.index("transfer")
    positions = [int(row["position"]) for row in rows]
    assert positions == sorted(positions)
    mla = [(r["accreditation_body_id"], r["mla_status"]) for r in rows if r["command"] == "ab-mla"]
    assert mla == [("ab-uk", "SIGNATORY"), ("ab-de", "SIGNATORY"), ("ab-de", "SUSPENDED")]
    scope = next(row for row in rows if row["command"] == "accreditation-scope")
    assert json.loads(scope["standards"]) == ["ISO 9001:2015", "ISO 14001:2015"]
    assert (scope["certificate_number"], scope["actor"]) == ("", "ab:ab-de")
    deadline = next(row for row in rows if row["command"] == "standard-deadline")
    assert (deadline["designation"], deadline["transition_deadline"]) == (
        "ISO/IEC 27001:2013",
        "2026-01-31",
    )
    seeded = json.loads(rows[0]["editions"])
    assert {"code": "ISO 9001", "edition": "2008"} | {
        "title": "Quality management systems — Requirements",
        "transition_deadline": "2018-09-14",
    } in seeded


def test_every_row_imports_into_an_empty_registry_on_postgresql(original, copy):
    rows = rows_of(original.exported)
    assert (copy.summary.rows, copy.summary.imported, copy.summary.refused) == (
        len(rows),
        len(rows),
        0,
    )


def same_answer(original: Original, copy: Copy, method: str, *args: Any, **kwargs: Any) -> Any:
    """The original's answer to the admin client's ``method``, once the copy's is found the
    same (but for the cut each was computed at)."""
    first, second = (
        cut_off(getattr(server.authority.admin, method)(*args, **kwargs))
        for server in (original.server, copy.server)
    )
    assert second == first, (method, args, kwargs)
    return first


def test_the_copy_verifies_each_certificate_as_the_original_on_every_day(original, copy):
    verdicts = {
        pb.Verdict.Name(same_answer(original, copy, "verify_certificate", *ref, at=day).verdict)
        for ref in CERTIFICATES
        for day in DAYS
    }
    assert {"VERDICT_CREDIBLE", "VERDICT_NOT_ACCREDITED", "VERDICT_NOT_VALID"} <= verdicts


def test_the_copy_answers_for_accreditations_bodies_and_the_catalogue_as_the_original(
    original, copy
):
    for day in DAYS:
        for ab, cb in PAIRS:
            same_answer(original, copy, "get_accreditation", ab, cb, at=day)
        for ab in ABS:
            same_answer(original, copy, "get_accreditation_body", ab, at=day)
        for cb in CBS:
            same_answer(original, copy, "get_certification_body", cb, at=day)
        same_answer(original, copy, "list_standards", at=day)
    suspended = copy.server.authority.admin.get_accreditation("ab-uk", "cb-a", at=D("2024-04-01"))
    assert suspended.accreditation.reason == "witnessed audit failed"


def test_every_certificate_has_the_same_status_and_history_in_the_copy(original, copy):
    for ref in CERTIFICATES:
        for day in DAYS:
            same_answer(original, copy, "get_certificate_status", *ref, at=day)
        histories = [
            [
                (e.version, e.type, e.effective_date, e.retracted_by_version, e.actor, e.request_id)
                for e in server.authority.admin.iter_certificate_history(*ref)
            ]
            for server in (original.server, copy.server)
        ]
        assert histories[1] == histories[0]


def test_importing_the_file_again_appends_nothing(original, copy, tmp_path):
    events = copy.server.app.summary().events
    with admin_client(copy.server) as client:
        again = Importer(client).run(original.exported, tmp_path / "report.csv")
    assert (again.imported, again.refused) == (copy.summary.imported, 0)
    assert copy.server.app.summary().events == events


def import_tokens(running: RunningServer) -> list[Any]:
    tokens = running.authority.admin.list_tokens().tokens
    return [token for token in tokens if token.note.endswith(TOKEN_NOTE)]


def test_the_import_acts_as_each_body_with_a_token_it_revokes_at_the_end(copy):
    tokens = import_tokens(copy.server)
    assert {token.principal for token in tokens} >= {f"cb:{cb}" for cb in CBS} | {
        f"ab:{ab}" for ab in ABS
    }
    assert all(token.HasField("revoked_at") and token.HasField("expires_at") for token in tokens)


def test_an_interrupted_import_revokes_its_tokens(original, tmp_path, request):
    target = empty_registry("sqlite", tmp_path, request)

    class Interrupted(Exception):
        pass

    def interrupt(progress: Progress) -> None:
        if progress.imported >= 20:
            raise Interrupted

    try:
        with admin_client(target) as client, pytest.raises(Interrupted):
            Importer(client, on_progress=interrupt).run(original.exported, tmp_path / "r.csv")
        tokens = import_tokens(target)
        assert tokens and all(token.HasField("revoked_at") for token in tokens)
    finally:
        target.stop()


def test_an_import_with_a_cbs_token_sends_only_that_cbs_rows(
    original, tmp_path, request, monkeypatch, capsys
):
    target = empty_registry("sqlite", tmp_path, request)
    try:
        admin = target.authority.admin
        admin.register_certification_body("cb-a", name="CB A", country="GB", effective_date=SINCE)
        monkeypatch.setenv("REGISTRY_TOKEN", admin.create_token("cb", "cb-a").token)
        tokens = len(admin.list_tokens().tokens)
        report = tmp_path / "report.csv"
        argv = ["import", str(original.exported), "--server", target.target, "--json"]
        assert main([*argv, "--errors", str(report), "--no-progress"]) == 1
        summary = json.loads(capsys.readouterr().out)
        rows = rows_of(original.exported)
        own = [r for r in rows if r["command"] in COMMANDS and r["certification_body_id"] == "cb-a"]
        assert summary["imported"] == len(own) + 1  # and the catalogue-seed row, compared
        assert {row["code"] for row in rows_of(report)} == {"PERMISSION_DENIED"}
        assert summary["refused"] == len(rows) - len(own) - 1
        written = target.app.read_log(0, 1000).events
        assert written and {e.certificate.certification_body_id for e in written} == {"cb-a"}
        assert len(admin.list_tokens().tokens) == tokens  # it made none
    finally:
        target.stop()


def test_a_catalogue_seed_row_unlike_the_targets_catalogue_is_refused(original, tmp_path, request):
    shipped = StandardsCatalogue.load()
    other = StandardsCatalogue(
        [
            replace(s, transition_deadline=D("2025-12-31"))
            if s.designation == "ISO/IEC 27001:2013"
            else s
            for s in shipped
        ]
    )
    target = empty_registry("sqlite", tmp_path, request, standards=other)
    seed = tmp_path / "seed.csv"
    seed.write_text(
        "".join(original.exported.read_text(encoding="utf-8").splitlines(True)[:2]),
        encoding="utf-8",
    )
    try:
        with admin_client(target) as client:
            summary = Importer(client).run(seed, tmp_path / "report.csv")
        assert (summary.imported, summary.refused) == (0, 1)
        (refusal,) = rows_of(tmp_path / "report.csv")
        assert (refusal["line"], refusal["column"], refusal["code"]) == (
            "2",
            "editions",
            "FAILED_PRECONDITION",
        )
        assert (
            "ISO/IEC 27001:2013 has transition_deadline '2025-10-31' in the file"
            in (refusal["reason"])
        )
        assert "--standards-file" in refusal["reason"]
    finally:
        target.stop()
