import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.type import date_pb2 as _date_pb2
from registry.v1 import directory_service_pb2 as _directory_service_pb2
from registry.v1 import standards_service_pb2 as _standards_service_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class EventKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EVENT_KIND_UNSPECIFIED: _ClassVar[EventKind]
    EVENT_KIND_CERTIFICATE: _ClassVar[EventKind]
    EVENT_KIND_ACCREDITATION: _ClassVar[EventKind]
    EVENT_KIND_DIRECTORY: _ClassVar[EventKind]
    EVENT_KIND_CATALOGUE: _ClassVar[EventKind]

class AccreditationEventType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ACCREDITATION_EVENT_TYPE_UNSPECIFIED: _ClassVar[AccreditationEventType]
    ACCREDITATION_EVENT_TYPE_GRANTED: _ClassVar[AccreditationEventType]
    ACCREDITATION_EVENT_TYPE_REGRANTED: _ClassVar[AccreditationEventType]
    ACCREDITATION_EVENT_TYPE_SCOPE_CHANGED: _ClassVar[AccreditationEventType]
    ACCREDITATION_EVENT_TYPE_SUSPENDED: _ClassVar[AccreditationEventType]
    ACCREDITATION_EVENT_TYPE_REINSTATED: _ClassVar[AccreditationEventType]
    ACCREDITATION_EVENT_TYPE_WITHDRAWN: _ClassVar[AccreditationEventType]

class BodyKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BODY_KIND_UNSPECIFIED: _ClassVar[BodyKind]
    BODY_KIND_CERTIFICATION_BODY: _ClassVar[BodyKind]
    BODY_KIND_ACCREDITATION_BODY: _ClassVar[BodyKind]

class DirectoryEventType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DIRECTORY_EVENT_TYPE_UNSPECIFIED: _ClassVar[DirectoryEventType]
    DIRECTORY_EVENT_TYPE_REGISTERED: _ClassVar[DirectoryEventType]
    DIRECTORY_EVENT_TYPE_DETAILS_CHANGED: _ClassVar[DirectoryEventType]
    DIRECTORY_EVENT_TYPE_DEACTIVATED: _ClassVar[DirectoryEventType]
    DIRECTORY_EVENT_TYPE_MLA_STATUS_RECORDED: _ClassVar[DirectoryEventType]
    DIRECTORY_EVENT_TYPE_ACCREDITATION_LINKED: _ClassVar[DirectoryEventType]

class CatalogueEventType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CATALOGUE_EVENT_TYPE_UNSPECIFIED: _ClassVar[CatalogueEventType]
    CATALOGUE_EVENT_TYPE_SEEDED: _ClassVar[CatalogueEventType]
    CATALOGUE_EVENT_TYPE_EDITION_ADDED: _ClassVar[CatalogueEventType]
    CATALOGUE_EVENT_TYPE_TRANSITION_DEADLINE_SET: _ClassVar[CatalogueEventType]
EVENT_KIND_UNSPECIFIED: EventKind
EVENT_KIND_CERTIFICATE: EventKind
EVENT_KIND_ACCREDITATION: EventKind
EVENT_KIND_DIRECTORY: EventKind
EVENT_KIND_CATALOGUE: EventKind
ACCREDITATION_EVENT_TYPE_UNSPECIFIED: AccreditationEventType
ACCREDITATION_EVENT_TYPE_GRANTED: AccreditationEventType
ACCREDITATION_EVENT_TYPE_REGRANTED: AccreditationEventType
ACCREDITATION_EVENT_TYPE_SCOPE_CHANGED: AccreditationEventType
ACCREDITATION_EVENT_TYPE_SUSPENDED: AccreditationEventType
ACCREDITATION_EVENT_TYPE_REINSTATED: AccreditationEventType
ACCREDITATION_EVENT_TYPE_WITHDRAWN: AccreditationEventType
BODY_KIND_UNSPECIFIED: BodyKind
BODY_KIND_CERTIFICATION_BODY: BodyKind
BODY_KIND_ACCREDITATION_BODY: BodyKind
DIRECTORY_EVENT_TYPE_UNSPECIFIED: DirectoryEventType
DIRECTORY_EVENT_TYPE_REGISTERED: DirectoryEventType
DIRECTORY_EVENT_TYPE_DETAILS_CHANGED: DirectoryEventType
DIRECTORY_EVENT_TYPE_DEACTIVATED: DirectoryEventType
DIRECTORY_EVENT_TYPE_MLA_STATUS_RECORDED: DirectoryEventType
DIRECTORY_EVENT_TYPE_ACCREDITATION_LINKED: DirectoryEventType
CATALOGUE_EVENT_TYPE_UNSPECIFIED: CatalogueEventType
CATALOGUE_EVENT_TYPE_SEEDED: CatalogueEventType
CATALOGUE_EVENT_TYPE_EDITION_ADDED: CatalogueEventType
CATALOGUE_EVENT_TYPE_TRANSITION_DEADLINE_SET: CatalogueEventType

