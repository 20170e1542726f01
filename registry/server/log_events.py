"""The global log's events that are not a certificate's, as wire messages.

Each reference aggregate's events travel as one message type (``AccreditationEvent``,
``DirectoryEvent``, ``CatalogueEvent``): the common fields, an enum ``type`` and a
``oneof`` payload whose message is named after the event's kind (``Granted`` →
``granted``). A payload's fields carry the event's own fields under the same names
(dates as ``google.type.Date``, lists as repeated fields, the MLA status as its enum);
the catalogue's editions as ``StandardEdition`` messages.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from google.protobuf.message import Message

from registry.application.views import EventView, LogView, ReferenceEventView, Source
from registry.domain.standards import Standard
from registry.server import convert
from registry.v1 import audit_service_pb2 as apb
from registry.v1 import directory_service_pb2 as dir_pb
from registry.v1 import reference_events_pb2 as rpb
from registry.v1 import standards_service_pb2 as st_pb

KIND_OF_SOURCE: Mapping[Source, int] = {
    Source.CERTIFICATE: rpb.EVENT_KIND_CERTIFICATE,
    Source.ACCREDITATION: rpb.EVENT_KIND_ACCREDITATION,
    Source.CERTIFICATION_BODY: rpb.EVENT_KIND_DIRECTORY,
    Source.ACCREDITATION_BODY: rpb.EVENT_KIND_DIRECTORY,
    Source.CATALOGUE: rpb.EVENT_KIND_CATALOGUE,
}
EVENT_KINDS = frozenset(KIND_OF_SOURCE.values())
_BODY_KIND = {
    Source.CERTIFICATION_BODY: rpb.BODY_KIND_CERTIFICATION_BODY,
    Source.ACCREDITATION_BODY: rpb.BODY_KIND_ACCREDITATION_BODY,
}


def snake(kind: str) -> str:
    """``"MlaStatusRecorded"`` → ``"mla_status_recorded"``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", kind).lower()


def kind_of(view: LogView) -> int:
    """The view's ``EventKind``."""
    if isinstance(view, EventView):
        return rpb.EVENT_KIND_CERTIFICATE
    return KIND_OF_SOURCE[view.source]


def to_stream_response(view: LogView) -> apb.StreamEventsResponse:
    """The feed's message for one event of the log."""
    if isinstance(view, EventView):
        return apb.StreamEventsResponse(event=convert.to_event(view))
    message = to_reference_event(view)
    if isinstance(message, rpb.AccreditationEvent):
        return apb.StreamEventsResponse(accreditation_event=message)
    if isinstance(message, rpb.DirectoryEvent):
        return apb.StreamEventsResponse(directory_event=message)
    return apb.StreamEventsResponse(catalogue_event=message)


def to_reference_event(
    view: ReferenceEventView,
) -> rpb.AccreditationEvent | rpb.DirectoryEvent | rpb.CatalogueEvent:
    message: rpb.AccreditationEvent | rpb.DirectoryEvent | rpb.CatalogueEvent
    types: Any  # the message's type enum
    if view.source is Source.ACCREDITATION:
        message = rpb.AccreditationEvent(
            accreditation_body_id=view.accreditation_body_id,
            certification_body_id=view.certification_body_id,
        )
        prefix, types = "ACCREDITATION_EVENT_TYPE_", rpb.AccreditationEventType
    elif view.source is Source.CATALOGUE:
        message = rpb.CatalogueEvent()
        prefix, types = "CATALOGUE_EVENT_TYPE_", rpb.CatalogueEventType
    else:
        message = rpb.DirectoryEvent(
            body_kind=_BODY_KIND[view.source],
            body_id=view.certification_body_id or view.accreditation_body_id,
        )
        prefix, types = "DIRECTORY_EVENT_TYPE_", rpb.DirectoryEventType
    message.global_position = view.global_position
    message.version = view.version
    message.recorded_at.CopyFrom(convert.to_timestamp(view.recorded_at))
    effective = convert.to_date(view.effective_date)
    if effective is not None:
        message.effective_date.CopyFrom(effective)
    message.actor = view.actor
    message.request_id = view.request_id
    name = snake(view.type)
    message.type = types.Value(f"{prefix}{name.upper()}")
    payload = getattr(message, name)
    payload.SetInParent()
    _fill(payload, view)
    return message


def _fill(payload: Message, view: ReferenceEventView) -> None:
    """Set the payload's fields from the event's own fields of the same names; the
    catalogue's editions as ``StandardEdition`` messages."""
    fields = view.fields
    if view.source is Source.CATALOGUE and view.type == "Seeded":
        payload.editions.extend(_edition(row) for row in fields["editions"])  # type: ignore[attr-defined]
        return
    if view.source is Source.CATALOGUE and view.type == "EditionAdded":
        payload.edition.CopyFrom(_edition(fields))  # type: ignore[attr-defined]
        return
    descriptors = payload.DESCRIPTOR.fields_by_name
    for name, value in fields.items():
        field = descriptors[name]
        if isinstance(value, list):
            getattr(payload, name).extend(value)
        elif field.message_type is not None:  # google.type.Date
            if value is not None:
                getattr(payload, name).CopyFrom(convert.to_date(value))
        elif field.enum_type is not None:  # the MLA status
            setattr(payload, name, dir_pb.MlaStatus.Value(f"MLA_STATUS_{value}"))
        else:
            setattr(payload, name, value)


def _edition(row: Mapping[str, Any]) -> st_pb.StandardEdition:
    deadline: date | None = row["transition_deadline"]
    standard = Standard(row["code"], row["edition"], row["title"], deadline)
    return st_pb.StandardEdition(
        designation=standard.designation,
        code=standard.code,
        edition=standard.edition,
        title=standard.title,
        transition_deadline=convert.to_date(deadline),
    )
