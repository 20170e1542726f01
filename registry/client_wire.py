"""Plain values as the wire carries them, for the client's calls."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from google.protobuf import timestamp_pb2
from google.type import date_pb2

from registry.v1 import certificate_service_pb2 as pb


def pb_date(value: date | None) -> date_pb2.Date | None:
    return (
        None if value is None else date_pb2.Date(year=value.year, month=value.month, day=value.day)
    )


def pb_timestamp(value: datetime | None) -> timestamp_pb2.Timestamp | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(value)
    return stamp


def ref(certification_body_id: str, certificate_number: str) -> pb.CertificateRef:
    return pb.CertificateRef(
        certification_body_id=certification_body_id, certificate_number=certificate_number
    )


def new_request_id() -> str:
    return str(uuid.uuid4())
