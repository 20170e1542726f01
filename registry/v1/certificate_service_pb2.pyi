import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.rpc import code_pb2 as _code_pb2
from google.type import date_pb2 as _date_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CertificateStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CERTIFICATE_STATUS_UNSPECIFIED: _ClassVar[CertificateStatus]
    CERTIFICATE_STATUS_NOT_YET_VALID: _ClassVar[CertificateStatus]
    CERTIFICATE_STATUS_VALID: _ClassVar[CertificateStatus]
    CERTIFICATE_STATUS_SUSPENDED: _ClassVar[CertificateStatus]
    CERTIFICATE_STATUS_WITHDRAWN: _ClassVar[CertificateStatus]
    CERTIFICATE_STATUS_CANCELLED: _ClassVar[CertificateStatus]
    CERTIFICATE_STATUS_EXPIRED: _ClassVar[CertificateStatus]
    CERTIFICATE_STATUS_TRANSFERRED: _ClassVar[CertificateStatus]
    CERTIFICATE_STATUS_UNKNOWN: _ClassVar[CertificateStatus]

class CertificateWarning(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CERTIFICATE_WARNING_UNSPECIFIED: _ClassVar[CertificateWarning]
    CERTIFICATE_WARNING_SURVEILLANCE_OVERDUE: _ClassVar[CertificateWarning]
    CERTIFICATE_WARNING_SUSPENSION_OVERDUE: _ClassVar[CertificateWarning]
    CERTIFICATE_WARNING_EXPIRING_SOON: _ClassVar[CertificateWarning]

class CertificateEventType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CERTIFICATE_EVENT_TYPE_UNSPECIFIED: _ClassVar[CertificateEventType]
    CERTIFICATE_EVENT_TYPE_ISSUED: _ClassVar[CertificateEventType]
    CERTIFICATE_EVENT_TYPE_SURVEILLANCE_PASSED: _ClassVar[CertificateEventType]
    CERTIFICATE_EVENT_TYPE_SCOPE_CHANGED: _ClassVar[CertificateEventType]
    CERTIFICATE_EVENT_TYPE_SUSPENDED: _ClassVar[CertificateEventType]
    CERTIFICATE_EVENT_TYPE_REINSTATED: _ClassVar[CertificateEventType]
    CERTIFICATE_EVENT_TYPE_WITHDRAWN: _ClassVar[CertificateEventType]
    CERTIFICATE_EVENT_TYPE_CANCELLED: _ClassVar[CertificateEventType]
    CERTIFICATE_EVENT_TYPE_RENEWED: _ClassVar[CertificateEventType]
    CERTIFICATE_EVENT_TYPE_TRANSFERRED_OUT: _ClassVar[CertificateEventType]
    CERTIFICATE_EVENT_TYPE_HOLDER_DETAILS_CHANGED: _ClassVar[CertificateEventType]
    CERTIFICATE_EVENT_TYPE_RETRACTED: _ClassVar[CertificateEventType]

class Verdict(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    VERDICT_UNSPECIFIED: _ClassVar[Verdict]
    VERDICT_CREDIBLE: _ClassVar[Verdict]
    VERDICT_NOT_ACCREDITED: _ClassVar[Verdict]
    VERDICT_NOT_VALID: _ClassVar[Verdict]
    VERDICT_UNKNOWN: _ClassVar[Verdict]
CERTIFICATE_STATUS_UNSPECIFIED: CertificateStatus
CERTIFICATE_STATUS_NOT_YET_VALID: CertificateStatus
CERTIFICATE_STATUS_VALID: CertificateStatus
CERTIFICATE_STATUS_SUSPENDED: CertificateStatus
CERTIFICATE_STATUS_WITHDRAWN: CertificateStatus
CERTIFICATE_STATUS_CANCELLED: CertificateStatus
CERTIFICATE_STATUS_EXPIRED: CertificateStatus
CERTIFICATE_STATUS_TRANSFERRED: CertificateStatus
CERTIFICATE_STATUS_UNKNOWN: CertificateStatus
CERTIFICATE_WARNING_UNSPECIFIED: CertificateWarning
CERTIFICATE_WARNING_SURVEILLANCE_OVERDUE: CertificateWarning
CERTIFICATE_WARNING_SUSPENSION_OVERDUE: CertificateWarning
CERTIFICATE_WARNING_EXPIRING_SOON: CertificateWarning
CERTIFICATE_EVENT_TYPE_UNSPECIFIED: CertificateEventType
CERTIFICATE_EVENT_TYPE_ISSUED: CertificateEventType
CERTIFICATE_EVENT_TYPE_SURVEILLANCE_PASSED: CertificateEventType
CERTIFICATE_EVENT_TYPE_SCOPE_CHANGED: CertificateEventType
CERTIFICATE_EVENT_TYPE_SUSPENDED: CertificateEventType
CERTIFICATE_EVENT_TYPE_REINSTATED: CertificateEventType
CERTIFICATE_EVENT_TYPE_WITHDRAWN: CertificateEventType
CERTIFICATE_EVENT_TYPE_CANCELLED: CertificateEventType
CERTIFICATE_EVENT_TYPE_RENEWED: CertificateEventType
CERTIFICATE_EVENT_TYPE_TRANSFERRED_OUT: CertificateEventType
CERTIFICATE_EVENT_TYPE_HOLDER_DETAILS_CHANGED: CertificateEventType
CERTIFICATE_EVENT_TYPE_RETRACTED: CertificateEventType
VERDICT_UNSPECIFIED: Verdict
VERDICT_CREDIBLE: Verdict
VERDICT_NOT_ACCREDITED: Verdict
VERDICT_NOT_VALID: Verdict
VERDICT_UNKNOWN: Verdict

class CertificateRef(_message.Message):
    __slots__ = ("certification_body_id", "certificate_number")
    CERTIFICATION_BODY_ID_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    certification_body_id: str
    certificate_number: str
    def __init__(self, certification_body_id: _Optional[str] = ..., certificate_number: _Optional[str] = ...) -> None: ...

class Organization(_message.Message):
    __slots__ = ("name", "country", "address")
    NAME_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    name: str
    country: str
    address: str
    def __init__(self, name: _Optional[str] = ..., country: _Optional[str] = ..., address: _Optional[str] = ...) -> None: ...

class Site(_message.Message):
    __slots__ = ("address", "scope")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    address: str
    scope: str
    def __init__(self, address: _Optional[str] = ..., scope: _Optional[str] = ...) -> None: ...

class Certificate(_message.Message):
    __slots__ = ("certificate", "organization", "sites", "standard", "scope", "sector_codes", "original_issue_date", "cycle_effective_date", "expiry_date", "last_audit_date", "suspended_since", "suspension_reason", "suspension_reason_confidential", "suspension_reason_withheld", "suspension_review_by", "ended_on", "end_reason", "end_reason_confidential", "end_reason_withheld", "transferred_to", "replaces")
    CERTIFICATE_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_FIELD_NUMBER: _ClassVar[int]
    SITES_FIELD_NUMBER: _ClassVar[int]
    STANDARD_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    SECTOR_CODES_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_ISSUE_DATE_FIELD_NUMBER: _ClassVar[int]
    CYCLE_EFFECTIVE_DATE_FIELD_NUMBER: _ClassVar[int]
    EXPIRY_DATE_FIELD_NUMBER: _ClassVar[int]
    LAST_AUDIT_DATE_FIELD_NUMBER: _ClassVar[int]
    SUSPENDED_SINCE_FIELD_NUMBER: _ClassVar[int]
    SUSPENSION_REASON_FIELD_NUMBER: _ClassVar[int]
    SUSPENSION_REASON_CONFIDENTIAL_FIELD_NUMBER: _ClassVar[int]
    SUSPENSION_REASON_WITHHELD_FIELD_NUMBER: _ClassVar[int]
    SUSPENSION_REVIEW_BY_FIELD_NUMBER: _ClassVar[int]
    ENDED_ON_FIELD_NUMBER: _ClassVar[int]
    END_REASON_FIELD_NUMBER: _ClassVar[int]
    END_REASON_CONFIDENTIAL_FIELD_NUMBER: _ClassVar[int]
    END_REASON_WITHHELD_FIELD_NUMBER: _ClassVar[int]
    TRANSFERRED_TO_FIELD_NUMBER: _ClassVar[int]
    REPLACES_FIELD_NUMBER: _ClassVar[int]
    certificate: CertificateRef
    organization: Organization
    sites: _containers.RepeatedCompositeFieldContainer[Site]
    standard: str
    scope: str
    sector_codes: _containers.RepeatedScalarFieldContainer[str]
    original_issue_date: _date_pb2.Date
    cycle_effective_date: _date_pb2.Date
    expiry_date: _date_pb2.Date
    last_audit_date: _date_pb2.Date
    suspended_since: _date_pb2.Date
    suspension_reason: str
    suspension_reason_confidential: bool
    suspension_reason_withheld: bool
    suspension_review_by: _date_pb2.Date
    ended_on: _date_pb2.Date
    end_reason: str
    end_reason_confidential: bool
    end_reason_withheld: bool
    transferred_to: CertificateRef
    replaces: CertificateRef
    def __init__(self, certificate: _Optional[_Union[CertificateRef, _Mapping]] = ..., organization: _Optional[_Union[Organization, _Mapping]] = ..., sites: _Optional[_Iterable[_Union[Site, _Mapping]]] = ..., standard: _Optional[str] = ..., scope: _Optional[str] = ..., sector_codes: _Optional[_Iterable[str]] = ..., original_issue_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., cycle_effective_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., expiry_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., last_audit_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., suspended_since: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., suspension_reason: _Optional[str] = ..., suspension_reason_confidential: _Optional[bool] = ..., suspension_reason_withheld: _Optional[bool] = ..., suspension_review_by: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., ended_on: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., end_reason: _Optional[str] = ..., end_reason_confidential: _Optional[bool] = ..., end_reason_withheld: _Optional[bool] = ..., transferred_to: _Optional[_Union[CertificateRef, _Mapping]] = ..., replaces: _Optional[_Union[CertificateRef, _Mapping]] = ...) -> None: ...

class CertificateEvent(_message.Message):
    __slots__ = ("certificate", "global_position", "version", "recorded_at", "effective_date", "actor", "request_id", "type", "retracted_by_version", "issued", "surveillance_passed", "scope_changed", "suspended", "reinstated", "withdrawn", "cancelled", "renewed", "transferred_out", "holder_details_changed", "retracted")
    class Issued(_message.Message):
        __slots__ = ("organization", "sites", "standard", "scope", "sector_codes", "expiry_date", "replaces")
        ORGANIZATION_FIELD_NUMBER: _ClassVar[int]
        SITES_FIELD_NUMBER: _ClassVar[int]
        STANDARD_FIELD_NUMBER: _ClassVar[int]
        SCOPE_FIELD_NUMBER: _ClassVar[int]
        SECTOR_CODES_FIELD_NUMBER: _ClassVar[int]
        EXPIRY_DATE_FIELD_NUMBER: _ClassVar[int]
        REPLACES_FIELD_NUMBER: _ClassVar[int]
        organization: Organization
        sites: _containers.RepeatedCompositeFieldContainer[Site]
        standard: str
        scope: str
        sector_codes: _containers.RepeatedScalarFieldContainer[str]
        expiry_date: _date_pb2.Date
        replaces: CertificateRef
        def __init__(self, organization: _Optional[_Union[Organization, _Mapping]] = ..., sites: _Optional[_Iterable[_Union[Site, _Mapping]]] = ..., standard: _Optional[str] = ..., scope: _Optional[str] = ..., sector_codes: _Optional[_Iterable[str]] = ..., expiry_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., replaces: _Optional[_Union[CertificateRef, _Mapping]] = ...) -> None: ...
    class SurveillancePassed(_message.Message):
        __slots__ = ()
        def __init__(self) -> None: ...
    class ScopeChanged(_message.Message):
        __slots__ = ("scope", "sites", "sector_codes")
        SCOPE_FIELD_NUMBER: _ClassVar[int]
        SITES_FIELD_NUMBER: _ClassVar[int]
        SECTOR_CODES_FIELD_NUMBER: _ClassVar[int]
        scope: str
        sites: _containers.RepeatedCompositeFieldContainer[Site]
        sector_codes: _containers.RepeatedScalarFieldContainer[str]
        def __init__(self, scope: _Optional[str] = ..., sites: _Optional[_Iterable[_Union[Site, _Mapping]]] = ..., sector_codes: _Optional[_Iterable[str]] = ...) -> None: ...
    class Suspended(_message.Message):
        __slots__ = ("reason", "review_by", "reason_confidential")
        REASON_FIELD_NUMBER: _ClassVar[int]
        REVIEW_BY_FIELD_NUMBER: _ClassVar[int]
        REASON_CONFIDENTIAL_FIELD_NUMBER: _ClassVar[int]
        reason: str
        review_by: _date_pb2.Date
        reason_confidential: bool
        def __init__(self, reason: _Optional[str] = ..., review_by: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., reason_confidential: _Optional[bool] = ...) -> None: ...
    class Reinstated(_message.Message):
        __slots__ = ()
        def __init__(self) -> None: ...
    class Withdrawn(_message.Message):
        __slots__ = ("reason", "reason_confidential")
        REASON_FIELD_NUMBER: _ClassVar[int]
        REASON_CONFIDENTIAL_FIELD_NUMBER: _ClassVar[int]
        reason: str
        reason_confidential: bool
        def __init__(self, reason: _Optional[str] = ..., reason_confidential: _Optional[bool] = ...) -> None: ...
    class Cancelled(_message.Message):
        __slots__ = ("reason", "reason_confidential")
        REASON_FIELD_NUMBER: _ClassVar[int]
        REASON_CONFIDENTIAL_FIELD_NUMBER: _ClassVar[int]
        reason: str
        reason_confidential: bool
        def __init__(self, reason: _Optional[str] = ..., reason_confidential: _Optional[bool] = ...) -> None: ...
    class Renewed(_message.Message):
        __slots__ = ("expiry_date",)
        EXPIRY_DATE_FIELD_NUMBER: _ClassVar[int]
        expiry_date: _date_pb2.Date
        def __init__(self, expiry_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ...) -> None: ...
    class TransferredOut(_message.Message):
        __slots__ = ("to_certificate",)
        TO_CERTIFICATE_FIELD_NUMBER: _ClassVar[int]
        to_certificate: CertificateRef
        def __init__(self, to_certificate: _Optional[_Union[CertificateRef, _Mapping]] = ...) -> None: ...
    class HolderDetailsChanged(_message.Message):
        __slots__ = ("organization",)
        ORGANIZATION_FIELD_NUMBER: _ClassVar[int]
        organization: Organization
        def __init__(self, organization: _Optional[_Union[Organization, _Mapping]] = ...) -> None: ...
    class Retracted(_message.Message):
        __slots__ = ("retracted_version", "reason")
        RETRACTED_VERSION_FIELD_NUMBER: _ClassVar[int]
        REASON_FIELD_NUMBER: _ClassVar[int]
        retracted_version: int
        reason: str
        def __init__(self, retracted_version: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...
    CERTIFICATE_FIELD_NUMBER: _ClassVar[int]
    GLOBAL_POSITION_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_DATE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    RETRACTED_BY_VERSION_FIELD_NUMBER: _ClassVar[int]
    ISSUED_FIELD_NUMBER: _ClassVar[int]
    SURVEILLANCE_PASSED_FIELD_NUMBER: _ClassVar[int]
    SCOPE_CHANGED_FIELD_NUMBER: _ClassVar[int]
    SUSPENDED_FIELD_NUMBER: _ClassVar[int]
    REINSTATED_FIELD_NUMBER: _ClassVar[int]
    WITHDRAWN_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_FIELD_NUMBER: _ClassVar[int]
    RENEWED_FIELD_NUMBER: _ClassVar[int]
    TRANSFERRED_OUT_FIELD_NUMBER: _ClassVar[int]
    HOLDER_DETAILS_CHANGED_FIELD_NUMBER: _ClassVar[int]
    RETRACTED_FIELD_NUMBER: _ClassVar[int]
    certificate: CertificateRef
    global_position: int
    version: int
    recorded_at: _timestamp_pb2.Timestamp
    effective_date: _date_pb2.Date
    actor: str
    request_id: str
    type: CertificateEventType
    retracted_by_version: int
    issued: CertificateEvent.Issued
    surveillance_passed: CertificateEvent.SurveillancePassed
    scope_changed: CertificateEvent.ScopeChanged
    suspended: CertificateEvent.Suspended
    reinstated: CertificateEvent.Reinstated
    withdrawn: CertificateEvent.Withdrawn
    cancelled: CertificateEvent.Cancelled
    renewed: CertificateEvent.Renewed
    transferred_out: CertificateEvent.TransferredOut
    holder_details_changed: CertificateEvent.HolderDetailsChanged
    retracted: CertificateEvent.Retracted
    def __init__(self, certificate: _Optional[_Union[CertificateRef, _Mapping]] = ..., global_position: _Optional[int] = ..., version: _Optional[int] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., effective_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., actor: _Optional[str] = ..., request_id: _Optional[str] = ..., type: _Optional[_Union[CertificateEventType, str]] = ..., retracted_by_version: _Optional[int] = ..., issued: _Optional[_Union[CertificateEvent.Issued, _Mapping]] = ..., surveillance_passed: _Optional[_Union[CertificateEvent.SurveillancePassed, _Mapping]] = ..., scope_changed: _Optional[_Union[CertificateEvent.ScopeChanged, _Mapping]] = ..., suspended: _Optional[_Union[CertificateEvent.Suspended, _Mapping]] = ..., reinstated: _Optional[_Union[CertificateEvent.Reinstated, _Mapping]] = ..., withdrawn: _Optional[_Union[CertificateEvent.Withdrawn, _Mapping]] = ..., cancelled: _Optional[_Union[CertificateEvent.Cancelled, _Mapping]] = ..., renewed: _Optional[_Union[CertificateEvent.Renewed, _Mapping]] = ..., transferred_out: _Optional[_Union[CertificateEvent.TransferredOut, _Mapping]] = ..., holder_details_changed: _Optional[_Union[CertificateEvent.HolderDetailsChanged, _Mapping]] = ..., retracted: _Optional[_Union[CertificateEvent.Retracted, _Mapping]] = ...) -> None: ...

class IssueCertificateRequest(_message.Message):
    __slots__ = ("certificate", "request_id", "effective_date", "expected_version", "organization", "sites", "standard", "scope", "sector_codes", "expiry_date")
    CERTIFICATE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_DATE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_FIELD_NUMBER: _ClassVar[int]
    SITES_FIELD_NUMBER: _ClassVar[int]
    STANDARD_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    SECTOR_CODES_FIELD_NUMBER: _ClassVar[int]
    EXPIRY_DATE_FIELD_NUMBER: _ClassVar[int]
    certificate: CertificateRef
    request_id: str
    effective_date: _date_pb2.Date
    expected_version: int
    organization: Organization
    sites: _containers.RepeatedCompositeFieldContainer[Site]
    standard: str
    scope: str
    sector_codes: _containers.RepeatedScalarFieldContainer[str]
    expiry_date: _date_pb2.Date
    def __init__(self, certificate: _Optional[_Union[CertificateRef, _Mapping]] = ..., request_id: _Optional[str] = ..., effective_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., expected_version: _Optional[int] = ..., organization: _Optional[_Union[Organization, _Mapping]] = ..., sites: _Optional[_Iterable[_Union[Site, _Mapping]]] = ..., standard: _Optional[str] = ..., scope: _Optional[str] = ..., sector_codes: _Optional[_Iterable[str]] = ..., expiry_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ...) -> None: ...

class IssueCertificateResponse(_message.Message):
    __slots__ = ("version", "recorded_at")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    version: int
    recorded_at: _timestamp_pb2.Timestamp
    def __init__(self, version: _Optional[int] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RecordSurveillanceRequest(_message.Message):
    __slots__ = ("certificate", "request_id", "effective_date", "expected_version")
    CERTIFICATE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_DATE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    certificate: CertificateRef
    request_id: str
    effective_date: _date_pb2.Date
    expected_version: int
    def __init__(self, certificate: _Optional[_Union[CertificateRef, _Mapping]] = ..., request_id: _Optional[str] = ..., effective_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., expected_version: _Optional[int] = ...) -> None: ...

class RecordSurveillanceResponse(_message.Message):
    __slots__ = ("version", "recorded_at")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    version: int
    recorded_at: _timestamp_pb2.Timestamp
    def __init__(self, version: _Optional[int] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ChangeScopeRequest(_message.Message):
    __slots__ = ("certificate", "request_id", "effective_date", "expected_version", "scope", "sites", "sector_codes")
    CERTIFICATE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_DATE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    SITES_FIELD_NUMBER: _ClassVar[int]
    SECTOR_CODES_FIELD_NUMBER: _ClassVar[int]
    certificate: CertificateRef
    request_id: str
    effective_date: _date_pb2.Date
    expected_version: int
    scope: str
    sites: _containers.RepeatedCompositeFieldContainer[Site]
    sector_codes: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, certificate: _Optional[_Union[CertificateRef, _Mapping]] = ..., request_id: _Optional[str] = ..., effective_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., expected_version: _Optional[int] = ..., scope: _Optional[str] = ..., sites: _Optional[_Iterable[_Union[Site, _Mapping]]] = ..., sector_codes: _Optional[_Iterable[str]] = ...) -> None: ...

class ChangeScopeResponse(_message.Message):
    __slots__ = ("version", "recorded_at")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    version: int
    recorded_at: _timestamp_pb2.Timestamp
    def __init__(self, version: _Optional[int] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SuspendCertificateRequest(_message.Message):
    __slots__ = ("certificate", "request_id", "effective_date", "expected_version", "reason", "review_by", "reason_confidential")
    CERTIFICATE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_DATE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REVIEW_BY_FIELD_NUMBER: _ClassVar[int]
    REASON_CONFIDENTIAL_FIELD_NUMBER: _ClassVar[int]
    certificate: CertificateRef
    request_id: str
    effective_date: _date_pb2.Date
    expected_version: int
    reason: str
    review_by: _date_pb2.Date
    reason_confidential: bool
    def __init__(self, certificate: _Optional[_Union[CertificateRef, _Mapping]] = ..., request_id: _Optional[str] = ..., effective_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., expected_version: _Optional[int] = ..., reason: _Optional[str] = ..., review_by: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., reason_confidential: _Optional[bool] = ...) -> None: ...

class SuspendCertificateResponse(_message.Message):
    __slots__ = ("version", "recorded_at")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    version: int
    recorded_at: _timestamp_pb2.Timestamp
    def __init__(self, version: _Optional[int] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ReinstateCertificateRequest(_message.Message):
    __slots__ = ("certificate", "request_id", "effective_date", "expected_version")
    CERTIFICATE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_DATE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    certificate: CertificateRef
    request_id: str
    effective_date: _date_pb2.Date
    expected_version: int
    def __init__(self, certificate: _Optional[_Union[CertificateRef, _Mapping]] = ..., request_id: _Optional[str] = ..., effective_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., expected_version: _Optional[int] = ...) -> None: ...

class ReinstateCertificateResponse(_message.Message):
    __slots__ = ("version", "recorded_at")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    version: int
    recorded_at: _timestamp_pb2.Timestamp
    def __init__(self, version: _Optional[int] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class WithdrawCertificateRequest(_message.Message):
    __slots__ = ("certificate", "request_id", "effective_date", "expected_version", "reason", "reason_confidential")
    CERTIFICATE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_DATE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REASON_CONFIDENTIAL_FIELD_NUMBER: _ClassVar[int]
    certificate: CertificateRef
    request_id: str
    effective_date: _date_pb2.Date
    expected_version: int
    reason: str
    reason_confidential: bool
    def __init__(self, certificate: _Optional[_Union[CertificateRef, _Mapping]] = ..., request_id: _Optional[str] = ..., effective_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., expected_version: _Optional[int] = ..., reason: _Optional[str] = ..., reason_confidential: _Optional[bool] = ...) -> None: ...

class WithdrawCertificateResponse(_message.Message):
    __slots__ = ("version", "recorded_at")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    version: int
    recorded_at: _timestamp_pb2.Timestamp
    def __init__(self, version: _Optional[int] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CancelCertificateRequest(_message.Message):
    __slots__ = ("certificate", "request_id", "effective_date", "expected_version", "reason", "reason_confidential")
    CERTIFICATE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_DATE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REASON_CONFIDENTIAL_FIELD_NUMBER: _ClassVar[int]
    certificate: CertificateRef
    request_id: str
    effective_date: _date_pb2.Date
    expected_version: int
    reason: str
    reason_confidential: bool
    def __init__(self, certificate: _Optional[_Union[CertificateRef, _Mapping]] = ..., request_id: _Optional[str] = ..., effective_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., expected_version: _Optional[int] = ..., reason: _Optional[str] = ..., reason_confidential: _Optional[bool] = ...) -> None: ...

class CancelCertificateResponse(_message.Message):
    __slots__ = ("version", "recorded_at")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    version: int
    recorded_at: _timestamp_pb2.Timestamp
    def __init__(self, version: _Optional[int] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RenewCertificateRequest(_message.Message):
    __slots__ = ("certificate", "request_id", "effective_date", "expected_version", "expiry_date")
    CERTIFICATE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_DATE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    EXPIRY_DATE_FIELD_NUMBER: _ClassVar[int]
    certificate: CertificateRef
    request_id: str
    effective_date: _date_pb2.Date
    expected_version: int
    expiry_date: _date_pb2.Date
    def __init__(self, certificate: _Optional[_Union[CertificateRef, _Mapping]] = ..., request_id: _Optional[str] = ..., effective_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., expected_version: _Optional[int] = ..., expiry_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ...) -> None: ...

class RenewCertificateResponse(_message.Message):
    __slots__ = ("version", "recorded_at")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    version: int
    recorded_at: _timestamp_pb2.Timestamp
    def __init__(self, version: _Optional[int] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class TransferCertificateRequest(_message.Message):
    __slots__ = ("certificate", "from_certificate", "request_id", "effective_date", "expected_version", "organization", "sites", "standard", "scope", "sector_codes", "expiry_date")
    CERTIFICATE_FIELD_NUMBER: _ClassVar[int]
    FROM_CERTIFICATE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_DATE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_FIELD_NUMBER: _ClassVar[int]
    SITES_FIELD_NUMBER: _ClassVar[int]
    STANDARD_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    SECTOR_CODES_FIELD_NUMBER: _ClassVar[int]
    EXPIRY_DATE_FIELD_NUMBER: _ClassVar[int]
    certificate: CertificateRef
    from_certificate: CertificateRef
    request_id: str
    effective_date: _date_pb2.Date
    expected_version: int
    organization: Organization
    sites: _containers.RepeatedCompositeFieldContainer[Site]
    standard: str
    scope: str
    sector_codes: _containers.RepeatedScalarFieldContainer[str]
    expiry_date: _date_pb2.Date
    def __init__(self, certificate: _Optional[_Union[CertificateRef, _Mapping]] = ..., from_certificate: _Optional[_Union[CertificateRef, _Mapping]] = ..., request_id: _Optional[str] = ..., effective_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., expected_version: _Optional[int] = ..., organization: _Optional[_Union[Organization, _Mapping]] = ..., sites: _Optional[_Iterable[_Union[Site, _Mapping]]] = ..., standard: _Optional[str] = ..., scope: _Optional[str] = ..., sector_codes: _Optional[_Iterable[str]] = ..., expiry_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ...) -> None: ...

class TransferCertificateResponse(_message.Message):
    __slots__ = ("version", "recorded_at", "from_version")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    FROM_VERSION_FIELD_NUMBER: _ClassVar[int]
    version: int
    recorded_at: _timestamp_pb2.Timestamp
    from_version: int
    def __init__(self, version: _Optional[int] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., from_version: _Optional[int] = ...) -> None: ...

class ChangeHolderDetailsRequest(_message.Message):
    __slots__ = ("certificate", "request_id", "effective_date", "expected_version", "organization")
    CERTIFICATE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_DATE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_FIELD_NUMBER: _ClassVar[int]
    certificate: CertificateRef
    request_id: str
    effective_date: _date_pb2.Date
    expected_version: int
    organization: Organization
    def __init__(self, certificate: _Optional[_Union[CertificateRef, _Mapping]] = ..., request_id: _Optional[str] = ..., effective_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., expected_version: _Optional[int] = ..., organization: _Optional[_Union[Organization, _Mapping]] = ...) -> None: ...

class ChangeHolderDetailsResponse(_message.Message):
    __slots__ = ("version", "recorded_at")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    version: int
    recorded_at: _timestamp_pb2.Timestamp
    def __init__(self, version: _Optional[int] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RetractEventRequest(_message.Message):
    __slots__ = ("certificate", "request_id", "effective_date", "expected_version", "event_version", "reason")
    CERTIFICATE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_DATE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    EVENT_VERSION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    certificate: CertificateRef
    request_id: str
    effective_date: _date_pb2.Date
    expected_version: int
    event_version: int
    reason: str
    def __init__(self, certificate: _Optional[_Union[CertificateRef, _Mapping]] = ..., request_id: _Optional[str] = ..., effective_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., expected_version: _Optional[int] = ..., event_version: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class RetractEventResponse(_message.Message):
    __slots__ = ("version", "recorded_at")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    version: int
    recorded_at: _timestamp_pb2.Timestamp
    def __init__(self, version: _Optional[int] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetCertificateStatusRequest(_message.Message):
    __slots__ = ("certificate", "at", "as_of")
    CERTIFICATE_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    certificate: CertificateRef
    at: _date_pb2.Date
    as_of: _timestamp_pb2.Timestamp
    def __init__(self, certificate: _Optional[_Union[CertificateRef, _Mapping]] = ..., at: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetCertificateStatusResponse(_message.Message):
    __slots__ = ("status", "certificate", "warnings", "version", "at", "as_of", "log_position")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATE_FIELD_NUMBER: _ClassVar[int]
    WARNINGS_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    LOG_POSITION_FIELD_NUMBER: _ClassVar[int]
    status: CertificateStatus
    certificate: Certificate
    warnings: _containers.RepeatedScalarFieldContainer[CertificateWarning]
    version: int
    at: _date_pb2.Date
    as_of: _timestamp_pb2.Timestamp
    log_position: int
    def __init__(self, status: _Optional[_Union[CertificateStatus, str]] = ..., certificate: _Optional[_Union[Certificate, _Mapping]] = ..., warnings: _Optional[_Iterable[_Union[CertificateWarning, str]]] = ..., version: _Optional[int] = ..., at: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., log_position: _Optional[int] = ...) -> None: ...

class GetCertificateHistoryRequest(_message.Message):
    __slots__ = ("certificate", "page_size", "page_token", "as_of")
    CERTIFICATE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    certificate: CertificateRef
    page_size: int
    page_token: str
    as_of: _timestamp_pb2.Timestamp
    def __init__(self, certificate: _Optional[_Union[CertificateRef, _Mapping]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetCertificateHistoryResponse(_message.Message):
    __slots__ = ("events", "next_page_token", "as_of", "log_position")
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    LOG_POSITION_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[CertificateEvent]
    next_page_token: str
    as_of: _timestamp_pb2.Timestamp
    log_position: int
    def __init__(self, events: _Optional[_Iterable[_Union[CertificateEvent, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., log_position: _Optional[int] = ...) -> None: ...

class BatchCommand(_message.Message):
    __slots__ = ("issue_certificate", "record_surveillance", "change_scope", "suspend_certificate", "reinstate_certificate", "withdraw_certificate", "cancel_certificate", "renew_certificate", "transfer_certificate", "change_holder_details", "retract_event")
    ISSUE_CERTIFICATE_FIELD_NUMBER: _ClassVar[int]
    RECORD_SURVEILLANCE_FIELD_NUMBER: _ClassVar[int]
    CHANGE_SCOPE_FIELD_NUMBER: _ClassVar[int]
    SUSPEND_CERTIFICATE_FIELD_NUMBER: _ClassVar[int]
    REINSTATE_CERTIFICATE_FIELD_NUMBER: _ClassVar[int]
    WITHDRAW_CERTIFICATE_FIELD_NUMBER: _ClassVar[int]
    CANCEL_CERTIFICATE_FIELD_NUMBER: _ClassVar[int]
    RENEW_CERTIFICATE_FIELD_NUMBER: _ClassVar[int]
    TRANSFER_CERTIFICATE_FIELD_NUMBER: _ClassVar[int]
    CHANGE_HOLDER_DETAILS_FIELD_NUMBER: _ClassVar[int]
    RETRACT_EVENT_FIELD_NUMBER: _ClassVar[int]
    issue_certificate: IssueCertificateRequest
    record_surveillance: RecordSurveillanceRequest
    change_scope: ChangeScopeRequest
    suspend_certificate: SuspendCertificateRequest
    reinstate_certificate: ReinstateCertificateRequest
    withdraw_certificate: WithdrawCertificateRequest
    cancel_certificate: CancelCertificateRequest
    renew_certificate: RenewCertificateRequest
    transfer_certificate: TransferCertificateRequest
    change_holder_details: ChangeHolderDetailsRequest
    retract_event: RetractEventRequest
    def __init__(self, issue_certificate: _Optional[_Union[IssueCertificateRequest, _Mapping]] = ..., record_surveillance: _Optional[_Union[RecordSurveillanceRequest, _Mapping]] = ..., change_scope: _Optional[_Union[ChangeScopeRequest, _Mapping]] = ..., suspend_certificate: _Optional[_Union[SuspendCertificateRequest, _Mapping]] = ..., reinstate_certificate: _Optional[_Union[ReinstateCertificateRequest, _Mapping]] = ..., withdraw_certificate: _Optional[_Union[WithdrawCertificateRequest, _Mapping]] = ..., cancel_certificate: _Optional[_Union[CancelCertificateRequest, _Mapping]] = ..., renew_certificate: _Optional[_Union[RenewCertificateRequest, _Mapping]] = ..., transfer_certificate: _Optional[_Union[TransferCertificateRequest, _Mapping]] = ..., change_holder_details: _Optional[_Union[ChangeHolderDetailsRequest, _Mapping]] = ..., retract_event: _Optional[_Union[RetractEventRequest, _Mapping]] = ...) -> None: ...

class PublishBatchRequest(_message.Message):
    __slots__ = ("commands",)
    COMMANDS_FIELD_NUMBER: _ClassVar[int]
    commands: _containers.RepeatedCompositeFieldContainer[BatchCommand]
    def __init__(self, commands: _Optional[_Iterable[_Union[BatchCommand, _Mapping]]] = ...) -> None: ...

class BatchResult(_message.Message):
    __slots__ = ("code", "message", "version", "recorded_at", "from_version")
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    FROM_VERSION_FIELD_NUMBER: _ClassVar[int]
    code: _code_pb2.Code
    message: str
    version: int
    recorded_at: _timestamp_pb2.Timestamp
    from_version: int
    def __init__(self, code: _Optional[_Union[_code_pb2.Code, str]] = ..., message: _Optional[str] = ..., version: _Optional[int] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., from_version: _Optional[int] = ...) -> None: ...

class PublishBatchResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[BatchResult]
    def __init__(self, results: _Optional[_Iterable[_Union[BatchResult, _Mapping]]] = ...) -> None: ...

class SearchCertificatesRequest(_message.Message):
    __slots__ = ("organization_name", "certificate_number", "certification_body_id", "standard", "country", "sector_code", "status", "at", "page_size", "page_token")
    ORGANIZATION_NAME_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATION_BODY_ID_FIELD_NUMBER: _ClassVar[int]
    STANDARD_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    SECTOR_CODE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    organization_name: str
    certificate_number: str
    certification_body_id: str
    standard: str
    country: str
    sector_code: str
    status: CertificateStatus
    at: _date_pb2.Date
    page_size: int
    page_token: str
    def __init__(self, organization_name: _Optional[str] = ..., certificate_number: _Optional[str] = ..., certification_body_id: _Optional[str] = ..., standard: _Optional[str] = ..., country: _Optional[str] = ..., sector_code: _Optional[str] = ..., status: _Optional[_Union[CertificateStatus, str]] = ..., at: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class CertificateSummary(_message.Message):
    __slots__ = ("certificate", "organization", "standard", "scope", "sector_codes", "expiry_date", "status", "verdict")
    CERTIFICATE_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_FIELD_NUMBER: _ClassVar[int]
    STANDARD_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    SECTOR_CODES_FIELD_NUMBER: _ClassVar[int]
    EXPIRY_DATE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    VERDICT_FIELD_NUMBER: _ClassVar[int]
    certificate: CertificateRef
    organization: Organization
    standard: str
    scope: str
    sector_codes: _containers.RepeatedScalarFieldContainer[str]
    expiry_date: _date_pb2.Date
    status: CertificateStatus
    verdict: Verdict
    def __init__(self, certificate: _Optional[_Union[CertificateRef, _Mapping]] = ..., organization: _Optional[_Union[Organization, _Mapping]] = ..., standard: _Optional[str] = ..., scope: _Optional[str] = ..., sector_codes: _Optional[_Iterable[str]] = ..., expiry_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., status: _Optional[_Union[CertificateStatus, str]] = ..., verdict: _Optional[_Union[Verdict, str]] = ...) -> None: ...

class SearchCertificatesResponse(_message.Message):
    __slots__ = ("certificates", "next_page_token", "at", "log_position", "as_of")
    CERTIFICATES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    LOG_POSITION_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    certificates: _containers.RepeatedCompositeFieldContainer[CertificateSummary]
    next_page_token: str
    at: _date_pb2.Date
    log_position: int
    as_of: _timestamp_pb2.Timestamp
    def __init__(self, certificates: _Optional[_Iterable[_Union[CertificateSummary, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., at: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., log_position: _Optional[int] = ..., as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
