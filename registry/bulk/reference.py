"""The rows of the directory, the accreditations and the catalogue, each described once.

A ``ReferenceCommand`` names a row's ``command``, the event it records (what the event
is about and its type), the ``RegistryClient`` call that makes that event, and the
row's columns: the parties (``certification_body_id``, ``accreditation_body_id``), then
the event's own fields, each in the column of its name (``status`` in ``mla_status``).
``registry export --events`` writes each such event as its row; ``registry import``
makes each row its call, sent by whom the access rules ask: the admin for the directory
and the catalogue, the accreditation body itself for its accreditations.

``catalogue-seed`` is the catalogue as first recorded (``Seeded``): not a call, since a
registry records it itself when it first starts (from its ``--standards-file``); an
import compares it with the target's (``catalogue_difference``).
``CertificationBody.AccreditationLinked`` has no row: the registry records it with a
grant.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from registry.application.views import Source
from registry.v1 import standards_service_pb2 as st_pb


class Cell(enum.Enum):
    """How a reference column's cell is read."""

    TEXT = "text"
    DATE = "date"  # YYYY-MM-DD; empty: none
    LIST = "list"  # a JSON array of text (or, in CSV, items separated by ";")
    EDITIONS = "editions"  # a JSON array of {"code", "edition", "title", "transition_deadline"}


PARTIES = ("accreditation_body_id", "certification_body_id")
# The columns of reference rows, and how each is read (some are certificate rows' too).
CELLS: dict[str, Cell] = {
    "certification_body_id": Cell.TEXT,
    "accreditation_body_id": Cell.TEXT,
    "name": Cell.TEXT,
    "country": Cell.TEXT,
    "reason": Cell.TEXT,
    "mla_status": Cell.TEXT,
    "standards": Cell.LIST,
    "sector_codes": Cell.LIST,
    "expiry_date": Cell.DATE,
    "code": Cell.TEXT,
    "edition": Cell.TEXT,
    "title": Cell.TEXT,
    "designation": Cell.TEXT,
    "transition_deadline": Cell.DATE,
    "editions": Cell.EDITIONS,
}
# An event's field whose column has another name.
FIELD_COLUMNS = {"status": "mla_status"}
MLA_STATUSES = ("SIGNATORY", "SUSPENDED", "NOT_SIGNATORY")
EDITION_KEYS = ("code", "edition", "title", "transition_deadline")
ADMIN = "admin"


@dataclass(frozen=True)
class ReferenceCommand:
    """A row's command: the event it records, the client's ``call`` that makes it ("":
    none), the row's ``columns`` in order, the call's keyword for a column of another
    name, and keywords the call always gets."""

    name: str
    source: Source
    event: str
    call: str
    columns: tuple[str, ...]
    keywords: Mapping[str, str] = field(default_factory=dict)
    fixed: Mapping[str, str] = field(default_factory=dict)

    @property
    def parties(self) -> tuple[str, ...]:
        return tuple(column for column in self.columns if column in PARTIES)


def _body(kind: str, source: Source, party: str) -> tuple[ReferenceCommand, ...]:
    as_body = {party: "body_id"}
    return (
        ReferenceCommand(
            f"{kind}-register",
            source,
            "Registered",
            f"register_{source.value}",
            (party, "name", "country"),
        ),
        ReferenceCommand(
            f"{kind}-change",
            source,
            "DetailsChanged",
            "change_body_details",
            (party, "name", "country"),
            as_body,
            {"kind": kind},
        ),
        ReferenceCommand(
            f"{kind}-deactivate",
            source,
            "Deactivated",
            "deactivate_body",
            (party, "reason"),
            as_body,
            {"kind": kind},
        ),
    )


def _accreditation(verb: str, event: str, call: str, *own: str) -> ReferenceCommand:
    return ReferenceCommand(
        f"accreditation-{verb}", Source.ACCREDITATION, event, call, (*PARTIES, *own)
    )


