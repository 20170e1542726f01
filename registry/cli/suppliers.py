"""The supplier list of ``registry verify --file``, and its results.

In: a CSV file (UTF-8, a byte-order mark tolerated) with a header row naming
``certification_body_id`` and ``certificate_number``, and optionally ``at`` (the day
to judge, ``YYYY-MM-DD``; default the command's ``--at``, else today) and the claims
``claimed_standard``, ``claimed_organization_name``, ``claimed_site`` and
``claimed_scope``. Any other column is refused, naming it: nothing is checked then.

Out: one row per row in, in the same order: its cells, then ``verdict``, ``status``,
``accreditation_body_id``, ``failed_steps`` (each failed step's kind and reason, joined
with ``"; "``), ``code`` (``OK``, or why the row could not be checked, e.g.
``INVALID_ARGUMENT``), ``message`` and ``as_of``. Cells are formula-safe as in
``registry export`` (``registry.bulk.rows.neutralised``); cells read are ``restored``,
so a list written by this registry reads back exactly. With JSON Lines, one object a
row, ``failed_steps`` a list of ``{"kind", "reason"}``.

The rows are checked in chunks of up to ``MAX_ITEMS`` (VerifyCertificates' limit), all
as of one instant: the first chunk's, unless one is given. A row that cannot be read
(a bad day, more cells than the header) is answered without being sent.
"""

from __future__ import annotations

import argparse
import csv
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

from google.rpc import code_pb2

from registry.application.inputs import MAX_BATCH_BYTES
from registry.bulk.rows import neutralised, restored
from registry.cli import output
from registry.cli.commands import iso_date
from registry.client import RegistryClient, RegistryClientError
from registry.trust_client import verify_request
from registry.v1 import accreditation_service_pb2 as acc_pb
from registry.v1 import certificate_service_pb2 as pb

REQUIRED = ("certification_body_id", "certificate_number")
OPTIONAL = (
    "at",
    "claimed_standard",
    "claimed_organization_name",
    "claimed_site",
    "claimed_scope",
)
RESULT_COLUMNS = (
    "verdict",
    "status",
    "accreditation_body_id",
    "failed_steps",
    "code",
    "message",
    "as_of",
)
MAX_ITEMS = 1000
VERDICT_PREFIX = "VERDICT_"
STEP_PREFIX = "VERIFICATION_STEP_KIND_"
OK = "OK"
INVALID_ARGUMENT = "INVALID_ARGUMENT"
# Bytes an item adds to a request beyond its own (its tag and length).
_FRAMING = 8


class SupplierListError(Exception):
    """The file as a whole cannot be read (missing, not UTF-8 CSV, a bad header): nothing
    of it is checked."""


@dataclass(frozen=True)
class Supplier:
    """A row of the list: its cells by column, and what to send for it (None: the row
    cannot be read, ``problem`` says why)."""

    line: int
    cells: dict[str, str]
    item: acc_pb.VerifyCertificateRequest | None
    problem: str = ""


@dataclass(frozen=True)
class Result:
    """A row's answer: ``code`` ``OK`` and the ``response``, or why it was not checked."""

    code: str
    message: str = ""
    response: acc_pb.VerifyCertificateResponse | None = None
    as_of: str = ""

    @property
    def checked(self) -> bool:
        return self.code == OK


# Reading


