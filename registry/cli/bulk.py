"""``registry import FILE`` and ``registry export``: bulk publishing and export.

Import talks to a running server (``--server``) through PublishBatch; export reads the
store directly (``--db``), as ``registry db check`` does. Exit codes of import: 0 every
row imported; 1 some rows refused (see the report) or the server unreachable; 2 the
file cannot be read at all (nothing imported).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from registry import config
from registry.bulk.importer import Importer, Progress
from registry.bulk.rows import FileFormatError
from registry.cli.commands import (
    add_tls_options,
    add_token_option,
    connect,
    int_at_least,
    iso_date,
    iso_instant,
    seconds,
)
from registry.client import DEFAULT_RETRIES, RegistryClientError

EXIT_OK, EXIT_REFUSED, EXIT_UNREADABLE = 0, 1, 2
PLAIN_EVERY_SECONDS = 2.0


class ProgressDisplay:
    """A progress bar (rows, rate, ETA) on a terminal; plain lines every few seconds
    elsewhere (a log file, a pipe). ``total`` is what is to be done, in ``unit``: bytes of
    the file for an import, rows for a supplier list; each plain line begins with
    ``label``."""

    def __init__(
        self,
        stream: IO[str],
        total: int,
        *,
        enabled: bool = True,
        label: str = "import",
        unit: str = "B",
    ) -> None:
        self.stream = stream
        self.total = total
        self.label = label
        self.enabled = enabled
        self.terminal = enabled and stream.isatty()
        self.started = time.monotonic()
        self.last_line = self.started  # the first line after a few seconds, or at the end
        self.bar: Any = None
        if self.terminal:
            from tqdm import tqdm

            self.bar = tqdm(
                total=total,
                unit=unit,
                unit_scale=unit == "B",
                file=stream,
                bar_format="{l_bar}{bar}| {postfix} [{elapsed}<{remaining}]",
            )

    def __call__(self, progress: Progress) -> None:
        self.show(
            progress.read_bytes,
            progress.rows,
            f"{progress.imported:,} imported, {progress.refused:,} refused",
        )

    def show(self, done: int, rows: int, tally: str) -> None:
        """``done`` of the total (in its unit), ``rows`` handled, and what became of them."""
        if not self.enabled:
            return
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = rows / elapsed
        if self.bar is not None:
            self.bar.set_postfix_str(f"{rows:,} rows, {rate:,.0f} rows/s", refresh=False)
            self.bar.update(done - self.bar.n)
            return
        finished = done >= self.total
        if not finished and time.monotonic() - self.last_line < PLAIN_EVERY_SECONDS:
            return
        self.last_line = time.monotonic()
        share = done / self.total if self.total else 1.0
        left = elapsed * (1 - share) / share if share else 0.0
        print(
            f"{self.label}: {rows:,} rows ({share:.0%}), {rate:,.0f} rows/s, {tally}, "
            f"ETA {left:.0f} s",
            file=self.stream,
            flush=True,
        )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def add_parsers(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "import",
        help="replay a CSV or JSON Lines file of commands through a running server",
        description="Send every row of FILE (one row, one command; columns in README) in "
        "the file's order: certificate rows through PublishBatch, directory, accreditation "
        "and catalogue rows each by its own RPC. With an admin token, each row is sent as "
        "the principal the access rules ask for (a CB, an AB), with a temporary token "
        "revoked at the end. Bad rows are reported in the error report (line, column, "
        "code, reason) and never block the good ones. Re-running after an interruption "
        "imports nothing twice.",
    )
    parser.add_argument("file", metavar="FILE", type=Path, help="a .csv or .jsonl file")
    parser.add_argument(
        "--format", choices=("csv", "jsonl"), help="default: by extension (.jsonl, else CSV)"
    )
    parser.add_argument(
        "--errors",
        type=Path,
        metavar="PATH",
        help="the error report (default FILE.errors.csv; removed when no row is refused)",
    )
    parser.add_argument(
        "--batch-size",
        type=int_at_least(1),
        default=1000,
        metavar="N",
        help="commands per PublishBatch call (at most 1000; default 1000)",
    )
    parser.add_argument(
        "--server",
        default=config.default_server(),
        metavar="HOST:PORT",
        help=f"the registry server (default ${config.SERVER_ENV} or {config.DEFAULT_ADDRESS})",
    )
    parser.add_argument(
        "--timeout", type=seconds, default=120.0, metavar="SECONDS", help="deadline per batch"
    )
    parser.add_argument("--no-progress", action="store_true", help="print no progress")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    add_token_option(parser)
    add_tls_options(parser)
    parser.set_defaults(run=run_import)

    parser = subparsers.add_parser(
        "export",
        help="write events (importable) or certificates with their status, from the store",
        description="Read the store (--db) a page at a time and write CSV or JSON Lines. "
        "--events writes one row per command, the directory's, the accreditations' and "
        "the catalogue's among the certificates', importable into an empty registry; "
        "--certificates writes each certificate with its status on --at.",
    )
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--events", action="store_true", help="the events, as import rows")
    what.add_argument(
        "--certificates", action="store_true", help="every certificate with its status on --at"
    )
    parser.add_argument(
        "--db", default=config.default_db(), help=f"the store (default ${config.DB_ENV})"
    )
    parser.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    parser.add_argument(
        "--output", "-o", type=Path, metavar="PATH", help="the file to write (default stdout)"
    )
    parser.add_argument(
        "--since", type=iso_instant, metavar="INSTANT", help="events recorded at or after"
    )
    parser.add_argument("--until", type=iso_instant, metavar="INSTANT", help="recorded before")
    parser.add_argument(
        "--at", type=iso_date, metavar="YYYY-MM-DD", help="the day of the status (default today)"
    )
    parser.set_defaults(run=run_export)


def run_import(args: argparse.Namespace) -> int:
    path: Path = args.file
    if not path.is_file():
        print(f"registry: {path}: no such file", file=sys.stderr)
        return EXIT_UNREADABLE
    report = args.errors or path.with_name(path.name + ".errors.csv")
    client = connect(args, retries=DEFAULT_RETRIES)
    display = ProgressDisplay(sys.stderr, path.stat().st_size, enabled=not args.no_progress)
    importer = Importer(client, batch_size=args.batch_size, on_progress=display)
    try:
        summary = importer.run(path, report, args.format)
    except FileFormatError as error:
        report.unlink(missing_ok=True)
        print(f"registry: {path}: {error}; nothing imported", file=sys.stderr)
        return EXIT_UNREADABLE
    except RegistryClientError as error:
        print(f"registry: {error.code.name}: {error.message}", file=sys.stderr)
        print("registry: re-run the import to resume: rows imported are not imported twice")
        return EXIT_REFUSED
    except KeyboardInterrupt:
        print("registry: interrupted; re-run the import to resume", file=sys.stderr)
        return 130
    finally:
        display.close()
        client.close()
        for token_id in importer.unrevoked:
            print(
                f"registry: could not revoke the import's token {token_id} (it expires within "
                f"a day): revoke it with `registry admin token revoke {token_id}`",
                file=sys.stderr,
            )
    if args.json:
        data = {
            "rows": summary.rows,
            "imported": summary.imported,
            "refused": summary.refused,
            "report": str(summary.report) if summary.report else None,
        }
        print(json.dumps(data))
    else:
        print(f"{summary.rows:,} rows: {summary.imported:,} imported, {summary.refused:,} refused")
        if summary.report:
            print(f"refused rows (line, column, code, reason): {summary.report}")
    return EXIT_REFUSED if summary.refused else EXIT_OK


@contextlib.contextmanager
def output_file(path: Path | None) -> Iterator[IO[str]]:
    """Where a command writes its file: ``path`` (UTF-8, newlines as written), else stdout."""
    if path is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    with path.open("w", encoding="utf-8", newline="") as stream:
        yield stream


def run_export(args: argparse.Namespace) -> int:
    from registry.application.registry import Registry
    from registry.bulk.exporter import Window, export_certificates, export_events

    app = Registry(config.persistence_env(args.db, pool_size=2), seed=False)
    try:
        with output_file(args.output) as stream:
            if args.events:
                rows = export_events(app, stream, args.format, Window(args.since, args.until))
            else:
                at = args.at or app.now().date()
                rows = export_certificates(app, stream, args.format, at)
    finally:
        app.close()
    print(f"{rows:,} rows written", file=sys.stderr)
    return EXIT_OK
