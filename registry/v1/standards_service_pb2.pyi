import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.type import date_pb2 as _date_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AddStandardEditionRequest(_message.Message):
    __slots__ = ("request_id", "effective_date", "expected_version", "code", "edition", "title", "transition_deadline")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_DATE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    EDITION_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    TRANSITION_DEADLINE_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    effective_date: _date_pb2.Date
    expected_version: int
    code: str
    edition: str
    title: str
    transition_deadline: _date_pb2.Date
    def __init__(self, request_id: _Optional[str] = ..., effective_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., expected_version: _Optional[int] = ..., code: _Optional[str] = ..., edition: _Optional[str] = ..., title: _Optional[str] = ..., transition_deadline: _Optional[_Union[_date_pb2.Date, _Mapping]] = ...) -> None: ...

class AddStandardEditionResponse(_message.Message):
    __slots__ = ("version", "recorded_at")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    version: int
    recorded_at: _timestamp_pb2.Timestamp
    def __init__(self, version: _Optional[int] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SetTransitionDeadlineRequest(_message.Message):
    __slots__ = ("request_id", "effective_date", "expected_version", "designation", "transition_deadline", "no_transition_deadline")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_DATE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    DESIGNATION_FIELD_NUMBER: _ClassVar[int]
    TRANSITION_DEADLINE_FIELD_NUMBER: _ClassVar[int]
    NO_TRANSITION_DEADLINE_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    effective_date: _date_pb2.Date
    expected_version: int
    designation: str
    transition_deadline: _date_pb2.Date
    no_transition_deadline: bool
    def __init__(self, request_id: _Optional[str] = ..., effective_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., expected_version: _Optional[int] = ..., designation: _Optional[str] = ..., transition_deadline: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., no_transition_deadline: _Optional[bool] = ...) -> None: ...

class SetTransitionDeadlineResponse(_message.Message):
    __slots__ = ("version", "recorded_at")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    version: int
    recorded_at: _timestamp_pb2.Timestamp
    def __init__(self, version: _Optional[int] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListStandardsRequest(_message.Message):
    __slots__ = ("at", "as_of")
    AT_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    at: _date_pb2.Date
    as_of: _timestamp_pb2.Timestamp
    def __init__(self, at: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class StandardEdition(_message.Message):
    __slots__ = ("designation", "code", "edition", "title", "transition_deadline", "valid_on_at")
    DESIGNATION_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    EDITION_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    TRANSITION_DEADLINE_FIELD_NUMBER: _ClassVar[int]
    VALID_ON_AT_FIELD_NUMBER: _ClassVar[int]
    designation: str
    code: str
    edition: str
    title: str
    transition_deadline: _date_pb2.Date
    valid_on_at: bool
    def __init__(self, designation: _Optional[str] = ..., code: _Optional[str] = ..., edition: _Optional[str] = ..., title: _Optional[str] = ..., transition_deadline: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., valid_on_at: _Optional[bool] = ...) -> None: ...

class ListStandardsResponse(_message.Message):
    __slots__ = ("editions", "version", "at", "as_of", "log_position")
    EDITIONS_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    LOG_POSITION_FIELD_NUMBER: _ClassVar[int]
    editions: _containers.RepeatedCompositeFieldContainer[StandardEdition]
    version: int
    at: _date_pb2.Date
    as_of: _timestamp_pb2.Timestamp
    log_position: int
    def __init__(self, editions: _Optional[_Iterable[_Union[StandardEdition, _Mapping]]] = ..., version: _Optional[int] = ..., at: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., log_position: _Optional[int] = ...) -> None: ...
