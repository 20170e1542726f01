"""``registry import`` over the wire: a hostile file's bad rows are reported with their
line and column, its good rows imported, and nothing is imported twice on a re-run."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from conftest import RunningServer, certificate_events, issue_default

from registry import config
from registry.application.registry import Registry
from registry.bulk.importer import Importer, Progress
from registry.bulk.rows import neutralised, restored
from registry.cli.main import main
from registry.v1 import certificate_service_pb2 as pb
from registry.v1 import directory_service_pb2 as dir_pb

HEADER = [
    "command",
    "certification_body_id",
    "certificate_number",
    "effective_date",
    "organization_name",
    "organization_country",
    "organization_address",
    "standard",
    "scope",
    "sites",
    "sector_codes",
    "expiry_date",
    "reason",
]
FORMULA = "=cmd|' /C calc'!A0"


def issue_row(number: str, **changes: str) -> list[str]:
    cells = {
        "command": "issue",
        "certification_body_id": "cb-1",
        "certificate_number": number,
        "effective_date": "2024-01-10",
        "organization_name": "Société Générale de Test",
        "organization_country": "FR",
        "organization_address": "1 rue de la Paix, Paris",
        "standard": "ISO 9001:2015",
        "scope": "Widgets",
        "sites": json.dumps([{"address": "1 rue de la Paix, Paris", "scope": "Widgets"}]),
        "sector_codes": "17;19",
        "expiry_date": "20270109",  # CertSearch's YYYYMMDD is read too
        "reason": "",
        **changes,
    }
    return [cells[column] for column in HEADER]


def row(command: str, number: str, day: str, reason: str = "") -> list[str]:
    cells = dict.fromkeys(HEADER, "")
    cells.update(
        command=command,
        certification_body_id="cb-1",
        certificate_number=number,
        effective_date=day,
        reason=reason,
    )
    return [cells[column] for column in HEADER]


def csv_bytes(rows: list[list[str]], header: list[str] = HEADER) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return text.getvalue().encode("utf-8")


def hostile_file(path: Path) -> Path:
    """Lines 2 to 9 as commented; line 10 has a byte that is not UTF-8; line 11 is cut."""
    body = csv_bytes(
        [
            issue_row("Q-1"),  # 2: good
            issue_row("Q-9", effective_date="2024-02-30"),  # 3: no such day
            issue_row("Q-8", standard="ISO 0000:1900"),  # 4: unknown standard
            issue_row("Q-1"),  # 5: the same as line 2
            issue_row("Q-2", organization_name=FORMULA),  # 6: good, formula-looking
            issue_row("Q-7", scope="x" * (10 * 1024 * 1024)),  # 7: a 10 MB field
            row("suspend", "Q-1", "2025-03-01", "major NC"),  # 8: good
            row("surveillance", "Q-404", "2025-01-05"),  # 9: no such certificate
        ]
    )
    bad_byte = csv_bytes([issue_row("Q-6", organization_address="Stra\x00e")])
    bad_byte = bad_byte.split(b"\n", 1)[1].replace(b"Stra\x00e", b"Stra\xdfe")  # Latin-1 ß
    path.write_bytes(body + bad_byte + b"suspend,cb-1,Q-2,2025-0")
    return path


@pytest.fixture
def running(durable_db_url: str) -> Iterator[RunningServer]:
    server = RunningServer.start(Registry(config.persistence_env(durable_db_url)))
    yield server
    server.stop()


def stored_events(running: RunningServer) -> int:
    return certificate_events(running)


def report_rows(path: Path) -> list[tuple[int, str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    return [(int(r["line"]), restored(r["column"]), r["code"]) for r in rows]


def test_every_bad_row_of_a_hostile_file_is_reported_and_every_good_row_imported(running, tmp_path):
    source = hostile_file(tmp_path / "upload.csv")
    report = tmp_path / "report.csv"
    summary = Importer(running.client, batch_size=3).run(source, report)

    assert report_rows(report) == [
        (3, "effective_date", "INVALID_ARGUMENT"),
        (4, "standard", "INVALID_ARGUMENT"),
        (5, "", "DUPLICATE"),
        (7, "scope", "INVALID_ARGUMENT"),
        (9, "", "NOT_FOUND"),
        (10, "organization_address", "INVALID_ARGUMENT"),
        (11, "organization_name", "INVALID_ARGUMENT"),
    ]
    text = report.read_text(encoding="utf-8")
    assert "byte 0xDF" in text and "the same command as line 2" in text
    assert "truncated" in text
    assert (summary.rows, summary.imported, summary.refused) == (10, 3, 7)
    client = running.client
    assert client.get_certificate_status("cb-1", "Q-1").version == 2
    q2 = client.get_certificate_status("cb-1", "Q-2").certificate
    assert q2.organization.name == FORMULA
    assert list(q2.sector_codes) == ["17", "19"]
    assert [site.scope for site in q2.sites] == ["Widgets"]


def test_importing_the_file_again_imports_nothing_twice(running, tmp_path):
    source = hostile_file(tmp_path / "upload.csv")
    first = Importer(running.client).run(source, tmp_path / "first.csv")
    count = stored_events(running)
    again = Importer(running.client).run(source, tmp_path / "again.csv")
    assert (again.imported, again.refused) == (first.imported, first.refused)
    assert stored_events(running) == count
    assert report_rows(tmp_path / "again.csv") == report_rows(tmp_path / "first.csv")


class Interrupted(Exception):
    pass


def test_an_import_interrupted_mid_file_resumes_without_appending_twice(running, tmp_path):
    rows = [issue_row(f"Q-{n}") for n in range(10)]
    rows += [row("surveillance", f"Q-{n}", "2025-01-05") for n in range(10)]
    source = tmp_path / "upload.csv"
    source.write_bytes(csv_bytes(rows))

    def stop_after_two_batches(progress: Progress) -> None:
        if progress.imported >= 8:
            raise Interrupted

    with pytest.raises(Interrupted):
        Importer(running.client, batch_size=4, on_progress=stop_after_two_batches).run(
            source, tmp_path / "report.csv"
        )
    assert 0 < stored_events(running) < 20
    summary = Importer(running.client, batch_size=4).run(source, tmp_path / "report.csv")
    assert (summary.imported, summary.refused) == (20, 0)
    assert stored_events(running) == 20
    for n in range(10):
        kinds = [e.type for e in running.client.iter_certificate_history("cb-1", f"Q-{n}")]
        assert kinds == [
            pb.CERTIFICATE_EVENT_TYPE_ISSUED,
            pb.CERTIFICATE_EVENT_TYPE_SURVEILLANCE_PASSED,
        ]


def test_a_column_the_header_lacks_refuses_only_the_rows_that_need_it(running, tmp_path):
    issue_default(running.client, "Q-5")

    def without_expiry(cells: list[str]) -> list[str]:
        return [c for c, name in zip(cells, HEADER, strict=True) if name != "expiry_date"]

    source = tmp_path / "upload.csv"
    source.write_bytes(
        csv_bytes(
            [
                without_expiry(issue_row("Q-1")),
                without_expiry(row("suspend", "Q-5", "2025-03-01", "NC")),
            ],
            without_expiry(HEADER),
        )
    )
    summary = Importer(running.client).run(source, tmp_path / "report.csv")
    assert report_rows(tmp_path / "report.csv") == [(2, "expiry_date", "INVALID_ARGUMENT")]
    assert summary.imported == 1
    assert running.client.get_certificate_status("cb-1", "Q-5").version == 2


def test_a_json_lines_file_imports_like_its_csv(running, tmp_path):
    lines = [
        {
            "command": "issue",
            "certification_body_id": "cb-1",
            "certificate_number": "Q-1",
            "effective_date": "2024-01-10",
            "organization_name": "Łódź Widgets",
            "organization_country": "PL",
            "organization_address": "ul. Piotrkowska 1",
            "standard": "ISO 9001:2015",
            "scope": "Widgets",
            "sites": [{"address": "ul. Piotrkowska 1"}],
            "sector_codes": ["17"],
            "expiry_date": "2027-01-09",
        },
        {"command": "renew", "certification_body_id": "cb-1", "certificate_number": "Q-1"},
        {"command": "surveillance", "certification_body_id": "cb-1", "certificate_number": "Q-1"}
        | {"effective_date": "2025-01-05", "expected_version": 1},
    ]
    source = tmp_path / "upload.jsonl"
    source.write_text(
        "\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + '\n{"command": "iss',
        encoding="utf-8",
    )
    summary = Importer(running.client).run(source, tmp_path / "report.csv")
    assert report_rows(tmp_path / "report.csv") == [
        (2, "expiry_date", "INVALID_ARGUMENT"),
        (4, "", "INVALID_ARGUMENT"),
    ]
    assert summary.imported == 2
    status = running.client.get_certificate_status("cb-1", "Q-1")
    assert (status.version, status.certificate.organization.name) == (2, "Łódź Widgets")


def test_the_command_line_reports_refused_rows_and_exits_1(running, tmp_path, capsys, monkeypatch):
    source = hostile_file(tmp_path / "upload.csv")
    monkeypatch.setenv("REGISTRY_TOKEN", running.authority.cb_token("cb-1"))
    code = main(["import", str(source), "--server", f"127.0.0.1:{running.port}", "--json"])
    out, err = capsys.readouterr()
    summary = json.loads(out)
    assert code == 1
    assert (summary["imported"], summary["refused"]) == (3, 7)
    assert summary["report"] == str(tmp_path / "upload.csv.errors.csv")
    assert "rows/s" in err and "ETA" in err  # plain progress lines: stderr is no terminal


def test_a_file_with_an_unknown_column_is_refused_whole(running, tmp_path, capsys):
    source = tmp_path / "upload.csv"
    source.write_bytes(csv_bytes([[*issue_row("Q-1"), "x"]], [*HEADER, "colour"]))
    assert main(["import", str(source), "--server", f"127.0.0.1:{running.port}"]) == 2
    assert "unknown column 'colour'" in capsys.readouterr().err
    assert stored_events(running) == 0


@pytest.mark.parametrize(
    "value",
    [FORMULA, "+1", "-1", "@SUM(A1)", "\tx", "\rx", "'=x", "''", "'", "'s-Hertogenbosch", "a"],
)
def test_a_neutralised_cell_reads_back_as_the_value_and_never_begins_a_formula(value):
    cell = neutralised(value)
    assert restored(cell) == value
    assert not cell or cell[0] not in "=+-@\t\r"


def test_the_reason_confidential_column_marks_a_reason_confidential(running, tmp_path):
    header = [*HEADER, "reason_confidential"]
    issues = [[*issue_row(number), ""] for number in ("Q-1", "Q-2", "Q-3", "Q-4")]
    source = tmp_path / "upload.csv"
    source.write_bytes(
        csv_bytes(
            [
                *issues,
                [*row("suspend", "Q-1", "2025-03-01", "fraud inquiry"), "true"],  # 6
                [*row("withdraw", "Q-2", "2025-03-01", "misuse of the mark"), "False"],
                [*row("cancel", "Q-3", "2025-03-01", "client insolvent"), "YES"],
                [*row("cancel", "Q-4", "2025-03-01", "end of contract"), "maybe"],  # 9
                [*row("surveillance", "Q-4", "2025-01-05"), "true"],  # 10: not its column
            ],
            header,
        )
    )
    summary = Importer(running.client).run(source, tmp_path / "report.csv")
    assert report_rows(tmp_path / "report.csv") == [
        (9, "reason_confidential", "INVALID_ARGUMENT"),
        (10, "reason_confidential", "INVALID_ARGUMENT"),
    ]
    assert summary.imported == 7
    admin = running.authority.admin

    def flags(number: str, day: str = "2025-03-02") -> tuple[bool, bool]:
        certificate = admin.get_certificate_status("cb-1", number, at=date.fromisoformat(day))
        return (
            certificate.certificate.suspension_reason_confidential,
            certificate.certificate.end_reason_confidential,
        )

    assert [flags(number) for number in ("Q-1", "Q-2", "Q-3", "Q-4")] == [
        (True, False),
        (False, False),
        (False, True),
        (False, False),
    ]


def test_a_row_without_the_flag_keeps_its_request_id_and_imports_once(running, tmp_path):
    """Files written before the column existed import again without appending twice."""
    rows = [issue_row("Q-1"), row("suspend", "Q-1", "2025-03-01", "major NC")]
    old = tmp_path / "old.csv"
    old.write_bytes(csv_bytes(rows))
    assert Importer(running.client).run(old, tmp_path / "report.csv").imported == 2
    events = stored_events(running)
    new = tmp_path / "new.csv"
    issued, suspended = rows
    new.write_bytes(
        csv_bytes([[*issued, ""], [*suspended, "false"]], [*HEADER, "reason_confidential"])
    )
    assert Importer(running.client).run(new, tmp_path / "report.csv").imported == 2
    assert stored_events(running) == events


def test_directory_and_accreditation_rows_are_sent_in_order_each_as_whom_it_needs(
    running, tmp_path
):
    header = ["command", "accreditation_body_id", "certification_body_id", "name", "country"]
    header += ["mla_status", "standards", "expiry_date", "effective_date"]
    grant = ["accreditation-grant", "ab-x", "cb-1", "", "", "", "ISO 9001:2015;ISO 14001:2015"]
    source = tmp_path / "directory.csv"
    source.write_bytes(
        csv_bytes(
            [
                ["ab-register", "ab-x", "", "Accreditation X", "GB", "", "", "", "2020-01-01"],
                ["ab-mla", "ab-x", "", "", "", "signatory", "", "", "2020-01-01"],
                ["ab-mla", "ab-x", "", "", "", "MAYBE", "", "", "2020-01-01"],  # 4
                ["accreditation-grant", "", "cb-1", "", "", "", "ISO 9001:2015", "", ""],  # 5
                [*grant, "2027-12-31", "2023-01-01"],  # 6: sent by ab-x
                ["ab-register", "ab-x", "", "Accreditation X", "GB", "", "", "", "2020-01-01"],
                ["accreditation-grant", "ab-y", *grant[2:], "2027-12-31", "2023-01-01"],  # 8
            ],
            header,
        )
    )
    summary = Importer(running.client).run(source, tmp_path / "report.csv")
    assert report_rows(tmp_path / "report.csv") == [
        (4, "mla_status", "INVALID_ARGUMENT"),
        (5, "accreditation_body_id", "INVALID_ARGUMENT"),
        (7, "", "DUPLICATE"),
        (8, "", "NOT_FOUND"),  # no AB ab-y to send it as
    ]
    assert (summary.imported, summary.refused) == (3, 4)
    admin = running.authority.admin
    answer = admin.get_accreditation("ab-x", "cb-1", at=date(2024, 1, 1))
    assert list(answer.accreditation.standards) == ["ISO 9001:2015", "ISO 14001:2015"]
    body = admin.get_accreditation_body("ab-x", at=date(2024, 1, 1))
    assert body.mla_status == dir_pb.MLA_STATUS_SIGNATORY
    events = running.app.read_log_views(0, 1000).events
    assert [(e.type, e.actor) for e in events if e.accreditation_body_id == "ab-x"] == [
        ("Registered", "admin"),
        ("MlaStatusRecorded", "admin"),
        ("Granted", "ab:ab-x"),
    ]
