"""``registry import``: a file of commands published through PublishBatch.

Rows are read and parsed in order (``registry.bulk.rows``) and sent in batches of up to
``MAX_BATCH_COMMANDS`` (and ``MAX_BATCH_BYTES``); while one batch is on the wire, the
next is read. Batches are sent one after the other, never two at once, so commands on
one certificate apply in the file's order. A batch holds consecutive rows of one CB: a
CB may write only its own certificates, so rows of another CB than the caller's are each
reported PERMISSION_DENIED, and the others imported.

A bad row never blocks the good ones: a row that cannot be read or parsed is reported
without being sent, a row the server refuses is reported with the server's code and
message, and every other row is imported. Each row's request id is its own (given) or
made from its command, so importing the same file again, after an interruption or not,
appends nothing twice: rows already imported are answered with their first result.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import grpc
from google.protobuf.message import Message
from google.rpc import code_pb2

from registry.application.inputs import MAX_BATCH_BYTES, MAX_BATCH_COMMANDS, MAX_COMMAND_BYTES
from registry.bulk.rows import (
    Row,
    RowError,
    column_of,
    command_of,
    neutralised,
    read_csv,
    read_jsonl,
)
from registry.client import RegistryClient, RegistryClientError, batch_command
from registry.v1 import certificate_service_pb2 as pb

BATCH_TIMEOUT = 120.0
REPORT_COLUMNS = ("line", "column", "code", "reason")
DUPLICATE = "DUPLICATE"
# Bytes a command adds to a batch beyond its own (its tag and length).
_FRAMING = 8


@dataclass
class Progress:
    """Where an import stands, told to its ``on_progress`` after every batch."""

    total_bytes: int
    read_bytes: int = 0
    rows: int = 0
    imported: int = 0
    refused: int = 0
    line: int = 0


@dataclass
class ImportSummary:
    """What an import did: rows read, imported and refused (reported in ``report``)."""

    rows: int
    imported: int
    refused: int
    report: Path | None


def file_format(path: Path, given: str | None = None) -> str:
    """``csv`` or ``jsonl``: as given, else by the file's extension."""
    if given:
        return given
    return "jsonl" if path.suffix.lower() in (".jsonl", ".ndjson", ".json") else "csv"


def read_rows(stream: IO[bytes], fmt: str) -> Iterator[Row]:
    return read_csv(stream) if fmt == "csv" else read_jsonl(stream)


@dataclass
class _Batch:
    """Commands to send together, with the rows refused unsent among them (reported
    with the batch's answers, so the report is in the file's order)."""

    lines: list[int] = field(default_factory=list)
    commands: list[pb.BatchCommand] = field(default_factory=list)
    size: int = 0
    refused: list[tuple[int, str, str, str]] = field(default_factory=list)

    def fits(self, command: pb.BatchCommand) -> bool:
        """Whether ``command`` may join: a batch holds one CB's consecutive commands (each
        CB writes its own certificates, with its own token), within the batch limits."""
        if not self.commands:
            return True
        return (
            len(self.commands) < MAX_BATCH_COMMANDS
            and self.size + command.ByteSize() + _FRAMING <= MAX_BATCH_BYTES
            and certification_body_of(command) == certification_body_of(self.commands[0])
        )

    def add(self, line: int, command: pb.BatchCommand) -> None:
        self.lines.append(line)
        self.commands.append(command)
        self.size += command.ByteSize() + _FRAMING


def certification_body_of(command: pb.BatchCommand) -> str:
    """The CB whose certificate a batch command writes (a transfer: the receiving CB)."""
    kind = command.WhichOneof("command")
    return getattr(command, kind).certificate.certification_body_id if kind else ""


