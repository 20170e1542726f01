"""``registry export``: every event of a registry, imported into an empty one on the other
engine, reproduces every certificate's timeline; certificates with their status on a day
are what GetCertificateStatus answers."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from authority import register_in_process
from conftest import RunningServer, make_db_url

from registry import config
from registry.application.registry import Registry
from registry.application.views import CertificateRef, Organization, Site, WriteMeta
from registry.bulk.importer import Importer
from registry.bulk.rows import COMMANDS
from registry.cli.main import main
from registry.cli.output import status_name
from registry.v1 import certificate_service_pb2 as pb

D = date.fromisoformat
FORMULA = "=cmd|' /C calc'!A0"
DAYS = [D(day) for day in ("2023-06-01", "2024-01-09", "2024-01-10", "2024-06-15", "2025-01-20")]
DAYS += [D(day) for day in ("2025-02-15", "2025-03-15", "2025-04-15", "2025-05-01", "2025-07-01")]


def write(app: Registry, use_case: str, ref: tuple[str, str], day: str, **fields: Any) -> None:
    meta = WriteMeta(f"{use_case}-{ref[1]}-{day}-{len(fields)}", D(day))
    getattr(app, use_case)(CertificateRef(*ref), meta, **fields)


def issue(app: Registry, ref: tuple[str, str], day: str, expiry: str, **changes: Any) -> None:
    fields: dict[str, Any] = {
        "organization": Organization("Müller & Söhne GmbH", "DE", "Königstraße 1, Stuttgart"),
        "sites": [Site("Königstraße 1, Stuttgart", "Gears"), Site("Hafen 2, Kiel")],
        "standard": "ISO 9001:2015",
        "scope": "Design and manufacture of gears\nand shafts",
        "sector_codes": ["17", "18"],
        "expiry_date": D(expiry),
        **changes,
    }
    write(app, "issue_certificate", ref, day, **fields)


def lifecycles(app: Registry) -> list[CertificateRef]:
    """Certificates with renewals, suspensions, backdated changes, retractions, transfers,
    reasons marked confidential, accents and formula-looking text."""
    register_in_process(app, "cb-1")
    register_in_process(app, "cb-2", accredited=True)
    q1, q2, q3, n3, q4, q5 = (
        ("cb-1", "Q-1"),
        ("cb-1", "Q-2"),
        ("cb-1", "Q-3"),
        ("cb-2", "N-3"),
        ("cb-1", "Q-4"),
        ("cb-1", "Łódź/5"),
    )
    issue(app, q1, "2024-01-10", "2027-01-09")
    issue(app, q2, "2022-02-01", "2025-01-31")
    issue(app, q3, "2024-01-10", "2027-01-09")
    write(app, "record_surveillance", q1, "2025-01-05")
    review = D("2025-05-01")
    write(
        app,
        "suspend_certificate",
        q1,
        "2025-03-01",
        reason="major NC",
        review_by=review,
        confidential=True,
    )
    write(app, "reinstate_certificate", q1, "2025-04-01")
    organization = Organization("Müller & Töchter GmbH", "", "")
    write(app, "change_holder_details", q1, "2024-02-01", organization=organization)  # backdated
    write(app, "renew_certificate", q2, "2025-01-15", expiry_date=D("2028-01-31"))
    scope = {"scope": "Gears only", "sites": [Site("Hafen 2, Kiel", "Gears")], "sector_codes": []}
    write(app, "change_scope", q2, "2025-02-01", **scope)
    write(app, "retract_event", q2, "2025-02-02", version=3, reason="wrong certificate")
    write(app, "withdraw_certificate", q2, "2025-06-01", reason="closed\n=1+1")
    write(app, "record_surveillance", q3, "2025-01-05")
    write(
        app,
        "transfer_certificate",
        n3,
        "2025-05-01",
        from_certificate=CertificateRef(*q3),
        organization=Organization("Müller & Söhne GmbH", "DE", "Königstraße 1, Stuttgart"),
        sites=[],
        standard="ISO 9001:2015",
        scope="Gears",
        sector_codes=["17"],
        expiry_date=D("2027-01-09"),
    )
    write(app, "retract_event", q3, "2025-05-02", version=2, reason="audit not held")
    write(app, "record_surveillance", n3, "2025-06-01")
    issue(
        app,
        q4,
        "2024-01-10",
        "2027-01-09",
        organization=Organization(FORMULA, "NL", "'s-Hertogenbosch"),
    )
    write(app, "suspend_certificate", q4, "2024-06-01", reason="-unpaid")
    write(app, "retract_event", q4, "2024-06-02", version=2, reason="@paid after all")
    write(app, "cancel_certificate", q4, "2025-02-01", reason="+client left", confidential=True)
    issue(app, q5, "2024-01-10", "2027-01-09", standard="ISO/IEC 27001:2022")
    return [CertificateRef(*ref) for ref in (q1, q2, q3, n3, q4, q5)]


def timeline(app: Registry, refs: list[CertificateRef]) -> list[Any]:
    """Each certificate's status on each day (with its data and warnings) and its history:
    kinds, versions, effective dates, payloads, retractions (not recorded times)."""
    seen = []
    for ref in refs:
        for day in DAYS:
            status = app.get_status(ref, at=day)
            seen.append(replace(status, as_of=None, log_position=0))
        history = app.get_history(ref, limit=1000).events
        seen.append(
            [
                (e.version, e.type, e.effective_date, e.payload, e.retracted_by_version)
                for e in history
            ]
        )
    return seen


@pytest.mark.parametrize(
    ("source", "target", "file_format"),
    [("sqlite", "postgres", "csv"), ("postgres", "sqlite", "jsonl"), ("sqlite", "sqlite", "csv")],
)
def test_an_export_of_every_event_imports_into_an_empty_registry_with_the_same_timelines(
    source, target, file_format, tmp_path, request
):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    source_db = make_db_url(source, tmp_path / "a", request)
    target_db = make_db_url(target, tmp_path / "b", request)
    original = Registry(config.persistence_env(source_db))
    refs = lifecycles(original)
    exported = tmp_path / f"events.{file_format}"
    argv = ["export", "--events", "--db", source_db, "--format", file_format, "-o", str(exported)]
    assert main(argv) == 0

    copy = RunningServer.start(Registry(config.persistence_env(target_db)))
    try:
        summary = Importer(copy.client, batch_size=7).run(exported, tmp_path / "report.csv")
        assert (summary.refused, summary.report) == (0, None)
        rows = read(exported, file_format)
        assert summary.imported == summary.rows == len(rows)
        certificates = [row for row in rows if row["command"] in COMMANDS]
        assert len(certificates) == 20  # 21 events: a transfer is one row
        assert timeline(copy.app, refs) == timeline(original, refs)
        flags = [
            (e.payload.reason, e.payload.confidential)
            for ref in refs
            for e in copy.app.get_history(ref).events
            if e.type in ("Suspended", "Withdrawn", "Cancelled")
        ]
        assert flags == [
            ("major NC", True),
            ("closed\n=1+1", False),
            ("-unpaid", False),
            ("+client left", True),
        ]
        events = copy.app.summary().events
        again = Importer(copy.client).run(exported, tmp_path / "report.csv")
        assert again.imported == len(rows) and copy.app.summary().events == events
    finally:
        copy.stop()
        original.close()


def test_an_exported_csv_neutralises_formula_cells_and_reads_back_exactly(tmp_path, request):
    db = make_db_url("sqlite", tmp_path, request)
    app = Registry(config.persistence_env(db))
    lifecycles(app)
    app.close()
    exported = tmp_path / "events.csv"
    assert main(["export", "--events", "--db", db, "-o", str(exported)]) == 0
    with exported.open(encoding="utf-8", newline="") as stream:
        cells = [cell for row in csv.reader(stream) for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert "'" + FORMULA in cells and "'s-Hertogenbosch" in cells
    assert "'-unpaid" in cells and "'@paid after all" in cells
    with exported.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert [(r["command"], r["reason_confidential"]) for r in rows if r["reason"]] == [
        ("suspend", "true"),
        ("retract", ""),
        ("withdraw", "false"),
        ("retract", ""),
        ("suspend", "false"),
        ("retract", ""),
        ("cancel", "true"),
    ]


def test_events_of_a_recorded_time_window_are_exported_alone(tmp_path, request):
    db = make_db_url("sqlite", tmp_path, request)
    app = Registry(config.persistence_env(db))
    lifecycles(app)
    views = app.read_log(0, limit=100).events
    app.close()
    since, until = views[3].recorded_at, views[6].recorded_at
    exported = tmp_path / "window.jsonl"
    argv = ["export", "--events", "--db", db, "--format", "jsonl", "-o", str(exported)]
    argv += ["--since", since.isoformat(), "--until", until.isoformat()]
    assert main(argv) == 0
    rows = [json.loads(line) for line in exported.read_text(encoding="utf-8").splitlines()]
    assert [row["position"] for row in rows] == [v.global_position for v in views[3:6]]


@pytest.mark.parametrize("file_format", ["csv", "jsonl"])
def test_certificates_are_exported_with_the_status_the_server_answers_for_the_day(
    durable_db_url, file_format, tmp_path
):
    running = RunningServer.start(Registry(config.persistence_env(durable_db_url)))
    try:
        refs = lifecycles(running.app)
        for day in ("2024-06-15", "2025-05-01"):
            exported = tmp_path / f"certificates-{day}.{file_format}"
            argv = ["export", "--certificates", "--at", day, "--db", durable_db_url]
            assert main([*argv, "--format", file_format, "-o", str(exported)]) == 0
            rows = read(exported, file_format)
            assert [(r["certification_body_id"], r["certificate_number"]) for r in rows] == [
                (ref.certification_body_id, ref.certificate_number) for ref in refs
            ]
            for row in rows:
                answer = running.client.get_certificate_status(
                    row["certification_body_id"], row["certificate_number"], at=D(day)
                )
                assert row["status"] == status_name(answer.status)
                assert int(row["version"]) == answer.version
                certificate: pb.Certificate = answer.certificate
                assert row["organization_name"] == certificate.organization.name
                expiry = certificate.expiry_date
                assert row["expiry_date"] == date(expiry.year, expiry.month, expiry.day).isoformat()
                sites = row.get("sites") or []  # JSON Lines leaves empty cells out
                sites = json.loads(sites) if isinstance(sites, str) else sites
                assert [s["address"] for s in sites] == [s.address for s in certificate.sites]
                assert row.get("end_reason", "") == certificate.end_reason  # whole: the admin's
                for flag in ("suspension_reason_confidential", "end_reason_confidential"):
                    assert str(row[flag]).lower() == str(getattr(certificate, flag)).lower()
    finally:
        running.stop()


def read(path: Path, file_format: str) -> list[dict[str, Any]]:
    if file_format == "jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    from registry.bulk.rows import restored

    with path.open(encoding="utf-8", newline="") as stream:
        return [{k: restored(v) for k, v in row.items()} for row in csv.DictReader(stream)]
