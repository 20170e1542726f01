"""How the client subcommands print answers: aligned plain-text tables, or JSON.

JSON is the proto3 JSON mapping of the response (field names as in the
.proto, every field present, int64 as strings); writes add ``request_id``.
A history's events are plain JSON instead: numbers as numbers, dates as
``YYYY-MM-DD``, the payload as an object named by the event's kind; so are the
feed's items (``registry follow``), one object a line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from google.protobuf import timestamp_pb2
from google.protobuf.json_format import MessageToDict
from google.protobuf.message import Message
from google.type import date_pb2

from registry.v1 import audit_service_pb2 as apb
from registry.v1 import certificate_service_pb2 as pb
from registry.v1 import reference_events_pb2 as rpb

STATUS_PREFIX = "CERTIFICATE_STATUS_"
WARNING_PREFIX = "CERTIFICATE_WARNING_"
EVENT_TYPE_PREFIX = "CERTIFICATE_EVENT_TYPE_"
_BARE = re.compile(r"[\w.:@/+,-]+")


def to_dict(message: Message) -> dict[str, Any]:
    return MessageToDict(
        message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )


def dumps(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


# Cells


def label(certificate: pb.CertificateRef) -> str:
    return f"{certificate.certification_body_id}/{certificate.certificate_number}"


def day(value: date_pb2.Date) -> str:
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def instant(value: timestamp_pb2.Timestamp) -> str:
    return value.ToJsonString()


def status_name(status: int) -> str:
    return pb.CertificateStatus.Name(status).removeprefix(STATUS_PREFIX)


def warning_name(warning: int) -> str:
    return pb.CertificateWarning.Name(warning).removeprefix(WARNING_PREFIX)


def subject(event: Message) -> str:
    """What a log event is about: ``CB/NUMBER``, ``accreditation AB→CB``, ``CB cb-1``,
    ``AB ab-1``, ``catalogue``."""
    if isinstance(event, pb.CertificateEvent):
        return label(event.certificate)
    if isinstance(event, rpb.AccreditationEvent):
        return f"accreditation {event.accreditation_body_id}→{event.certification_body_id}"
    if isinstance(event, rpb.DirectoryEvent):
        body = "CB" if event.body_kind == rpb.BODY_KIND_CERTIFICATION_BODY else "AB"
        return f"{body} {event.body_id}"
    return "catalogue"


def type_name(event: Any) -> str:
    """A log event's type as its kind: ``SurveillancePassed``, ``Granted``, ``Seeded``."""
    if isinstance(event, pb.CertificateEvent):
        return event_type_name(event.type)
    enum = event.DESCRIPTOR.fields_by_name["type"].enum_type
    assert enum is not None
    name = enum.values_by_number[event.type].name
    prefix = re.sub(r"(?<!^)(?=[A-Z])", "_", enum.name).upper() + "_"
    return "".join(word.capitalize() for word in name.removeprefix(prefix).split("_"))


def log_events(response: Any) -> list[Any]:
    """A ListEvents page's events of every kind, in log order."""
    events = [*response.events, *response.accreditation_events, *response.directory_events]
    return sorted(events, key=lambda event: event.global_position)


def event_type_name(event_type: int) -> str:
    """``CERTIFICATE_EVENT_TYPE_SURVEILLANCE_PASSED`` as ``SurveillancePassed``."""
    name = pb.CertificateEventType.Name(event_type).removeprefix(EVENT_TYPE_PREFIX)
    return "".join(word.capitalize() for word in name.split("_"))


def plain(message: Message) -> dict[str, Any]:
    """A message as plain JSON values: int64 as numbers, dates as ``YYYY-MM-DD``,
    timestamps as RFC 3339, enums by name, unset fields as null; of a ``oneof``,
    only the member that is set, under its own name."""
    data: dict[str, Any] = {}
    for field in message.DESCRIPTOR.fields:
        oneof = field.containing_oneof
        # protoc names the oneof of a proto3 ``optional`` field ``_NAME``: not a real one.
        if (
            oneof is not None
            and oneof.name != f"_{field.name}"
            and message.WhichOneof(oneof.name) != field.name
        ):
            continue
        enum = field.enum_type
        names = {v.number: v.name for v in enum.values} if enum is not None else None
        value = getattr(message, field.name)
        if field.is_repeated:
            data[field.name] = [_plain_value(item, names) for item in value]
        elif field.has_presence and not message.HasField(field.name):
            data[field.name] = None
        else:
            data[field.name] = _plain_value(value, names)
    return data


def _plain_value(value: Any, enum_names: Mapping[int, str] | None) -> Any:
    if isinstance(value, date_pb2.Date):
        return day(value)
    if isinstance(value, timestamp_pb2.Timestamp):
        return instant(value)
    if isinstance(value, Message):
        return plain(value)
    if enum_names is not None:
        return enum_names.get(value, value)
    return value