class Report:
    """The per-row error report: a CSV file of line, column, code and reason, written as
    rows are refused (cells neutralised like an export's)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self._file = path.open("w", encoding="utf-8", newline="")
        self._csv = csv.writer(self._file, lineterminator="\n")
        self._csv.writerow(REPORT_COLUMNS)

    def add(self, refused: list[tuple[int, str, str, str]]) -> None:
        for cells in sorted(refused):
            self.count += 1
            self._csv.writerow([neutralised(str(cell)) for cell in cells])
        self._file.flush()

    def close(self) -> None:
        self._file.close()


class Importer:
    """Imports one file through ``client``; see the module's doc."""

    def __init__(
        self,
        client: RegistryClient,
        *,
        batch_size: int = MAX_BATCH_COMMANDS,
        on_progress: Callable[[Progress], None] = lambda _: None,
    ) -> None:
        self.client = client
        self.batch_size = min(batch_size, MAX_BATCH_COMMANDS)
        self.on_progress = on_progress

    def run(self, path: Path, report_path: Path, fmt: str | None = None) -> ImportSummary:
        """Import ``path``; refused rows go to ``report_path`` (removed if there are none)."""
        fmt = file_format(path, fmt)
        progress = Progress(total_bytes=path.stat().st_size)
        report = Report(report_path)
        # A digest of each command sent, by request id: a repeated row is reported as one.
        seen: dict[str, tuple[int, bytes]] = {}
        sending: Future[pb.PublishBatchResponse] | None = None
        sent = _Batch()
        batch = _Batch()
        try:
            with path.open("rb") as stream, ThreadPoolExecutor(1, "import") as wire:
                for row in read_rows(stream, fmt):
                    progress.rows += 1
                    progress.read_bytes, progress.line = row.end, row.line
                    command = self._command(row, seen, batch)
                    if command is None:
                        progress.refused += 1
                        continue
                    if not batch.fits(command) or len(batch.commands) >= self.batch_size:
                        if sending is not None:
                            self._answered(sent, sending.result(), progress, report)
                        sending, sent, batch = self._send(wire, batch), batch, _Batch()
                    batch.add(row.line, command)
                if sending is not None:
                    self._answered(sent, sending.result(), progress, report)
                last = pb.PublishBatchResponse()
                if batch.commands:
                    last = self._send(wire, batch).result()
                progress.read_bytes = progress.total_bytes
                self._answered(batch, last, progress, report)
        finally:
            report.close()
        if not report.count:
            report_path.unlink()
        return ImportSummary(
            progress.rows,
            progress.imported,
            progress.refused,
            report_path if report.count else None,
        )

    def _command(
        self, row: Row, seen: dict[str, tuple[int, bytes]], batch: _Batch
    ) -> pb.BatchCommand | None:
        """The row's command, or None once its refusal is noted in ``batch``."""
        try:
            if isinstance(row.cells, RowError):
                raise row.cells
            request = command_of(row.cells)
            command = batch_command(request)
            if command.ByteSize() > MAX_COMMAND_BYTES:
                raise RowError(
                    _largest(request),
                    f"the row's command is {command.ByteSize()} bytes; "
                    f"a command holds at most {MAX_COMMAND_BYTES}",
                )
        except RowError as error:
            batch.refused.append((row.line, error.column, "INVALID_ARGUMENT", error.reason))
            return None
        request_id = str(getattr(request, "request_id", ""))
        digest = hashlib.sha256(command.SerializeToString(deterministic=True)).digest()[:16]
        first = seen.get(request_id)
        if first is not None and first[1] == digest:
            batch.refused.append((row.line, "", DUPLICATE, f"the same command as line {first[0]}"))
            return None
        seen.setdefault(request_id, (row.line, digest))
        return command

    def _send(self, wire: ThreadPoolExecutor, batch: _Batch) -> Future[pb.PublishBatchResponse]:
        return wire.submit(self._publish, batch.commands)

    def _publish(self, commands: list[pb.BatchCommand]) -> pb.PublishBatchResponse:
        """The batch's answers; a batch the caller may not send (another CB's rows) is
        answered as each of its rows refused, and the import goes on."""
        try:
            return self.client.publish_batch(commands, timeout=BATCH_TIMEOUT)
        except RegistryClientError as error:
            if error.code is not grpc.StatusCode.PERMISSION_DENIED:
                raise
            refused = pb.BatchResult(code=code_pb2.PERMISSION_DENIED, message=error.message)
            return pb.PublishBatchResponse(results=[refused] * len(commands))

    def _answered(
        self,
        batch: _Batch,
        response: pb.PublishBatchResponse,
        progress: Progress,
        report: Report,
    ) -> None:
        for line, result in zip(batch.lines, response.results, strict=True):
            if result.code == code_pb2.OK:
                progress.imported += 1
                continue
            progress.refused += 1
            code = code_pb2.Code.Name(result.code)
            batch.refused.append((line, column_of(result.message), code, result.message))
        report.add(batch.refused)
        self.on_progress(progress)


def _largest(request: Message) -> str:
    """The column of the request's largest text, for a row too large to send."""
    sizes: dict[str, int] = {}
    for descriptor, value in request.ListFields():
        if isinstance(value, str):
            sizes[descriptor.name] = len(value.encode("utf-8", "surrogatepass"))
        elif isinstance(value, Message):
            prefix = {"organization": "organization_", "from_certificate": "from_"}
            for part, text in value.ListFields():
                if isinstance(text, str):
                    name = prefix.get(descriptor.name, "") + part.name
                    sizes[name] = len(text.encode("utf-8", "surrogatepass"))
        elif descriptor.name in ("sites", "sector_codes"):
            sizes[descriptor.name] = sum(
                len(str(item).encode("utf-8", "surrogatepass")) for item in value
            )
    return max(sizes, key=lambda name: sizes[name]) if sizes else ""
