import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.type import date_pb2 as _date_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class MlaStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MLA_STATUS_UNSPECIFIED: _ClassVar[MlaStatus]
    MLA_STATUS_SIGNATORY: _ClassVar[MlaStatus]
    MLA_STATUS_SUSPENDED: _ClassVar[MlaStatus]
    MLA_STATUS_NOT_SIGNATORY: _ClassVar[MlaStatus]

class Role(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ROLE_UNSPECIFIED: _ClassVar[Role]
    ROLE_ADMIN: _ClassVar[Role]
    ROLE_CERTIFICATION_BODY: _ClassVar[Role]
    ROLE_ACCREDITATION_BODY: _ClassVar[Role]
MLA_STATUS_UNSPECIFIED: MlaStatus
MLA_STATUS_SIGNATORY: MlaStatus
MLA_STATUS_SUSPENDED: MlaStatus
MLA_STATUS_NOT_SIGNATORY: MlaStatus
ROLE_UNSPECIFIED: Role
ROLE_ADMIN: Role
ROLE_CERTIFICATION_BODY: Role
ROLE_ACCREDITATION_BODY: Role

class RegisterCertificationBodyRequest(_message.Message):
    __slots__ = ("certification_body_id", "request_id", "effective_date", "expected_version", "name", "country")
    CERTIFICATION_BODY_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_DATE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    certification_body_id: str
    request_id: str
    effective_date: _date_pb2.Date
    expected_version: int
    name: str
    country: str
    def __init__(self, certification_body_id: _Optional[str] = ..., request_id: _Optional[str] = ..., effective_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., expected_version: _Optional[int] = ..., name: _Optional[str] = ..., country: _Optional[str] = ...) -> None: ...

class RegisterAccreditationBodyRequest(_message.Message):
    __slots__ = ("accreditation_body_id", "request_id", "effective_date", "expected_version", "name", "country")
    ACCREDITATION_BODY_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_DATE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    accreditation_body_id: str
    request_id: str
    effective_date: _date_pb2.Date
    expected_version: int
    name: str
    country: str
    def __init__(self, accreditation_body_id: _Optional[str] = ..., request_id: _Optional[str] = ..., effective_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., expected_version: _Optional[int] = ..., name: _Optional[str] = ..., country: _Optional[str] = ...) -> None: ...

class ChangeCertificationBodyDetailsRequest(_message.Message):
    __slots__ = ("certification_body_id", "request_id", "effective_date", "expected_version", "name", "country")
    CERTIFICATION_BODY_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_DATE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    certification_body_id: str
    request_id: str
    effective_date: _date_pb2.Date
    expected_version: int
    name: str
    country: str
    def __init__(self, certification_body_id: _Optional[str] = ..., request_id: _Optional[str] = ..., effective_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., expected_version: _Optional[int] = ..., name: _Optional[str] = ..., country: _Optional[str] = ...) -> None: ...

class DeactivateCertificationBodyRequest(_message.Message):
    __slots__ = ("certification_body_id", "request_id", "effective_date", "expected_version", "reason")
    CERTIFICATION_BODY_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_DATE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    certification_body_id: str
    request_id: str
    effective_date: _date_pb2.Date
    expected_version: int
    reason: str
    def __init__(self, certification_body_id: _Optional[str] = ..., request_id: _Optional[str] = ..., effective_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., expected_version: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class GetCertificationBodyRequest(_message.Message):
    __slots__ = ("certification_body_id", "at", "as_of")
    CERTIFICATION_BODY_ID_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    certification_body_id: str
    at: _date_pb2.Date
    as_of: _timestamp_pb2.Timestamp
    def __init__(self, certification_body_id: _Optional[str] = ..., at: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ChangeAccreditationBodyDetailsRequest(_message.Message):
    __slots__ = ("accreditation_body_id", "request_id", "effective_date", "expected_version", "name", "country")
    ACCREDITATION_BODY_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_DATE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    accreditation_body_id: str
    request_id: str
    effective_date: _date_pb2.Date
    expected_version: int
    name: str
    country: str
    def __init__(self, accreditation_body_id: _Optional[str] = ..., request_id: _Optional[str] = ..., effective_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., expected_version: _Optional[int] = ..., name: _Optional[str] = ..., country: _Optional[str] = ...) -> None: ...

class DeactivateAccreditationBodyRequest(_message.Message):
    __slots__ = ("accreditation_body_id", "request_id", "effective_date", "expected_version", "reason")
    ACCREDITATION_BODY_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_DATE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    accreditation_body_id: str
    request_id: str
    effective_date: _date_pb2.Date
    expected_version: int
    reason: str
    def __init__(self, accreditation_body_id: _Optional[str] = ..., request_id: _Optional[str] = ..., effective_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., expected_version: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class GetAccreditationBodyRequest(_message.Message):
    __slots__ = ("accreditation_body_id", "at", "as_of")
    ACCREDITATION_BODY_ID_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    accreditation_body_id: str
    at: _date_pb2.Date
    as_of: _timestamp_pb2.Timestamp
    def __init__(self, accreditation_body_id: _Optional[str] = ..., at: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RecordMlaStatusRequest(_message.Message):
    __slots__ = ("accreditation_body_id", "request_id", "effective_date", "expected_version", "status")
    ACCREDITATION_BODY_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_DATE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    accreditation_body_id: str
    request_id: str
    effective_date: _date_pb2.Date
    expected_version: int
    status: MlaStatus
    def __init__(self, accreditation_body_id: _Optional[str] = ..., request_id: _Optional[str] = ..., effective_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., expected_version: _Optional[int] = ..., status: _Optional[_Union[MlaStatus, str]] = ...) -> None: ...

class RegisterCertificationBodyResponse(_message.Message):
    __slots__ = ("version", "recorded_at")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    version: int
    recorded_at: _timestamp_pb2.Timestamp
    def __init__(self, version: _Optional[int] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ChangeCertificationBodyDetailsResponse(_message.Message):
    __slots__ = ("version", "recorded_at")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    version: int
    recorded_at: _timestamp_pb2.Timestamp
    def __init__(self, version: _Optional[int] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class DeactivateCertificationBodyResponse(_message.Message):
    __slots__ = ("version", "recorded_at")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    version: int
    recorded_at: _timestamp_pb2.Timestamp
    def __init__(self, version: _Optional[int] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RegisterAccreditationBodyResponse(_message.Message):
    __slots__ = ("version", "recorded_at")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    version: int
    recorded_at: _timestamp_pb2.Timestamp
    def __init__(self, version: _Optional[int] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ChangeAccreditationBodyDetailsResponse(_message.Message):
    __slots__ = ("version", "recorded_at")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    version: int
    recorded_at: _timestamp_pb2.Timestamp
    def __init__(self, version: _Optional[int] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class DeactivateAccreditationBodyResponse(_message.Message):
    __slots__ = ("version", "recorded_at")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    version: int
    recorded_at: _timestamp_pb2.Timestamp
    def __init__(self, version: _Optional[int] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RecordMlaStatusResponse(_message.Message):
    __slots__ = ("version", "recorded_at")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    version: int
    recorded_at: _timestamp_pb2.Timestamp
    def __init__(self, version: _Optional[int] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Body(_message.Message):
    __slots__ = ("body_id", "name", "country", "registered_on", "active", "deactivated_on", "deactivation_reason", "version")
    BODY_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    REGISTERED_ON_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    DEACTIVATED_ON_FIELD_NUMBER: _ClassVar[int]
    DEACTIVATION_REASON_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    body_id: str
    name: str
    country: str
    registered_on: _date_pb2.Date
    active: bool
    deactivated_on: _date_pb2.Date
    deactivation_reason: str
    version: int
    def __init__(self, body_id: _Optional[str] = ..., name: _Optional[str] = ..., country: _Optional[str] = ..., registered_on: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., active: _Optional[bool] = ..., deactivated_on: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., deactivation_reason: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class GetCertificationBodyResponse(_message.Message):
    __slots__ = ("body", "accreditation_body_ids", "at", "as_of", "log_position")
    BODY_FIELD_NUMBER: _ClassVar[int]
    ACCREDITATION_BODY_IDS_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    LOG_POSITION_FIELD_NUMBER: _ClassVar[int]
    body: Body
    accreditation_body_ids: _containers.RepeatedScalarFieldContainer[str]
    at: _date_pb2.Date
    as_of: _timestamp_pb2.Timestamp
    log_position: int
    def __init__(self, body: _Optional[_Union[Body, _Mapping]] = ..., accreditation_body_ids: _Optional[_Iterable[str]] = ..., at: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., log_position: _Optional[int] = ...) -> None: ...

class GetAccreditationBodyResponse(_message.Message):
    __slots__ = ("body", "mla_status", "mla_status_since", "at", "as_of", "log_position")
    BODY_FIELD_NUMBER: _ClassVar[int]
    MLA_STATUS_FIELD_NUMBER: _ClassVar[int]
    MLA_STATUS_SINCE_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    LOG_POSITION_FIELD_NUMBER: _ClassVar[int]
    body: Body
    mla_status: MlaStatus
    mla_status_since: _date_pb2.Date
    at: _date_pb2.Date
    as_of: _timestamp_pb2.Timestamp
    log_position: int
    def __init__(self, body: _Optional[_Union[Body, _Mapping]] = ..., mla_status: _Optional[_Union[MlaStatus, str]] = ..., mla_status_since: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., at: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., log_position: _Optional[int] = ...) -> None: ...

class CreateTokenRequest(_message.Message):
    __slots__ = ("role", "body_id", "expires_at", "note")
    ROLE_FIELD_NUMBER: _ClassVar[int]
    BODY_ID_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    role: Role
    body_id: str
    expires_at: _timestamp_pb2.Timestamp
    note: str
    def __init__(self, role: _Optional[_Union[Role, str]] = ..., body_id: _Optional[str] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., note: _Optional[str] = ...) -> None: ...

class Token(_message.Message):
    __slots__ = ("token_id", "principal", "created_at", "expires_at", "revoked_at", "note")
    TOKEN_ID_FIELD_NUMBER: _ClassVar[int]
    PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    REVOKED_AT_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    token_id: str
    principal: str
    created_at: _timestamp_pb2.Timestamp
    expires_at: _timestamp_pb2.Timestamp
    revoked_at: _timestamp_pb2.Timestamp
    note: str
    def __init__(self, token_id: _Optional[str] = ..., principal: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., revoked_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., note: _Optional[str] = ...) -> None: ...

class CreateTokenResponse(_message.Message):
    __slots__ = ("token", "details")
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    DETAILS_FIELD_NUMBER: _ClassVar[int]
    token: str
    details: Token
    def __init__(self, token: _Optional[str] = ..., details: _Optional[_Union[Token, _Mapping]] = ...) -> None: ...

class RevokeTokenRequest(_message.Message):
    __slots__ = ("token_id",)
    TOKEN_ID_FIELD_NUMBER: _ClassVar[int]
    token_id: str
    def __init__(self, token_id: _Optional[str] = ...) -> None: ...

class RevokeTokenResponse(_message.Message):
    __slots__ = ("details",)
    DETAILS_FIELD_NUMBER: _ClassVar[int]
    details: Token
    def __init__(self, details: _Optional[_Union[Token, _Mapping]] = ...) -> None: ...

class ListTokensRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListTokensResponse(_message.Message):
    __slots__ = ("tokens",)
    TOKENS_FIELD_NUMBER: _ClassVar[int]
    tokens: _containers.RepeatedCompositeFieldContainer[Token]
    def __init__(self, tokens: _Optional[_Iterable[_Union[Token, _Mapping]]] = ...) -> None: ...
