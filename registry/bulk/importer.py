"""``registry import``: a file of commands replayed through a running server, in order.

Rows are read and parsed in order (``registry.bulk.rows``). Certificate rows are sent in
batches of up to ``MAX_BATCH_COMMANDS`` (and ``MAX_BATCH_BYTES``) through PublishBatch;
while one batch is on the wire, the next is read. Batches are sent one after the other,
never two at once, so commands on one certificate apply in the file's order. A batch
holds consecutive rows of one CB. A row of the directory, an accreditation or the
catalogue (``registry.bulk.reference``) is sent on its own, by its own RPC, once every
row before it is answered: so a CB is registered before its certificates, and an
accreditation granted before a transfer needs it. A ``catalogue-seed`` row is compared
with the target's catalogue as first recorded, and refused if it differs.

Who sends each row follows the access rules (``Senders``): with the admin's token, the
importer makes a short-lived token for each CB and AB it must act as (a CB sends its
certificates, an AB its accreditations, the admin the directory and the catalogue) and
revokes them all when the import ends, however it ends. With a CB's token, every row is
sent with it: rows of another CB, and reference rows, are each reported
PERMISSION_DENIED, and the others imported.

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
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import grpc
from google.protobuf.message import Message
from google.rpc import code_pb2

from registry.application.inputs import MAX_BATCH_BYTES, MAX_BATCH_COMMANDS, MAX_COMMAND_BYTES
from registry.bulk.reference import SEED, ReferenceWrite, catalogue_difference
from registry.bulk.rows import (
    Row,
    RowError,
    column_of,
    command_of,
    neutralised,
    read_csv,
    read_jsonl,
)
from registry.bulk.senders import TOKEN_NOTE, Senders
from registry.client import RegistryClient, RegistryClientError, batch_command
from registry.v1 import certificate_service_pb2 as pb
from registry.v1 import standards_service_pb2 as st_pb

BATCH_TIMEOUT = 120.0
REPORT_COLUMNS = ("line", "column", "code", "reason")
DUPLICATE = "DUPLICATE"
# Bytes a command adds to a batch beyond its own (its tag and length).
_FRAMING = 8
# An instant before any registry recorded anything: the catalogue as of it is the
# catalogue as first recorded.
BEFORE_EVERY_REGISTRY = datetime(1970, 1, 1, tzinfo=UTC)
# A row refused with one of these is reported, and the import goes on; any other error
# (the server unreachable, the token refused) stops it.
ROW_REFUSALS = frozenset(
    {
        grpc.StatusCode.INVALID_ARGUMENT,
        grpc.StatusCode.NOT_FOUND,
        grpc.StatusCode.ALREADY_EXISTS,
        grpc.StatusCode.PERMISSION_DENIED,
        grpc.StatusCode.FAILED_PRECONDITION,
        grpc.StatusCode.ABORTED,
        grpc.StatusCode.OUT_OF_RANGE,
    }
)


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
        self.unrevoked: list[str] = []  # temporary tokens the last run could not revoke

    def run(self, path: Path, report_path: Path, fmt: str | None = None) -> ImportSummary:
        """Import ``path``; refused rows go to ``report_path`` (removed if there are none)."""
        fmt = file_format(path, fmt)
        progress = Progress(total_bytes=path.stat().st_size)
        report = Report(report_path)
        senders = Senders(self.client, f"registry import {path.name[:64]}: {TOKEN_NOTE}")
        try:
            with path.open("rb") as stream, ThreadPoolExecutor(1, "import") as wire:
                run = _Run(self, wire, senders, progress, report)
                for row in read_rows(stream, fmt):
                    progress.rows += 1
                    progress.read_bytes, progress.line = row.end, row.line
                    run.add(row)
                progress.read_bytes = progress.total_bytes
                run.flush(last=True)
        finally:
            report.close()
            senders.close()
            self.unrevoked = senders.unrevoked
        if not report.count:
            report_path.unlink()
        return ImportSummary(
            progress.rows,
            progress.imported,
            progress.refused,
            report_path if report.count else None,
        )


class _Run:
    """One import under way: the batch being filled, the one on the wire (answered while
    the next is read), and the commands seen."""

    def __init__(
        self,
        importer: Importer,
        wire: ThreadPoolExecutor,
        senders: Senders,
        progress: Progress,
        report: Report,
    ) -> None:
        self.importer = importer
        self.wire = wire
        self.senders = senders
        self.progress = progress
        self.report = report
        # A digest of each command sent, by request id: a repeated row is reported as one.
        self.seen: dict[str, tuple[int, bytes]] = {}
        self.batch = _Batch()
        self.sent = _Batch()
        self.sending: Future[pb.PublishBatchResponse] | None = None
        self.catalogue: st_pb.ListStandardsResponse | None = None

    def add(self, row: Row) -> None:
        """Read ``row`` and send it: a certificate's in a batch, a reference row at once,
        after every row before it is answered."""
        command = self._command(row)
        if command is None:
            self.progress.refused += 1
        elif isinstance(command, ReferenceWrite):
            self.flush()
            self._reference(row.line, command)
        else:
            if not self.batch.fits(command) or len(self.batch.commands) >= self.importer.batch_size:
                self._answer_sent()
                self.sending, self.sent, self.batch = self._send(self.batch), self.batch, _Batch()
            self.batch.add(row.line, command)

    def flush(self, *, last: bool = False) -> None:
        """Send the batch being filled and wait for every answer (and, ``last``, tell the
        progress even if nothing was pending)."""
        self._answer_sent()
        batch, self.batch = self.batch, _Batch()
        if batch.commands:
            self._answered(batch, self._send(batch).result())
        elif batch.refused or last:
            self._answered(batch, pb.PublishBatchResponse())

    def _answer_sent(self) -> None:
        if self.sending is not None:
            self._answered(self.sent, self.sending.result())
            self.sending = None

    def _command(self, row: Row) -> pb.BatchCommand | ReferenceWrite | None:
        """The row's command, or None once its refusal is noted in the batch."""
        try:
            if isinstance(row.cells, RowError):
                raise row.cells
            written = command_of(row.cells)
            if isinstance(written, ReferenceWrite):
                command: pb.BatchCommand | ReferenceWrite = written
                request_id, digest = written.request_id, bytes.fromhex(written.digest())
            else:
                command = batch_command(written)
                if command.ByteSize() > MAX_COMMAND_BYTES:
                    raise RowError(
                        _largest(written),
                        f"the row's command is {command.ByteSize()} bytes; "
                        f"a command holds at most {MAX_COMMAND_BYTES}",
                    )
                request_id = str(getattr(written, "request_id", ""))
                digest = hashlib.sha256(command.SerializeToString(deterministic=True)).digest()
        except RowError as error:
            self.batch.refused.append((row.line, error.column, "INVALID_ARGUMENT", error.reason))
            return None
        first = self.seen.get(request_id)
        if first is not None and first[1] == digest[:16]:
            refusal = (row.line, "", DUPLICATE, f"the same command as line {first[0]}")
            self.batch.refused.append(refusal)
            return None
        self.seen.setdefault(request_id, (row.line, digest[:16]))
        return command

    def _send(self, batch: _Batch) -> Future[pb.PublishBatchResponse]:
        """Send ``batch`` as the CB it writes for (its rows refused if that cannot be)."""
        try:
            client = self.senders.client_for(f"cb:{certification_body_of(batch.commands[0])}")
        except RegistryClientError as error:
            if error.code not in ROW_REFUSALS:
                raise
            refused: Future[pb.PublishBatchResponse] = Future()
            refused.set_result(_refused(error, len(batch.commands)))
            return refused
        return self.wire.submit(_publish, client, batch.commands)

    def _reference(self, line: int, write: ReferenceWrite) -> None:
        """Send a reference row on its own (or compare a ``catalogue-seed`` row)."""
        refusal: tuple[int, str, str, str] | None = None
        try:
            if write.command is SEED:
                refusal = self._compare(line, write)
            else:
                write.send(self.senders.client_for(write.sender))
        except RegistryClientError as error:
            if error.code not in ROW_REFUSALS:
                raise
            refusal = (line, column_of(error.message), error.code.name, error.message)
        if refusal is None:
            self.progress.imported += 1
        else:
            self.progress.refused += 1
            self.report.add([refusal])
        self.importer.on_progress(self.progress)

    def _compare(self, line: int, write: ReferenceWrite) -> tuple[int, str, str, str] | None:
        """A ``catalogue-seed`` row is not sent: the target recorded its own catalogue when
        it first started; the row is refused unless that is the file's."""
        if self.catalogue is None:
            self.catalogue = self.importer.client.list_standards(as_of=BEFORE_EVERY_REGISTRY)
        difference = catalogue_difference(write.values["editions"], self.catalogue)
        if difference is None:
            return None
        return (
            line,
            "editions",
            "FAILED_PRECONDITION",
            f"the target's catalogue of standards as first recorded is not the file's: "
            f"{difference}; start the target registry with the same --standards-file as "
            "the registry the file was exported from",
        )

    def _answered(self, batch: _Batch, response: pb.PublishBatchResponse) -> None:
        progress = self.progress
        for line, result in zip(batch.lines, response.results, strict=True):
            if result.code == code_pb2.OK:
                progress.imported += 1
                continue
            progress.refused += 1
            code = code_pb2.Code.Name(result.code)
            batch.refused.append((line, column_of(result.message), code, result.message))
        self.report.add(batch.refused)
        self.importer.on_progress(progress)


def _publish(client: RegistryClient, commands: list[pb.BatchCommand]) -> pb.PublishBatchResponse:
    """The batch's answers; a batch the caller may not send (another CB's rows) is
    answered as each of its rows refused, and the import goes on."""
    try:
        return client.publish_batch(commands, timeout=BATCH_TIMEOUT)
    except RegistryClientError as error:
        if error.code is not grpc.StatusCode.PERMISSION_DENIED:
            raise
        return _refused(error, len(commands))


def _refused(error: RegistryClientError, count: int) -> pb.PublishBatchResponse:
    refused = pb.BatchResult(code=error.code.value[0], message=error.message)
    return pb.PublishBatchResponse(results=[refused] * count)


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