class AccreditationEvent(_message.Message):
    __slots__ = ("accreditation_body_id", "certification_body_id", "global_position", "version", "recorded_at", "effective_date", "actor", "request_id", "type", "granted", "regranted", "scope_changed", "suspended", "reinstated", "withdrawn")
    class Granted(_message.Message):
        __slots__ = ("standards", "sector_codes", "expiry_date")
        STANDARDS_FIELD_NUMBER: _ClassVar[int]
        SECTOR_CODES_FIELD_NUMBER: _ClassVar[int]
        EXPIRY_DATE_FIELD_NUMBER: _ClassVar[int]
        standards: _containers.RepeatedScalarFieldContainer[str]
        sector_codes: _containers.RepeatedScalarFieldContainer[str]
        expiry_date: _date_pb2.Date
        def __init__(self, standards: _Optional[_Iterable[str]] = ..., sector_codes: _Optional[_Iterable[str]] = ..., expiry_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ...) -> None: ...
    class Regranted(_message.Message):
        __slots__ = ("standards", "sector_codes", "expiry_date")
        STANDARDS_FIELD_NUMBER: _ClassVar[int]
        SECTOR_CODES_FIELD_NUMBER: _ClassVar[int]
        EXPIRY_DATE_FIELD_NUMBER: _ClassVar[int]
        standards: _containers.RepeatedScalarFieldContainer[str]
        sector_codes: _containers.RepeatedScalarFieldContainer[str]
        expiry_date: _date_pb2.Date
        def __init__(self, standards: _Optional[_Iterable[str]] = ..., sector_codes: _Optional[_Iterable[str]] = ..., expiry_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ...) -> None: ...
    class ScopeChanged(_message.Message):
        __slots__ = ("standards", "sector_codes")
        STANDARDS_FIELD_NUMBER: _ClassVar[int]
        SECTOR_CODES_FIELD_NUMBER: _ClassVar[int]
        standards: _containers.RepeatedScalarFieldContainer[str]
        sector_codes: _containers.RepeatedScalarFieldContainer[str]
        def __init__(self, standards: _Optional[_Iterable[str]] = ..., sector_codes: _Optional[_Iterable[str]] = ...) -> None: ...
    class Suspended(_message.Message):
        __slots__ = ("reason",)
        REASON_FIELD_NUMBER: _ClassVar[int]
        reason: str
        def __init__(self, reason: _Optional[str] = ...) -> None: ...
    class Reinstated(_message.Message):
        __slots__ = ()
        def __init__(self) -> None: ...
    class Withdrawn(_message.Message):
        __slots__ = ("reason",)
        REASON_FIELD_NUMBER: _ClassVar[int]
        reason: str
        def __init__(self, reason: _Optional[str] = ...) -> None: ...
    ACCREDITATION_BODY_ID_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATION_BODY_ID_FIELD_NUMBER: _ClassVar[int]
    GLOBAL_POSITION_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_DATE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    GRANTED_FIELD_NUMBER: _ClassVar[int]
    REGRANTED_FIELD_NUMBER: _ClassVar[int]
    SCOPE_CHANGED_FIELD_NUMBER: _ClassVar[int]
    SUSPENDED_FIELD_NUMBER: _ClassVar[int]
    REINSTATED_FIELD_NUMBER: _ClassVar[int]
    WITHDRAWN_FIELD_NUMBER: _ClassVar[int]
    accreditation_body_id: str
    certification_body_id: str
    global_position: int
    version: int
    recorded_at: _timestamp_pb2.Timestamp
    effective_date: _date_pb2.Date
    actor: str
    request_id: str
    type: AccreditationEventType
    granted: AccreditationEvent.Granted
    regranted: AccreditationEvent.Regranted
    scope_changed: AccreditationEvent.ScopeChanged
    suspended: AccreditationEvent.Suspended
    reinstated: AccreditationEvent.Reinstated
    withdrawn: AccreditationEvent.Withdrawn
    def __init__(self, accreditation_body_id: _Optional[str] = ..., certification_body_id: _Optional[str] = ..., global_position: _Optional[int] = ..., version: _Optional[int] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., effective_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., actor: _Optional[str] = ..., request_id: _Optional[str] = ..., type: _Optional[_Union[AccreditationEventType, str]] = ..., granted: _Optional[_Union[AccreditationEvent.Granted, _Mapping]] = ..., regranted: _Optional[_Union[AccreditationEvent.Regranted, _Mapping]] = ..., scope_changed: _Optional[_Union[AccreditationEvent.ScopeChanged, _Mapping]] = ..., suspended: _Optional[_Union[AccreditationEvent.Suspended, _Mapping]] = ..., reinstated: _Optional[_Union[AccreditationEvent.Reinstated, _Mapping]] = ..., withdrawn: _Optional[_Union[AccreditationEvent.Withdrawn, _Mapping]] = ...) -> None: ...