_SCOPE = ("standards", "sector_codes")
SEED = ReferenceCommand("catalogue-seed", Source.CATALOGUE, "Seeded", "", ("editions",))
REFERENCE_COMMANDS: dict[str, ReferenceCommand] = {
    command.name: command
    for command in (
        *_body("cb", Source.CERTIFICATION_BODY, "certification_body_id"),
        *_body("ab", Source.ACCREDITATION_BODY, "accreditation_body_id"),
        ReferenceCommand(
            "ab-mla",
            Source.ACCREDITATION_BODY,
            "MlaStatusRecorded",
            "record_mla_status",
            ("accreditation_body_id", "mla_status"),
            {"mla_status": "status"},
        ),
        _accreditation("grant", "Granted", "grant_accreditation", *_SCOPE, "expiry_date"),
        _accreditation("regrant", "Regranted", "grant_accreditation", *_SCOPE, "expiry_date"),
        _accreditation("scope", "ScopeChanged", "change_accreditation_scope", *_SCOPE),
        _accreditation("suspend", "Suspended", "suspend_accreditation", "reason"),
        _accreditation("reinstate", "Reinstated", "reinstate_accreditation"),
        _accreditation("withdraw", "Withdrawn", "withdraw_accreditation", "reason"),
        SEED,
        ReferenceCommand(
            "standard-add",
            Source.CATALOGUE,
            "EditionAdded",
            "add_standard_edition",
            ("code", "edition", "title", "transition_deadline"),
        ),
        ReferenceCommand(
            "standard-deadline",
            Source.CATALOGUE,
            "TransitionDeadlineSet",
            "set_transition_deadline",
            ("designation", "transition_deadline"),
        ),
    )
}
BY_EVENT = {(c.source, c.event): c for c in REFERENCE_COMMANDS.values()}


@dataclass(frozen=True)
class ReferenceWrite:
    """A reference row read: its command, its values by column (empty text or list, or
    None for a date, when not given), its effective date and request id."""

    command: ReferenceCommand
    values: Mapping[str, Any]
    effective_date: date | None
    request_id: str = ""

    @property
    def sender(self) -> str:
        """The principal that sends it: the accreditation body for its accreditation, the
        admin for the rest."""
        if self.command.source is Source.ACCREDITATION:
            return f"ab:{self.values['accreditation_body_id']}"
        return ADMIN

    def digest(self) -> str:
        """A digest of the command (its request id left out)."""
        body = {
            "command": self.command.name,
            "values": self.values,
            "effective_date": self.effective_date,
        }
        text = json.dumps(body, sort_keys=True, default=str, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()

    def send(self, client: Any) -> Any:
        """Make the call on ``client`` (a ``RegistryClient``); its response."""
        keywords = {
            self.command.keywords.get(column, column): value
            for column, value in self.values.items()
        }
        call = getattr(client, self.command.call)
        return call(
            **keywords,
            **self.command.fixed,
            effective_date=self.effective_date,
            request_id=self.request_id,
        )


def column_of_field(name: str) -> str:
    return FIELD_COLUMNS.get(name, name)


def catalogue_difference(
    editions: Sequence[Mapping[str, Any]], target: st_pb.ListStandardsResponse
) -> str | None:
    """How the catalogue a ``catalogue-seed`` row holds differs from the target's as first
    recorded, naming the first edition that differs (None: they are the same)."""
    theirs = {edition.designation: _edition(edition) for edition in target.editions}
    ours = {f"{e['code']}:{e['edition']}": e for e in editions}
    for designation, edition in ours.items():
        other = theirs.get(designation)
        if other is None:
            return f"{designation} is in the file's catalogue, not in the target's"
        for key in EDITION_KEYS:
            if edition.get(key) != other[key]:
                return (
                    f"{designation} has {key} {_shown(edition.get(key))} in the file, "
                    f"{_shown(other[key])} in the target"
                )
    for designation in theirs:
        if designation not in ours:
            return f"{designation} is in the target's catalogue, not in the file's"
    return None


def _edition(edition: st_pb.StandardEdition) -> dict[str, Any]:
    deadline = edition.transition_deadline
    return {
        "code": edition.code,
        "edition": edition.edition,
        "title": edition.title,
        "transition_deadline": (
            date(deadline.year, deadline.month, deadline.day)
            if edition.HasField("transition_deadline")
            else None
        ),
    }


def _shown(value: Any) -> str:
    if value is None:
        return "none"
    return repr(value.isoformat() if isinstance(value, date) else value)