def summary(event: Message) -> str:
    """An event's payload on one line: ``key=value`` in field order, empty values left
    out, nested fields as ``outer.inner``, certificates as ``CB/NUMBER``, sites counted.
    A reason the CB marked confidential is followed by ``(confidential)``, or shown as
    ``reason=(withheld)`` to a reader not told it."""
    kind = event.WhichOneof("payload")
    if kind is None:
        return ""
    data = plain(getattr(event, kind))
    confidential = data.pop("reason_confidential", False)
    cells = []
    if confidential and not data.get("reason"):
        cells.append("reason=(withheld)")
    for name, value in _flatten(data):
        cells.append(f"{name}={_cell(value)}")
        if name == "reason" and confidential:
            cells.append("(confidential)")
    return " ".join(cells)


def _flatten(data: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    flat: list[tuple[str, Any]] = []
    for name, value in data.items():
        if value in ("", None, []):
            continue
        if name == "sites":
            flat.append((prefix + name, len(value)))
        elif isinstance(value, dict) and "certificate_number" in value:
            flat.append(
                (prefix + name, f"{value['certification_body_id']}/{value['certificate_number']}")
            )
        elif isinstance(value, dict):
            flat += _flatten(value, f"{prefix}{name}.")
        elif isinstance(value, list) and any(isinstance(item, dict) for item in value):
            flat.append((prefix + name, len(value)))
        elif isinstance(value, list):
            flat.append((prefix + name, ",".join(str(item) for item in value)))
        else:
            flat.append((prefix + name, value))
    return flat


def _cell(value: Any) -> str:
    text = str(value)
    if _BARE.fullmatch(text):
        return text
    return json.dumps(text, ensure_ascii=False)


# Layouts


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """Columns padded to their widest cell, two spaces apart."""
    lines = [list(header), *(list(row) for row in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )


def pairs(rows: Iterable[tuple[str, str]]) -> str:
    """``name  value`` lines with the values aligned."""
    rows = list(rows)
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name.ljust(width)}  {value}".rstrip() for name, value in rows)


# Answers


def written(
    certificate: str,
    response: Message,
    request_id: str,
    *,
    replaced: str | None = None,
    subject: str = "certificate",
    as_json: bool,
) -> str:
    """A write's answer; a transfer's also names the ``replaced`` certificate and its
    new version (``from_version``). ``subject`` names what was written (a certificate,
    a certification body, an accreditation, …), ``certificate`` which one."""
    data = to_dict(response)
    data["request_id"] = request_id
    if as_json:
        return dumps(data)
    rows = [
        (subject, certificate),
        ("version", str(data["version"])),
        ("recorded at", str(data["recorded_at"])),
    ]
    if replaced is not None:
        rows += [("replaced", replaced), ("replaced version", str(data["from_version"]))]
    rows.append(("request id", request_id))
    return pairs(rows)


def status(certificate: str, response: pb.GetCertificateStatusResponse, *, as_json: bool) -> str:
    if as_json:
        return dumps(to_dict(response))
    warnings = ", ".join(warning_name(w) for w in response.warnings) or "none"
    rows = [
        ("certificate", certificate),
        ("status", status_name(response.status)),
        ("on", day(response.at)),
        ("as of", instant(response.as_of)),
        ("log position", str(response.log_position)),
        ("version", str(response.version)),
        ("warnings", warnings),
    ]
    if response.HasField("certificate"):
        rows += _certificate_rows(response.certificate)
    return pairs(rows)


def _certificate_rows(certificate: pb.Certificate) -> list[tuple[str, str]]:
    organization = certificate.organization
    rows = [
        ("holder", organization.name),
        ("country", organization.country),
        ("address", organization.address),
        ("standard", certificate.standard),
        ("scope", certificate.scope),
    ]
    rows += [
        ("site", f"{site.address} | {site.scope}" if site.scope else site.address)
        for site in certificate.sites
    ]
    rows.append(("sector codes", ", ".join(certificate.sector_codes)))
    rows += [
        (name, day(getattr(certificate, field)))
        for name, field in (
            ("first issued", "original_issue_date"),
            ("cycle from", "cycle_effective_date"),
            ("expires", "expiry_date"),
            ("last audit", "last_audit_date"),
            ("suspended since", "suspended_since"),
        )
        if certificate.HasField(field)
    ]
    rows += _reason_row(certificate, "suspension")
    if certificate.HasField("suspension_review_by"):
        rows.append(("review by", day(certificate.suspension_review_by)))
    if certificate.HasField("ended_on"):
        rows.append(("ended on", day(certificate.ended_on)))
    rows += _reason_row(certificate, "end")
    if certificate.HasField("transferred_to"):
        rows.append(("transferred to", label(certificate.transferred_to)))
    if certificate.HasField("replaces"):
        rows.append(("replaces", label(certificate.replaces)))
    return rows


def _reason_row(certificate: Any, which: str) -> list[tuple[str, str]]:
    """The ``which`` ("suspension", "end") reason's row of a status, if it has one."""
    text = getattr(certificate, f"{which}_reason")
    withheld = getattr(certificate, f"{which}_reason_withheld")
    if not (text or withheld):
        return []
    confidential = getattr(certificate, f"{which}_reason_confidential")
    return [(f"{which} reason", _reason(text, confidential=confidential, withheld=withheld))]


def _reason(reason: str, *, confidential: bool, withheld: bool) -> str:
    """A reason as a status shows it: ``(withheld)`` when the CB marked it confidential
    and the reader may not read it, else the reason, marked ``(confidential)`` if so."""
    if withheld:
        return "(withheld)"
    return f"{reason} (confidential)" if confidential else reason


HISTORY_HEADER = (
    "POSITION",
    "VERSION",
    "TYPE",
    "EFFECTIVE",
    "RECORDED AT",
    "ACTOR",
    "RETRACTED BY",
    "DETAILS",
)


def history(events: Sequence[pb.CertificateEvent], next_page_token: str, *, as_json: bool) -> str:
    if as_json:
        return dumps(
            {"events": [plain(event) for event in events], "next_page_token": next_page_token}
        )
    rows = [
        (
            str(event.global_position) if event.global_position else "-",
            str(event.version),
            event_type_name(event.type),
            day(event.effective_date),
            instant(event.recorded_at),
            event.actor,
            str(event.retracted_by_version) if event.HasField("retracted_by_version") else "-",
            summary(event),
        )
        for event in events
    ]
    text = table(HISTORY_HEADER, rows) if rows else "no events"
    if next_page_token:
        text += f"\nmore events: --page-token {next_page_token}"
    return text


# Index queries

SEARCH_HEADER = ("certificate", "organisation", "country", "standard", "expiry", "status")
EVENTS_HEADER = ("position", "subject", "version", "event", "effective", "recorded", "details")


def search(response: Any, *, as_json: bool) -> str:
    if as_json:
        return dumps(plain(response))
    rows = [
        (
            label(found.certificate),
            found.organization.name,
            found.organization.country,
            found.standard,
            day(found.expiry_date),
            status_name(found.status),
        )
        for found in response.certificates
    ]
    text = table(SEARCH_HEADER, rows) if rows else "no certificates found"
    text += f"\nstatus on {day(response.at)}, index at log position {response.log_position}"
    if response.next_page_token:
        text += f"\nmore results: --page-token {response.next_page_token}"
    return text


def events(response: Any, *, as_json: bool) -> str:
    if as_json:
        return dumps(plain(response))
    rows = [
        (
            str(event.global_position),
            subject(event),
            str(event.version),
            type_name(event),
            day(event.effective_date),
            instant(event.recorded_at),
            summary(event),
        )
        for event in log_events(response)
    ]
    text = table(EVENTS_HEADER, rows) if rows else "no events"
    text += f"\nrecorded up to {instant(response.recorded_before)}"
    if response.next_page_token:
        text += f"\nmore events: --page-token {response.next_page_token}"
    return text


def report(response: Any, *, as_json: bool) -> str:
    if as_json:
        return dumps(plain(response))
    statuses = [status_name(count.status) for count in response.by_status]
    header = ("standard", "total", *statuses)
    rows = []
    for standard in response.by_standard:
        counts = {status_name(c.status): str(c.count) for c in standard.by_status}
        rows.append(
            (standard.standard, str(standard.count), *(counts.get(s, "0") for s in statuses))
        )
    rows.append(("all", str(response.total), *(str(c.count) for c in response.by_status)))
    return (
        f"{response.certification_body_id}: certificates on {day(response.at)} "
        f"as known at {instant(response.as_of)} (log position {response.log_position})\n"
        + table(header, rows)
    )


def feed_item(response: apb.StreamEventsResponse, *, as_json: bool) -> str:
    """One item of the feed on one line: an event (position, certificate, version, type,
    effective day, recorded time, details), or with ``as_json`` also a heartbeat."""
    if as_json:
        return json.dumps(plain(response), ensure_ascii=False, separators=(",", ":"))
    item = response.WhichOneof("item")
    if item == "heartbeat":
        heartbeat = response.heartbeat
        return f"{heartbeat.log_position}  (heartbeat)"
    event = getattr(response, item or "event")
    cells = [
        str(event.global_position),
        subject(event),
        f"v{event.version}",
        type_name(event),
        day(event.effective_date),
        instant(event.recorded_at),
        event.actor,
        summary(event),
    ]
    return "  ".join(cell for cell in cells if cell)