class DirectoryEvent(_message.Message):
    __slots__ = ("body_kind", "body_id", "global_position", "version", "recorded_at", "effective_date", "actor", "request_id", "type", "registered", "details_changed", "deactivated", "mla_status_recorded", "accreditation_linked")
    class Registered(_message.Message):
        __slots__ = ("name", "country")
        NAME_FIELD_NUMBER: _ClassVar[int]
        COUNTRY_FIELD_NUMBER: _ClassVar[int]
        name: str
        country: str
        def __init__(self, name: _Optional[str] = ..., country: _Optional[str] = ...) -> None: ...
    class DetailsChanged(_message.Message):
        __slots__ = ("name", "country")
        NAME_FIELD_NUMBER: _ClassVar[int]
        COUNTRY_FIELD_NUMBER: _ClassVar[int]
        name: str
        country: str
        def __init__(self, name: _Optional[str] = ..., country: _Optional[str] = ...) -> None: ...
    class Deactivated(_message.Message):
        __slots__ = ("reason",)
        REASON_FIELD_NUMBER: _ClassVar[int]
        reason: str
        def __init__(self, reason: _Optional[str] = ...) -> None: ...
    class MlaStatusRecorded(_message.Message):
        __slots__ = ("status",)
        STATUS_FIELD_NUMBER: _ClassVar[int]
        status: _directory_service_pb2.MlaStatus
        def __init__(self, status: _Optional[_Union[_directory_service_pb2.MlaStatus, str]] = ...) -> None: ...
    class AccreditationLinked(_message.Message):
        __slots__ = ("accreditation_body_id",)
        ACCREDITATION_BODY_ID_FIELD_NUMBER: _ClassVar[int]
        accreditation_body_id: str
        def __init__(self, accreditation_body_id: _Optional[str] = ...) -> None: ...
    BODY_KIND_FIELD_NUMBER: _ClassVar[int]
    BODY_ID_FIELD_NUMBER: _ClassVar[int]
    GLOBAL_POSITION_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_DATE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    REGISTERED_FIELD_NUMBER: _ClassVar[int]
    DETAILS_CHANGED_FIELD_NUMBER: _ClassVar[int]
    DEACTIVATED_FIELD_NUMBER: _ClassVar[int]
    MLA_STATUS_RECORDED_FIELD_NUMBER: _ClassVar[int]
    ACCREDITATION_LINKED_FIELD_NUMBER: _ClassVar[int]
    body_kind: BodyKind
    body_id: str
    global_position: int
    version: int
    recorded_at: _timestamp_pb2.Timestamp
    effective_date: _date_pb2.Date
    actor: str
    request_id: str
    type: DirectoryEventType
    registered: DirectoryEvent.Registered
    details_changed: DirectoryEvent.DetailsChanged
    deactivated: DirectoryEvent.Deactivated
    mla_status_recorded: DirectoryEvent.MlaStatusRecorded
    accreditation_linked: DirectoryEvent.AccreditationLinked
    def __init__(self, body_kind: _Optional[_Union[BodyKind, str]] = ..., body_id: _Optional[str] = ..., global_position: _Optional[int] = ..., version: _Optional[int] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., effective_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., actor: _Optional[str] = ..., request_id: _Optional[str] = ..., type: _Optional[_Union[DirectoryEventType, str]] = ..., registered: _Optional[_Union[DirectoryEvent.Registered, _Mapping]] = ..., details_changed: _Optional[_Union[DirectoryEvent.DetailsChanged, _Mapping]] = ..., deactivated: _Optional[_Union[DirectoryEvent.Deactivated, _Mapping]] = ..., mla_status_recorded: _Optional[_Union[DirectoryEvent.MlaStatusRecorded, _Mapping]] = ..., accreditation_linked: _Optional[_Union[DirectoryEvent.AccreditationLinked, _Mapping]] = ...) -> None: ...

