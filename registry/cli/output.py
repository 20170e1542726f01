"""How the client subcommands print answers: aligned plain-text tables, or JSON.

JSON is the proto3 JSON mapping of the response (field names as in the
.proto, every field present, int64 as strings); writes add ``request_id``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from google.protobuf import timestamp_pb2
from google.protobuf.json_format import MessageToDict
from google.protobuf.message import Message
from google.type import date_pb2

from registry.v1 import certificate_service_pb2 as pb

STATUS_PREFIX = "CERTIFICATE_STATUS_"
WARNING_PREFIX = "CERTIFICATE_WARNING_"
_BARE = re.compile(r"[\w.:@/+-]+")


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


def compact(fields: dict[str, Any]) -> str:
    """An event's fields on one line: ``key=value`` sorted by key, empty values left out."""
    return " ".join(
        f"{name}={_value(value)}"
        for name, value in sorted(fields.items())
        if value not in ("", None, [], {})
    )


def _value(value: Any) -> str:
    value = _whole_numbers(value)
    if isinstance(value, str) and _BARE.fullmatch(value):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _whole_numbers(value: Any) -> Any:
    """Struct numbers arrive as floats: show 2.0 as 2."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_whole_numbers(item) for item in value]
    if isinstance(value, dict):
        return {key: _whole_numbers(item) for key, item in value.items()}
    return value


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


def written(certificate: str, response: Message, request_id: str, *, as_json: bool) -> str:
    data = to_dict(response)
    data["request_id"] = request_id
    if as_json:
        return dumps(data)
    return pairs(
        [
            ("certificate", certificate),
            ("version", str(data["version"])),
            ("recorded at", str(data["recorded_at"])),
            ("request id", request_id),
        ]
    )


def status(certificate: str, response: pb.GetCertificateStatusResponse, *, as_json: bool) -> str:
    if as_json:
        return dumps(to_dict(response))
    warnings = ", ".join(warning_name(w) for w in response.warnings) or "none"
    rows = [
        ("certificate", certificate),
        ("status", status_name(response.status)),
        ("on", day(response.at)),
        ("as of", instant(response.as_of)),
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
    if certificate.suspension_reason:
        rows.append(("suspension reason", certificate.suspension_reason))
    if certificate.HasField("suspension_review_by"):
        rows.append(("review by", day(certificate.suspension_review_by)))
    if certificate.HasField("ended_on"):
        rows.append(("ended on", day(certificate.ended_on)))
    if certificate.end_reason:
        rows.append(("end reason", certificate.end_reason))
    if certificate.HasField("transferred_to"):
        rows.append(("transferred to", label(certificate.transferred_to)))
    if certificate.HasField("replaces"):
        rows.append(("replaces", label(certificate.replaces)))
    return rows


HISTORY_HEADER = ("VERSION", "TYPE", "EFFECTIVE", "RECORDED AT", "ACTOR", "RETRACTED BY", "FIELDS")


def history(events: Sequence[pb.CertificateEvent], next_page_token: str, *, as_json: bool) -> str:
    if as_json:
        page = pb.GetCertificateHistoryResponse(events=events, next_page_token=next_page_token)
        return dumps(to_dict(page))
    rows = [
        (
            str(event.version),
            event.type,
            day(event.effective_date),
            instant(event.recorded_at),
            event.actor,
            str(event.retracted_by_version) if event.HasField("retracted_by_version") else "-",
            compact(MessageToDict(event.fields)),
        )
        for event in events
    ]
    text = table(HISTORY_HEADER, rows) if rows else "no events"
    if next_page_token:
        text += f"\nmore events: --page-token {next_page_token}"
    return text