def read(path: Path) -> tuple[tuple[str, ...], list[Supplier]]:
    """The list's columns and rows."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            return _read(stream)
    except FileNotFoundError:
        raise SupplierListError("no such file") from None
    except OSError as error:
        raise SupplierListError(str(error.strerror or error)) from None
    except UnicodeDecodeError as error:
        raise SupplierListError(f"not UTF-8 text ({error.reason} at byte {error.start})") from None


def _read(stream: IO[str]) -> tuple[tuple[str, ...], list[Supplier]]:
    reader = csv.reader(stream)
    try:
        header = next(reader, None)
        if header is None:
            raise SupplierListError(
                f"the file is empty: give a header row naming {' and '.join(REQUIRED)}"
            )
        columns = _columns(header)
        rows = [_supplier(reader.line_num, columns, cells) for cells in reader if any(cells)]
    except csv.Error as error:
        raise SupplierListError(f"line {reader.line_num}: {error}") from None
    return columns, rows


def _columns(header: Sequence[str]) -> tuple[str, ...]:
    columns = tuple(name.strip().lower() for name in header)
    unknown = [name for name in columns if name not in REQUIRED + OPTIONAL]
    if unknown:
        named = (repr(name) if name else "'' (a column with no name)" for name in unknown)
        raise SupplierListError(
            f"unknown column(s) {', '.join(named)}: the columns are "
            f"{', '.join(REQUIRED)} and optionally {', '.join(OPTIONAL)}"
        )
    repeated = sorted({name for name in columns if columns.count(name) > 1})
    if repeated:
        raise SupplierListError(f"column(s) named twice: {', '.join(repeated)}")
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise SupplierListError(f"no {' or '.join(missing)} column in the header row")
    return columns


def _supplier(line: int, columns: tuple[str, ...], row: list[str]) -> Supplier:
    cells = {name: restored(cell) for name, cell in zip(columns, row, strict=False)}
    cells = {name: cells.get(name, "") for name in columns}
    if len(row) > len(columns):
        problem = f"line {line}: {len(row)} cells, but the header names {len(columns)} columns"
        return Supplier(line, cells, None, problem)
    day: date | None = None
    if cells.get("at", "").strip():
        try:
            day = iso_date(cells["at"].strip())
        except argparse.ArgumentTypeError as error:
            return Supplier(line, cells, None, f"at: {error}")
    item = verify_request(
        cells["certification_body_id"],
        cells["certificate_number"],
        at=day,
        claimed_standard=cells.get("claimed_standard", ""),
        claimed_organization_name=cells.get("claimed_organization_name", ""),
        claimed_site=cells.get("claimed_site", ""),
        claimed_scope=cells.get("claimed_scope", ""),
    )
    return Supplier(line, cells, item)


# Checking


def check(
    client: RegistryClient,
    suppliers: Sequence[Supplier],
    *,
    at: date | None = None,
    as_of: datetime | None = None,
    chunk_size: int = MAX_ITEMS,
    timeout: float | None = None,
    on_refused: Callable[[RegistryClientError], object] = lambda error: None,
) -> Iterator[Result]:
    """Each supplier's result, in order. The chunks after the first are checked as of the
    first one's instant; a chunk refused as a whole (the server unreachable, the token
    refused) is told to ``on_refused`` and leaves it and every later row not checked."""
    stopped: Result | None = None
    for chunk in _chunks(suppliers, min(chunk_size, MAX_ITEMS)):
        items = [supplier.item for supplier in chunk if supplier.item is not None]
        answers: Iterator[Result] = iter(())
        if items and stopped is None:
            try:
                response = client.verify_certificates(items, at=at, as_of=as_of, timeout=timeout)
            except RegistryClientError as error:
                on_refused(error)
                stopped = Result(error.code.name, error.message)
            else:
                as_of = as_of or response.as_of.ToDatetime(tzinfo=UTC)
                answers = iter(_results(response))
        for supplier in chunk:
            if supplier.item is None:
                yield Result(INVALID_ARGUMENT, supplier.problem)
            elif stopped is not None:
                yield stopped
            else:
                yield next(answers)


def _chunks(suppliers: Sequence[Supplier], size: int) -> Iterator[list[Supplier]]:
    """Consecutive rows holding up to ``size`` items in at most ``MAX_BATCH_BYTES``."""
    chunk: list[Supplier] = []
    count = weight = 0
    for supplier in suppliers:
        item = supplier.item
        cost = item.ByteSize() + _FRAMING if item is not None else 0
        if item is not None and count and (count == size or weight + cost > MAX_BATCH_BYTES):
            yield chunk
            chunk, count, weight = [], 0, 0
        chunk.append(supplier)
        if item is not None:
            count, weight = count + 1, weight + cost
    if chunk:
        yield chunk


def _results(response: acc_pb.VerifyCertificatesResponse) -> list[Result]:
    as_of = output.instant(response.as_of)
    return [
        Result(
            _code_name(result.code),
            result.message,
            result.result if result.HasField("result") else None,
            as_of,
        )
        for result in response.results
    ]


def _code_name(code: int) -> str:
    return str(code_pb2.Code.Name(code))


# Writing


def verdict_name(verdict: int) -> str:
    return pb.Verdict.Name(verdict).removeprefix(VERDICT_PREFIX)


def step_name(kind: int) -> str:
    return acc_pb.VerificationStepKind.Name(kind).removeprefix(STEP_PREFIX)


def result_cells(result: Result) -> dict[str, Any]:
    """The result columns of a row; ``failed_steps`` as a list of ``(kind, reason)``."""
    response = result.response
    if response is None:
        found: dict[str, Any] = dict.fromkeys(("verdict", "status", "accreditation_body_id"), "")
        failed: list[tuple[str, str]] = []
    else:
        found = {
            "verdict": verdict_name(response.verdict),
            "status": output.status_name(response.status),
            "accreditation_body_id": response.accreditation_body_id,
        }
        failed = [(step_name(s.kind), s.reason) for s in response.steps if not s.passed]
    return {
        **found,
        "failed_steps": failed,
        "code": result.code,
        "message": result.message,
        "as_of": result.as_of,
    }


class ResultWriter:
    """Result rows to a CSV (header first, every cell neutralised) or JSON Lines."""

    def __init__(self, stream: IO[str], columns: tuple[str, ...], *, as_json: bool) -> None:
        self.stream = stream
        self.columns = columns
        self._csv = None if as_json else csv.writer(stream, lineterminator="\n")
        if self._csv is not None:
            self._csv.writerow(columns + RESULT_COLUMNS)

    def write(self, supplier: Supplier, result: Result) -> None:
        cells = result_cells(result)
        if self._csv is None:
            steps = [{"kind": kind, "reason": reason} for kind, reason in cells["failed_steps"]]
            row = {**supplier.cells, **cells, "failed_steps": steps}
            self.stream.write(json.dumps(row, ensure_ascii=False) + "\n")
            return
        failed = "; ".join(f"{kind}: {reason}" for kind, reason in cells["failed_steps"])
        values = [supplier.cells[c] for c in self.columns]
        values += [failed if c == "failed_steps" else str(cells[c]) for c in RESULT_COLUMNS]
        self._csv.writerow([neutralised(value) for value in values])