class CatalogueEvent(_message.Message):
    __slots__ = ("global_position", "version", "recorded_at", "effective_date", "actor", "request_id", "type", "seeded", "edition_added", "transition_deadline_set")
    class Seeded(_message.Message):
        __slots__ = ("editions",)
        EDITIONS_FIELD_NUMBER: _ClassVar[int]
        editions: _containers.RepeatedCompositeFieldContainer[_standards_service_pb2.StandardEdition]
        def __init__(self, editions: _Optional[_Iterable[_Union[_standards_service_pb2.StandardEdition, _Mapping]]] = ...) -> None: ...
    class EditionAdded(_message.Message):
        __slots__ = ("edition",)
        EDITION_FIELD_NUMBER: _ClassVar[int]
        edition: _standards_service_pb2.StandardEdition
        def __init__(self, edition: _Optional[_Union[_standards_service_pb2.StandardEdition, _Mapping]] = ...) -> None: ...
    class TransitionDeadlineSet(_message.Message):
        __slots__ = ("designation", "transition_deadline")
        DESIGNATION_FIELD_NUMBER: _ClassVar[int]
        TRANSITION_DEADLINE_FIELD_NUMBER: _ClassVar[int]
        designation: str
        transition_deadline: _date_pb2.Date
        def __init__(self, designation: _Optional[str] = ..., transition_deadline: _Optional[_Union[_date_pb2.Date, _Mapping]] = ...) -> None: ...
    GLOBAL_POSITION_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_DATE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    SEEDED_FIELD_NUMBER: _ClassVar[int]
    EDITION_ADDED_FIELD_NUMBER: _ClassVar[int]
    TRANSITION_DEADLINE_SET_FIELD_NUMBER: _ClassVar[int]
    global_position: int
    version: int
    recorded_at: _timestamp_pb2.Timestamp
    effective_date: _date_pb2.Date
    actor: str
    request_id: str
    type: CatalogueEventType
    seeded: CatalogueEvent.Seeded
    edition_added: CatalogueEvent.EditionAdded
    transition_deadline_set: CatalogueEvent.TransitionDeadlineSet
    def __init__(self, global_position: _Optional[int] = ..., version: _Optional[int] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., effective_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., actor: _Optional[str] = ..., request_id: _Optional[str] = ..., type: _Optional[_Union[CatalogueEventType, str]] = ..., seeded: _Optional[_Union[CatalogueEvent.Seeded, _Mapping]] = ..., edition_added: _Optional[_Union[CatalogueEvent.EditionAdded, _Mapping]] = ..., transition_deadline_set: _Optional[_Union[CatalogueEvent.TransitionDeadlineSet, _Mapping]] = ...) -> None: ...
