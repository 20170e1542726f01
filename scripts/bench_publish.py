"""Bulk publishing: PublishBatch of 1,000 commands against one RPC per command, and
``registry import`` rows per second of a large file, on SQLite (and PostgreSQL with
--postgres DSN). Prints one table; the batch's target is at least 5x the single RPCs.

    scripts/bench --publish [--rows 100000] [--postgres postgresql://...]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from bench_auth import register

from registry import config
from registry.application.registry import Registry
from registry.bulk.importer import Importer
from registry.client import RegistryClient, batch_command, write_request
from registry.server.app import BackgroundServer
from registry.v1 import certificate_service_pb2 as pb

BATCH = 1000
TARGET_RATIO = 5.0
ORGANIZATION = pb.Organization(name="Acme GmbH", country="DE", address="1 Hauptstr, Berlin")


def issue(number: str, request_id: str) -> pb.IssueCertificateRequest:
    request = write_request(
        "issue",
        "cb-bench",
        number,
        request_id=request_id,
        organization=ORGANIZATION,
        standard="ISO 9001:2015",
        scope="Design and manufacture of widgets",
        sites=[pb.Site(address="1 Hauptstr, Berlin")],
        sector_codes=["17"],
        effective_date=date(2024, 1, 10),
        expiry_date=date(2027, 1, 9),
    )
    assert isinstance(request, pb.IssueCertificateRequest)
    return request


def per_second(count: int, seconds: float) -> float:
    return count / seconds if seconds else float("inf")


def bench_engine(name: str, db: str, rows: int, workdir: Path) -> list[tuple[str, str]]:
    app = Registry(config.persistence_env(db))
    tokens = register(app, ["cb-bench", "cb-file"])
    server = BackgroundServer(app).start()
    client = RegistryClient(f"127.0.0.1:{server.port}", timeout=600, token_source=tokens)
    try:
        started = time.perf_counter()
        for n in range(BATCH):
            client.issue_certificate(
                "cb-bench",
                f"single-{n}",
                organization=ORGANIZATION,
                standard="ISO 9001:2015",
                scope="Design and manufacture of widgets",
                sites=[pb.Site(address="1 Hauptstr, Berlin")],
                sector_codes=["17"],
                effective_date=date(2024, 1, 10),
                expiry_date=date(2027, 1, 9),
            )
        single = per_second(BATCH, time.perf_counter() - started)

        commands = [batch_command(issue(f"batch-{n}", f"batch-{n}")) for n in range(BATCH)]
        started = time.perf_counter()
        response = client.publish_batch(commands)
        batched = per_second(BATCH, time.perf_counter() - started)
        assert all(result.code == 0 for result in response.results)

        path = workdir / f"{name}.csv"
        write_file(path, rows)
        started = time.perf_counter()
        summary = Importer(client).run(path, workdir / f"{name}.errors.csv")
        imported = per_second(summary.rows, time.perf_counter() - started)
        assert summary.imported == rows, summary
        started = time.perf_counter()
        again = Importer(client).run(path, workdir / f"{name}.errors.csv")
        resumed = per_second(again.rows, time.perf_counter() - started)
    finally:
        client.close()
        server.stop()
        app.close()
    ratio = batched / single
    verdict = "PASS" if ratio >= TARGET_RATIO else "FAIL"
    return [
        ("one RPC per issue", f"{single:,.0f} writes/s"),
        (f"PublishBatch of {BATCH}", f"{batched:,.0f} writes/s"),
        ("batch / single", f"{ratio:.1f}x (target >= {TARGET_RATIO:g}x: {verdict})"),
        (f"registry import, {rows:,} rows", f"{imported:,.0f} rows/s"),
        ("the same file again (all retries)", f"{resumed:,.0f} rows/s"),
    ]


def write_file(path: Path, rows: int) -> None:
    """``rows`` rows: an issue, then a surveillance and a suspension of it, and so on."""
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(
            [
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
        )
        sites = json.dumps([{"address": "1 Hauptstr, Berlin"}])
        issue = ["Acme GmbH", "DE", "1 Hauptstr, Berlin", "ISO 9001:2015", "Widgets", sites]
        for n in range(rows):
            number = f"F-{n // 3}"
            match n % 3:
                case 0:
                    cells = ["issue", number, "2024-01-10", *issue, "17", "2027-01-09", ""]
                case 1:
                    cells = ["surveillance", number, "2025-01-05", *[""] * 9]
                case _:
                    cells = ["suspend", number, "2025-03-01", *[""] * 8, "NC"]
            writer.writerow([cells[0], "cb-file", *cells[1:]])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the import file")
    parser.add_argument("--postgres", metavar="DSN", help="also bench this PostgreSQL database")
    args = parser.parse_args(argv)
    table: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        engines = [("sqlite", f"sqlite:///{workdir / 'bench.db'}")]
        if args.postgres:
            engines.append(("postgres", args.postgres))
        for name, db in engines:
            for what, figure in bench_engine(name, db, args.rows, workdir):
                table.append((name, what, figure))
    widths = [max(len(row[i]) for row in table) for i in range(3)]
    for row in [("engine", "measure", "figure"), *table]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
