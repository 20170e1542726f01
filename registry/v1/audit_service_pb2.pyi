import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.type import date_pb2 as _date_pb2
from registry.v1 import certificate_service_pb2 as _certificate_service_pb2
from registry.v1 import reference_events_pb2 as _reference_events_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ListEventsRequest(_message.Message):
    __slots__ = ("certification_body_id", "recorded_after", "recorded_before", "types", "standard", "page_size", "page_token", "kinds")
    CERTIFICATION_BODY_ID_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AFTER_FIELD_NUMBER: _ClassVar[int]
    RECORDED_BEFORE_FIELD_NUMBER: _ClassVar[int]
    TYPES_FIELD_NUMBER: _ClassVar[int]
    STANDARD_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    KINDS_FIELD_NUMBER: _ClassVar[int]
    certification_body_id: str
    recorded_after: _timestamp_pb2.Timestamp
    recorded_before: _timestamp_pb2.Timestamp
    types: _containers.RepeatedScalarFieldContainer[_certificate_service_pb2.CertificateEventType]
    standard: str
    page_size: int
    page_token: str
    kinds: _containers.RepeatedScalarFieldContainer[_reference_events_pb2.EventKind]
    def __init__(self, certification_body_id: _Optional[str] = ..., recorded_after: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., recorded_before: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., types: _Optional[_Iterable[_Union[_certificate_service_pb2.CertificateEventType, str]]] = ..., standard: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., kinds: _Optional[_Iterable[_Union[_reference_events_pb2.EventKind, str]]] = ...) -> None: ...

class ListEventsResponse(_message.Message):
    __slots__ = ("events", "accreditation_events", "directory_events", "next_page_token", "recorded_before", "log_position")
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    ACCREDITATION_EVENTS_FIELD_NUMBER: _ClassVar[int]
    DIRECTORY_EVENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    RECORDED_BEFORE_FIELD_NUMBER: _ClassVar[int]
    LOG_POSITION_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[_certificate_service_pb2.CertificateEvent]
    accreditation_events: _containers.RepeatedCompositeFieldContainer[_reference_events_pb2.AccreditationEvent]
    directory_events: _containers.RepeatedCompositeFieldContainer[_reference_events_pb2.DirectoryEvent]
    next_page_token: str
    recorded_before: _timestamp_pb2.Timestamp
    log_position: int
    def __init__(self, events: _Optional[_Iterable[_Union[_certificate_service_pb2.CertificateEvent, _Mapping]]] = ..., accreditation_events: _Optional[_Iterable[_Union[_reference_events_pb2.AccreditationEvent, _Mapping]]] = ..., directory_events: _Optional[_Iterable[_Union[_reference_events_pb2.DirectoryEvent, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., recorded_before: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., log_position: _Optional[int] = ...) -> None: ...

class GetIssuanceReportRequest(_message.Message):
    __slots__ = ("certification_body_id", "at", "as_of")
    CERTIFICATION_BODY_ID_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    certification_body_id: str
    at: _date_pb2.Date
    as_of: _timestamp_pb2.Timestamp
    def __init__(self, certification_body_id: _Optional[str] = ..., at: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class StatusCount(_message.Message):
    __slots__ = ("status", "count")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    status: _certificate_service_pb2.CertificateStatus
    count: int
    def __init__(self, status: _Optional[_Union[_certificate_service_pb2.CertificateStatus, str]] = ..., count: _Optional[int] = ...) -> None: ...

class StandardCount(_message.Message):
    __slots__ = ("standard", "count", "by_status")
    STANDARD_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    BY_STATUS_FIELD_NUMBER: _ClassVar[int]
    standard: str
    count: int
    by_status: _containers.RepeatedCompositeFieldContainer[StatusCount]
    def __init__(self, standard: _Optional[str] = ..., count: _Optional[int] = ..., by_status: _Optional[_Iterable[_Union[StatusCount, _Mapping]]] = ...) -> None: ...

class GetIssuanceReportResponse(_message.Message):
    __slots__ = ("certification_body_id", "at", "as_of", "log_position", "total", "by_status", "by_standard")
    CERTIFICATION_BODY_ID_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    LOG_POSITION_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    BY_STATUS_FIELD_NUMBER: _ClassVar[int]
    BY_STANDARD_FIELD_NUMBER: _ClassVar[int]
    certification_body_id: str
    at: _date_pb2.Date
    as_of: _timestamp_pb2.Timestamp
    log_position: int
    total: int
    by_status: _containers.RepeatedCompositeFieldContainer[StatusCount]
    by_standard: _containers.RepeatedCompositeFieldContainer[StandardCount]
    def __init__(self, certification_body_id: _Optional[str] = ..., at: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., log_position: _Optional[int] = ..., total: _Optional[int] = ..., by_status: _Optional[_Iterable[_Union[StatusCount, _Mapping]]] = ..., by_standard: _Optional[_Iterable[_Union[StandardCount, _Mapping]]] = ...) -> None: ...

class StreamEventsRequest(_message.Message):
    __slots__ = ("from_position", "certification_body_ids", "types", "kinds")
    FROM_POSITION_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATION_BODY_IDS_FIELD_NUMBER: _ClassVar[int]
    TYPES_FIELD_NUMBER: _ClassVar[int]
    KINDS_FIELD_NUMBER: _ClassVar[int]
    from_position: int
    certification_body_ids: _containers.RepeatedScalarFieldContainer[str]
    types: _containers.RepeatedScalarFieldContainer[_certificate_service_pb2.CertificateEventType]
    kinds: _containers.RepeatedScalarFieldContainer[_reference_events_pb2.EventKind]
    def __init__(self, from_position: _Optional[int] = ..., certification_body_ids: _Optional[_Iterable[str]] = ..., types: _Optional[_Iterable[_Union[_certificate_service_pb2.CertificateEventType, str]]] = ..., kinds: _Optional[_Iterable[_Union[_reference_events_pb2.EventKind, str]]] = ...) -> None: ...

class Heartbeat(_message.Message):
    __slots__ = ("log_position", "recorded_at")
    LOG_POSITION_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    log_position: int
    recorded_at: _timestamp_pb2.Timestamp
    def __init__(self, log_position: _Optional[int] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class StreamEventsResponse(_message.Message):
    __slots__ = ("event", "heartbeat", "accreditation_event", "directory_event", "catalogue_event")
    EVENT_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_FIELD_NUMBER: _ClassVar[int]
    ACCREDITATION_EVENT_FIELD_NUMBER: _ClassVar[int]
    DIRECTORY_EVENT_FIELD_NUMBER: _ClassVar[int]
    CATALOGUE_EVENT_FIELD_NUMBER: _ClassVar[int]
    event: _certificate_service_pb2.CertificateEvent
    heartbeat: Heartbeat
    accreditation_event: _reference_events_pb2.AccreditationEvent
    directory_event: _reference_events_pb2.DirectoryEvent
    catalogue_event: _reference_events_pb2.CatalogueEvent
    def __init__(self, event: _Optional[_Union[_certificate_service_pb2.CertificateEvent, _Mapping]] = ..., heartbeat: _Optional[_Union[Heartbeat, _Mapping]] = ..., accreditation_event: _Optional[_Union[_reference_events_pb2.AccreditationEvent, _Mapping]] = ..., directory_event: _Optional[_Union[_reference_events_pb2.DirectoryEvent, _Mapping]] = ..., catalogue_event: _Optional[_Union[_reference_events_pb2.CatalogueEvent, _Mapping]] = ...) -> None: ...
