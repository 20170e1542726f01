"""The bulk file format: one row, one write command; CSV with a header row, or JSON Lines.

Columns (README, "Bulk import and export"): ``command`` names the write. A certificate's
(``issue``, ``surveillance``, ``scope``, ``suspend``, ``reinstate``, ``withdraw``,
``cancel``, ``renew``, ``transfer``, ``holder``, ``retract``) has the certificate,
effective date, request id and expected version, and the fields of its command in
``registry.commands.WRITES`` (an organization is three columns, the certificate a
transfer replaces two). The directory's, the accreditations' and the catalogue's
(``cb-register``, ``accreditation-grant``, ``standard-deadline``, …) have the columns
``registry.bulk.reference`` describes, an effective date and a request id. ``position``,
``recorded_at`` and ``actor`` are written by ``registry export --events`` and ignored on
import.

Cells: dates ``YYYY-MM-DD`` (or ``YYYYMMDD``); ``sites`` a JSON array of
``{"address", "scope"}`` objects; ``sector_codes`` and ``standards`` a JSON array of
strings (or, in CSV, items separated by ``;``); ``editions`` a JSON array of ``{"code",
"edition", "title", "transition_deadline"}`` objects; ``reason_confidential`` (suspend,
withdraw, cancel: the CB marks the reason confidential) ``true`` or ``false`` (also
``yes``/``no``, ``1``/``0``, any case; empty: false). In JSON Lines, arrays are arrays,
numbers may be numbers and flags booleans.

CSV cells are safe to open in a spreadsheet: a cell that would begin with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return is written with a ``'`` before it, and so is one
that begins with ``'`` followed by one of those or by another ``'``; reading removes that
one ``'`` again, so every value reads back exactly (``neutralised`` / ``restored``). A
leading ``'`` before anything else is part of the value (``'s-Hertogenbosch``).

A row without a request id gets one made from its command: the same command always gets
the same id, so importing a file again appends nothing twice.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import IO, Any

from google.protobuf.message import Message

from registry.bulk.reference import (
    CELLS,
    EDITION_KEYS,
    MLA_STATUSES,
    REFERENCE_COMMANDS,
    Cell,
    ReferenceCommand,
    ReferenceWrite,
)
from registry.client import write_request
from registry.commands import WRITES, Field, Kind, WriteCommand
from registry.v1 import certificate_service_pb2 as pb

# A row's command → the write it is, in registry.commands.WRITES.
COMMANDS = {
    "issue": "issue",
    "surveillance": "surveil",
    "scope": "change-scope",
    "suspend": "suspend",
    "reinstate": "reinstate",
    "withdraw": "withdraw",
    "cancel": "cancel",
    "renew": "renew",
    "transfer": "transfer",
    "holder": "change-holder",
    "retract": "retract",
}
ROW_COMMANDS = {write: row for row, write in COMMANDS.items()}

REQUIRED = ("command",)
COMMON = (*REQUIRED, "certification_body_id", "certificate_number", "effective_date")
META = ("request_id", "expected_version")
# Written by export for the reader's sake; an import ignores them.
INFORMATIONAL = ("position", "recorded_at", "actor")
ORGANIZATION = ("organization_name", "organization_country", "organization_address")
FROM_CERTIFICATE = ("from_certification_body_id", "from_certificate_number")


def field_columns(field: Field) -> tuple[str, ...]:
    match field.kind:
        case Kind.ORGANIZATION:
            return ORGANIZATION
        case Kind.CERTIFICATE:
            return FROM_CERTIFICATE
    return (field.name,)


def _command_columns(command: WriteCommand) -> tuple[str, ...]:
    return tuple(column for field in command.fields for column in field_columns(field))


COMMAND_COLUMNS = {row: _command_columns(WRITES[write]) for row, write in COMMANDS.items()}
_CERTIFICATE_COLUMNS = (
    *COMMON,
    *dict.fromkeys(c for columns in COMMAND_COLUMNS.values() for c in columns),
)
COLUMNS: tuple[str, ...] = (
    *_CERTIFICATE_COLUMNS,
    *(column for column in CELLS if column not in _CERTIFICATE_COLUMNS),
    *META,
    *INFORMATIONAL,
)

_NEUTRALISED = frozenset("=+-@\t\r")
_FLAGS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
_DATE = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})")
_CSV_FIELD_LIMIT = 64 * 1024 * 1024
REQUEST_ID_PREFIX = "row-"


class FileFormatError(Exception):
    """The file as a whole cannot be read (its header): nothing of it is imported."""


@dataclass(frozen=True)
class RowError(Exception):
    """A row that is not a command: the column at fault ("" for the row) and why."""

    column: str
    reason: str

    def __str__(self) -> str:
        return f"{self.column}: {self.reason}" if self.column else self.reason


@dataclass(frozen=True)
class Row:
    """A row read from a file: the line it begins on, and its cells by column (or why
    it could not be read)."""

    line: int
    cells: Mapping[str, Any] | RowError
    end: int  # bytes of the file read so far


# Formula injection


def neutralised(value: str) -> str:
    """``value`` as a CSV cell no spreadsheet takes for a formula (see the module's doc)."""
    if value and (
        value[0] in _NEUTRALISED
        or (value[0] == "'" and len(value) > 1 and value[1] in _NEUTRALISED | {"'"})
    ):
        return "'" + value
    return value


def restored(cell: str) -> str:
    """The value a CSV cell written by ``neutralised`` stands for."""
    if len(cell) > 1 and cell[0] == "'" and cell[1] in _NEUTRALISED | {"'"}:
        return cell[1:]
    return cell


# Reading


def read_csv(stream: IO[bytes]) -> Iterator[Row]:
    """The rows of a CSV file with a header row, in order, each with its first line."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="surrogateescape", newline="")
    csv.field_size_limit(_CSV_FIELD_LIMIT)
    reader = csv.reader(text)
    try:
        header = next(reader)
    except StopIteration:
        raise FileFormatError("the file is empty: expected a header row") from None
    except csv.Error as error:
        raise FileFormatError(f"line 1: the header is not CSV: {error}") from None
    columns = _header([restored(cell).strip().lower() for cell in header])
    line = reader.line_num + 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield Row(line, RowError("", f"not CSV: {error}"), stream.tell())
            line = reader.line_num + 1
            continue
        first, line = line, reader.line_num + 1
        if not any(cell.strip() for cell in record):
            continue  # a blank line
        cells: Mapping[str, Any] | RowError
        if len(record) != len(columns):
            missing = columns[len(record)] if len(record) < len(columns) else ""
            cells = RowError(
                missing,
                f"the row has {len(record)} cells, the header {len(columns)}"
                + (" (a truncated line?)" if missing else ""),
            )
        else:
            cells = {c: restored(v) for c, v in zip(columns, record, strict=True) if v != ""}
        yield Row(first, cells, stream.tell())


def read_jsonl(stream: IO[bytes]) -> Iterator[Row]:
    """The rows of a JSON Lines file: one JSON object a line."""
    for number, raw in enumerate(stream, start=1):
        end = stream.tell()
        if not raw.strip():
            continue
        try:
            data = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as error:
            yield Row(number, RowError("", f"not valid UTF-8 at byte {error.start}"), end)
            continue
        except json.JSONDecodeError as error:
            yield Row(number, RowError("", f"not a JSON object: {error} (truncated?)"), end)
            continue
        if not isinstance(data, dict):
            yield Row(number, RowError("", "not a JSON object"), end)
            continue
        unknown = [key for key in data if key not in COLUMNS]
        if unknown:
            yield Row(number, RowError(str(unknown[0])[:64], "not a column"), end)
            continue
        yield Row(number, {k: v for k, v in data.items() if v not in (None, "", [])}, end)


def _header(columns: list[str]) -> list[str]:
    unknown = [c for c in columns if c not in COLUMNS]
    if unknown:
        raise FileFormatError(f"line 1: unknown column {unknown[0]!r}; the columns are in README")
    repeated = [c for c in columns if columns.count(c) > 1]
    if repeated:
        raise FileFormatError(f"line 1: column {repeated[0]!r} appears twice")
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise FileFormatError(f"line 1: the header lacks the column {missing[0]!r}")
    return columns


# Rows as commands


def command_of(cells: Mapping[str, Any]) -> Message | ReferenceWrite:
    """The write a row stands for: a certificate's write request, or the directory's,
    an accreditation's or the catalogue's write, with its request id (made from its
    command when the row has none); raises ``RowError`` naming the column at fault."""
    name = _text(cells, "command").strip().lower()
    if not name:
        raise RowError("command", "is required")
    reference = REFERENCE_COMMANDS.get(name)
    if reference is not None:
        return _reference_of(reference, cells)
    if name not in COMMANDS:
        if name in WRITES:
            name = ROW_COMMANDS[name]
        else:
            known = ", ".join([*COMMANDS, *REFERENCE_COMMANDS])
            raise RowError("command", f"unknown command {name[:32]!r}: one of {known}")
    _check_columns(cells, name, {*COMMON, *META, *COMMAND_COLUMNS[name]})
    write = WRITES[COMMANDS[name]]
    fields = {field.name: _field(cells, field) for field in write.fields}
    fields = {key: value for key, value in fields.items() if value is not None}
    request = write_request(
        write.name,
        _text(cells, "certification_body_id"),
        _text(cells, "certificate_number"),
        effective_date=_date(cells, "effective_date"),
        request_id="-",
        expected_version=_int(cells, "expected_version"),
        **fields,
    )
    given = _text(cells, "request_id")
    setattr(request, "request_id", given or derived_request_id(request))  # noqa: B010
    return request


def _check_columns(cells: Mapping[str, Any], name: str, allowed: set[str]) -> None:
    """Refuse a value in a column the row's command does not use; check the
    informational columns (then ignored)."""
    for column in cells:
        if column not in allowed and column not in INFORMATIONAL:
            raise RowError(column, f"not a column of a {name} row")
    for column in INFORMATIONAL:
        _text(cells, column)


def _reference_of(command: ReferenceCommand, cells: Mapping[str, Any]) -> ReferenceWrite:
    _check_columns(
        cells, command.name, {"command", "effective_date", "request_id", *command.columns}
    )
    for party in command.parties:
        if not _text(cells, party).strip():
            raise RowError(party, "is required")
    values = {column: _reference_value(cells, column) for column in command.columns}
    write = ReferenceWrite(command, values, _date(cells, "effective_date"))
    given = _text(cells, "request_id")
    return replace(write, request_id=given or REQUEST_ID_PREFIX + write.digest()[:32])


def _reference_value(cells: Mapping[str, Any], column: str) -> Any:
    match CELLS[column]:
        case Cell.DATE:
            return _date(cells, column)
        case Cell.LIST:
            return _codes(cells, column) or []
        case Cell.EDITIONS:
            return _editions(cells, column)
    text = _text(cells, column)
    if column == "mla_status" and text.strip().upper() not in MLA_STATUSES:
        raise RowError(column, f"{text[:32]!r} is not one of {', '.join(MLA_STATUSES)}")
    return text.strip().upper() if column == "mla_status" else text


def derived_request_id(request: Message) -> str:
    """The request id of a row that gives none: a digest of its command."""
    blank = type(request)()
    blank.CopyFrom(request)
    setattr(blank, "request_id", "")  # noqa: B010
    digest = hashlib.sha256(request.DESCRIPTOR.full_name.encode() + b"\0")
    digest.update(blank.SerializeToString(deterministic=True))
    return REQUEST_ID_PREFIX + digest.hexdigest()[:32]


def _field(cells: Mapping[str, Any], field: Field) -> Any:
    match field.kind:
        case Kind.ORGANIZATION:
            name, country, address = (_text(cells, c) for c in ORGANIZATION)
            if not (name or country or address):
                return None
            return pb.Organization(name=name, country=country, address=address)
        case Kind.CERTIFICATE:
            cb, number = (_text(cells, c) for c in FROM_CERTIFICATE)
            if not (cb or number):
                return None
            return pb.CertificateRef(certification_body_id=cb, certificate_number=number)
        case Kind.DATE:
            return _date(cells, field.name)
        case Kind.INT:
            return _int(cells, field.name)
        case Kind.SITES:
            return _sites(cells, field.name)
        case Kind.SECTOR_CODES:
            return _codes(cells, field.name)
        case Kind.TEXT:
            return _text(cells, field.name) or None
        case Kind.FLAG:
            return _flag(cells, field.name)


def _text(cells: Mapping[str, Any], column: str) -> str:
    value = cells.get(column, "")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise RowError(column, f"must be text, got {type(value).__name__}")
    _check_decoded(value, column)
    return value


def _check_decoded(value: str, column: str) -> None:
    """A value read with ``surrogateescape`` holds a lone surrogate where a byte was not
    UTF-8: refuse it, naming the byte."""
    for index, character in enumerate(value):
        if "\udc80" <= character <= "\udcff":
            byte = ord(character) - 0xDC00
            raise RowError(column, f"not valid UTF-8: byte 0x{byte:02X} at character {index}")


def _date(cells: Mapping[str, Any], column: str) -> date | None:
    return _day(_text(cells, column), column)


def _day(text: str, column: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    match = _DATE.fullmatch(text)
    try:
        if match:
            return date(*(int(part) for part in match.groups()))
    except ValueError:
        pass
    raise RowError(column, f"{text[:32]!r} is not a date YYYY-MM-DD")


def _int(cells: Mapping[str, Any], column: str) -> int | None:
    value = cells.get(column)
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    text = _text(cells, column).strip()
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise RowError(column, f"{text[:32]!r} is not a whole number >= 0")
    return int(text)


def _flag(cells: Mapping[str, Any], column: str) -> bool | None:
    value = cells.get(column)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = _text(cells, column).strip()
    flag = _FLAGS.get(text.lower())
    if flag is None:
        raise RowError(column, f"{text[:32]!r} is not true or false")
    return flag


def _array(cells: Mapping[str, Any], column: str) -> list[Any] | None:
    value = cells.get(column)
    if value is None or value == "":
        return None
    if isinstance(value, str):
        _check_decoded(value, column)
        try:
            value = json.loads(value)
        except json.JSONDecodeError as error:
            raise RowError(column, f"not a JSON array: {error}") from None
    if not isinstance(value, list):
        raise RowError(column, "must be a JSON array")
    return value


def _sites(cells: Mapping[str, Any], column: str) -> list[pb.Site] | None:
    values = _array(cells, column)
    if values is None:
        return None
    sites = []
    for index, value in enumerate(values):
        if isinstance(value, str):
            value = {"address": value}
        if (
            not isinstance(value, dict)
            or not set(value) <= {"address", "scope"}
            or not all(isinstance(part, str) for part in value.values())
        ):
            raise RowError(column, f"[{index}] must be an object with text address and scope")
        sites.append(pb.Site(address=value.get("address", ""), scope=value.get("scope", "")))
    return sites


def _codes(cells: Mapping[str, Any], column: str) -> list[str] | None:
    value = cells.get(column)
    if isinstance(value, str) and not value.lstrip().startswith("["):
        _check_decoded(value, column)
        return [code.strip() for code in value.split(";") if code.strip()]
    values = _array(cells, column)
    if values is None:
        return None
    if not all(isinstance(code, str) for code in values):
        raise RowError(column, "must be an array of text")
    return values


def _editions(cells: Mapping[str, Any], column: str) -> list[dict[str, Any]]:
    editions = []
    for index, value in enumerate(_array(cells, column) or []):
        if (
            not isinstance(value, dict)
            or not set(value) <= set(EDITION_KEYS)
            or not all(isinstance(value.get(key), str) for key in ("code", "edition", "title"))
            or not isinstance(value.get("transition_deadline") or "", str)
        ):
            raise RowError(
                column,
                f"[{index}] must be an object with text code, edition and title, and "
                "transition_deadline a date or null",
            )
        deadline = _day(value.get("transition_deadline") or "", f"{column}[{index}]")
        editions.append(
            {**{key: value[key] for key in EDITION_KEYS[:3]}, EDITION_KEYS[3]: deadline}
        )
    return editions


# Which column a refusal's message is about


_MESSAGE_COLUMNS = (
    ("organization.name", "organization_name"),
    ("organization.country", "organization_country"),
    ("organization.address", "organization_address"),
    ("organization", "organization_name"),
    ("from_certificate.certification_body_id", "from_certification_body_id"),
    ("from_certificate.certificate_number", "from_certificate_number"),
    ("from_certificate", "from_certificate_number"),
    ("certificate.certification_body_id", "certification_body_id"),
    ("certificate.certificate_number", "certificate_number"),
    ("event version", "event_version"),
    ("expected_version", "expected_version"),
    ("request_id", "request_id"),
    ("unknown standard", "standard"),
    *((column, column) for column in COLUMNS),
)


def column_of(message: str) -> str:
    """The column a refusal's message names first ("" when it is about the row)."""
    for prefix, column in _MESSAGE_COLUMNS:
        if message.startswith(prefix) and message[len(prefix) : len(prefix) + 1] in "[ :.":
            return column
    return ""


# Writing


class RowWriter:
    """Rows to a CSV (header first, every cell neutralised) or a JSON Lines stream (one
    object a row, empty cells left out)."""

    def __init__(self, stream: IO[str], file_format: str, columns: tuple[str, ...]) -> None:
        self.stream = stream
        self.format = file_format
        self.columns = columns
        self._csv = csv.writer(stream, lineterminator="\n") if file_format == "csv" else None
        if self._csv is not None:
            self._csv.writerow(columns)

    def write(self, row: Mapping[str, Any]) -> None:
        if self._csv is not None:
            self._csv.writerow([neutralised(_cell(row.get(c))) for c in self.columns])
            return
        data = {c: row[c] for c in self.columns if row.get(c) not in (None, "", [])}
        self.stream.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)
