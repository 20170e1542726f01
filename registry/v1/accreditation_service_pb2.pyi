import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.rpc import code_pb2 as _code_pb2
from google.type import date_pb2 as _date_pb2
from registry.v1 import certificate_service_pb2 as _certificate_service_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AccreditationStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ACCREDITATION_STATUS_UNSPECIFIED: _ClassVar[AccreditationStatus]
    ACCREDITATION_STATUS_NOT_GRANTED: _ClassVar[AccreditationStatus]
    ACCREDITATION_STATUS_ACTIVE: _ClassVar[AccreditationStatus]
    ACCREDITATION_STATUS_SUSPENDED: _ClassVar[AccreditationStatus]
    ACCREDITATION_STATUS_WITHDRAWN: _ClassVar[AccreditationStatus]
    ACCREDITATION_STATUS_EXPIRED: _ClassVar[AccreditationStatus]

class VerificationStepKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    VERIFICATION_STEP_KIND_UNSPECIFIED: _ClassVar[VerificationStepKind]
    VERIFICATION_STEP_KIND_EXISTS: _ClassVar[VerificationStepKind]
    VERIFICATION_STEP_KIND_VALID: _ClassVar[VerificationStepKind]
    VERIFICATION_STEP_KIND_CLAIMED_STANDARD: _ClassVar[VerificationStepKind]
    VERIFICATION_STEP_KIND_CLAIMED_ORGANIZATION_NAME: _ClassVar[VerificationStepKind]
    VERIFICATION_STEP_KIND_CLAIMED_SITE: _ClassVar[VerificationStepKind]
    VERIFICATION_STEP_KIND_CLAIMED_SCOPE: _ClassVar[VerificationStepKind]
    VERIFICATION_STEP_KIND_ACCREDITED: _ClassVar[VerificationStepKind]
    VERIFICATION_STEP_KIND_MLA_SIGNATORY: _ClassVar[VerificationStepKind]
ACCREDITATION_STATUS_UNSPECIFIED: AccreditationStatus
ACCREDITATION_STATUS_NOT_GRANTED: AccreditationStatus
ACCREDITATION_STATUS_ACTIVE: AccreditationStatus
ACCREDITATION_STATUS_SUSPENDED: AccreditationStatus
ACCREDITATION_STATUS_WITHDRAWN: AccreditationStatus
ACCREDITATION_STATUS_EXPIRED: AccreditationStatus
VERIFICATION_STEP_KIND_UNSPECIFIED: VerificationStepKind
VERIFICATION_STEP_KIND_EXISTS: VerificationStepKind
VERIFICATION_STEP_KIND_VALID: VerificationStepKind
VERIFICATION_STEP_KIND_CLAIMED_STANDARD: VerificationStepKind
VERIFICATION_STEP_KIND_CLAIMED_ORGANIZATION_NAME: VerificationStepKind
VERIFICATION_STEP_KIND_CLAIMED_SITE: VerificationStepKind
VERIFICATION_STEP_KIND_CLAIMED_SCOPE: VerificationStepKind
VERIFICATION_STEP_KIND_ACCREDITED: VerificationStepKind
VERIFICATION_STEP_KIND_MLA_SIGNATORY: VerificationStepKind

class GrantAccreditationRequest(_message.Message):
    __slots__ = ("accreditation_body_id", "certification_body_id", "request_id", "effective_date", "expected_version", "standards", "sector_codes", "expiry_date")
    ACCREDITATION_BODY_ID_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATION_BODY_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_DATE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    STANDARDS_FIELD_NUMBER: _ClassVar[int]
    SECTOR_CODES_FIELD_NUMBER: _ClassVar[int]
    EXPIRY_DATE_FIELD_NUMBER: _ClassVar[int]
    accreditation_body_id: str
    certification_body_id: str
    request_id: str
    effective_date: _date_pb2.Date
    expected_version: int
    standards: _containers.RepeatedScalarFieldContainer[str]
    sector_codes: _containers.RepeatedScalarFieldContainer[str]
    expiry_date: _date_pb2.Date
    def __init__(self, accreditation_body_id: _Optional[str] = ..., certification_body_id: _Optional[str] = ..., request_id: _Optional[str] = ..., effective_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., expected_version: _Optional[int] = ..., standards: _Optional[_Iterable[str]] = ..., sector_codes: _Optional[_Iterable[str]] = ..., expiry_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ...) -> None: ...

class ChangeAccreditationScopeRequest(_message.Message):
    __slots__ = ("accreditation_body_id", "certification_body_id", "request_id", "effective_date", "expected_version", "standards", "sector_codes")
    ACCREDITATION_BODY_ID_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATION_BODY_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_DATE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    STANDARDS_FIELD_NUMBER: _ClassVar[int]
    SECTOR_CODES_FIELD_NUMBER: _ClassVar[int]
    accreditation_body_id: str
    certification_body_id: str
    request_id: str
    effective_date: _date_pb2.Date
    expected_version: int
    standards: _containers.RepeatedScalarFieldContainer[str]
    sector_codes: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, accreditation_body_id: _Optional[str] = ..., certification_body_id: _Optional[str] = ..., request_id: _Optional[str] = ..., effective_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., expected_version: _Optional[int] = ..., standards: _Optional[_Iterable[str]] = ..., sector_codes: _Optional[_Iterable[str]] = ...) -> None: ...

class SuspendAccreditationRequest(_message.Message):
    __slots__ = ("accreditation_body_id", "certification_body_id", "request_id", "effective_date", "expected_version", "reason")
    ACCREDITATION_BODY_ID_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATION_BODY_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_DATE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    accreditation_body_id: str
    certification_body_id: str
    request_id: str
    effective_date: _date_pb2.Date
    expected_version: int
    reason: str
    def __init__(self, accreditation_body_id: _Optional[str] = ..., certification_body_id: _Optional[str] = ..., request_id: _Optional[str] = ..., effective_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., expected_version: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class ReinstateAccreditationRequest(_message.Message):
    __slots__ = ("accreditation_body_id", "certification_body_id", "request_id", "effective_date", "expected_version")
    ACCREDITATION_BODY_ID_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATION_BODY_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_DATE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    accreditation_body_id: str
    certification_body_id: str
    request_id: str
    effective_date: _date_pb2.Date
    expected_version: int
    def __init__(self, accreditation_body_id: _Optional[str] = ..., certification_body_id: _Optional[str] = ..., request_id: _Optional[str] = ..., effective_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., expected_version: _Optional[int] = ...) -> None: ...

class WithdrawAccreditationRequest(_message.Message):
    __slots__ = ("accreditation_body_id", "certification_body_id", "request_id", "effective_date", "expected_version", "reason")
    ACCREDITATION_BODY_ID_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATION_BODY_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_DATE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    accreditation_body_id: str
    certification_body_id: str
    request_id: str
    effective_date: _date_pb2.Date
    expected_version: int
    reason: str
    def __init__(self, accreditation_body_id: _Optional[str] = ..., certification_body_id: _Optional[str] = ..., request_id: _Optional[str] = ..., effective_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., expected_version: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class GrantAccreditationResponse(_message.Message):
    __slots__ = ("version", "recorded_at")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    version: int
    recorded_at: _timestamp_pb2.Timestamp
    def __init__(self, version: _Optional[int] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ChangeAccreditationScopeResponse(_message.Message):
    __slots__ = ("version", "recorded_at")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    version: int
    recorded_at: _timestamp_pb2.Timestamp
    def __init__(self, version: _Optional[int] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SuspendAccreditationResponse(_message.Message):
    __slots__ = ("version", "recorded_at")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    version: int
    recorded_at: _timestamp_pb2.Timestamp
    def __init__(self, version: _Optional[int] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ReinstateAccreditationResponse(_message.Message):
    __slots__ = ("version", "recorded_at")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    version: int
    recorded_at: _timestamp_pb2.Timestamp
    def __init__(self, version: _Optional[int] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class WithdrawAccreditationResponse(_message.Message):
    __slots__ = ("version", "recorded_at")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    version: int
    recorded_at: _timestamp_pb2.Timestamp
    def __init__(self, version: _Optional[int] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetAccreditationRequest(_message.Message):
    __slots__ = ("accreditation_body_id", "certification_body_id", "at", "as_of")
    ACCREDITATION_BODY_ID_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATION_BODY_ID_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    accreditation_body_id: str
    certification_body_id: str
    at: _date_pb2.Date
    as_of: _timestamp_pb2.Timestamp
    def __init__(self, accreditation_body_id: _Optional[str] = ..., certification_body_id: _Optional[str] = ..., at: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Accreditation(_message.Message):
    __slots__ = ("accreditation_body_id", "certification_body_id", "status", "standards", "sector_codes", "granted_on", "cycle_start", "expiry_date", "suspended_since", "withdrawn_on", "reason")
    ACCREDITATION_BODY_ID_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATION_BODY_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STANDARDS_FIELD_NUMBER: _ClassVar[int]
    SECTOR_CODES_FIELD_NUMBER: _ClassVar[int]
    GRANTED_ON_FIELD_NUMBER: _ClassVar[int]
    CYCLE_START_FIELD_NUMBER: _ClassVar[int]
    EXPIRY_DATE_FIELD_NUMBER: _ClassVar[int]
    SUSPENDED_SINCE_FIELD_NUMBER: _ClassVar[int]
    WITHDRAWN_ON_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    accreditation_body_id: str
    certification_body_id: str
    status: AccreditationStatus
    standards: _containers.RepeatedScalarFieldContainer[str]
    sector_codes: _containers.RepeatedScalarFieldContainer[str]
    granted_on: _date_pb2.Date
    cycle_start: _date_pb2.Date
    expiry_date: _date_pb2.Date
    suspended_since: _date_pb2.Date
    withdrawn_on: _date_pb2.Date
    reason: str
    def __init__(self, accreditation_body_id: _Optional[str] = ..., certification_body_id: _Optional[str] = ..., status: _Optional[_Union[AccreditationStatus, str]] = ..., standards: _Optional[_Iterable[str]] = ..., sector_codes: _Optional[_Iterable[str]] = ..., granted_on: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., cycle_start: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., expiry_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., suspended_since: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., withdrawn_on: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...

class GetAccreditationResponse(_message.Message):
    __slots__ = ("accreditation", "version", "at", "as_of", "log_position")
    ACCREDITATION_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    LOG_POSITION_FIELD_NUMBER: _ClassVar[int]
    accreditation: Accreditation
    version: int
    at: _date_pb2.Date
    as_of: _timestamp_pb2.Timestamp
    log_position: int
    def __init__(self, accreditation: _Optional[_Union[Accreditation, _Mapping]] = ..., version: _Optional[int] = ..., at: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., log_position: _Optional[int] = ...) -> None: ...

class VerificationStep(_message.Message):
    __slots__ = ("kind", "passed", "reason")
    KIND_FIELD_NUMBER: _ClassVar[int]
    PASSED_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    kind: VerificationStepKind
    passed: bool
    reason: str
    def __init__(self, kind: _Optional[_Union[VerificationStepKind, str]] = ..., passed: _Optional[bool] = ..., reason: _Optional[str] = ...) -> None: ...

class VerifyCertificateRequest(_message.Message):
    __slots__ = ("certificate", "at", "as_of", "claimed_standard", "claimed_organization_name", "claimed_site", "claimed_scope")
    CERTIFICATE_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    CLAIMED_STANDARD_FIELD_NUMBER: _ClassVar[int]
    CLAIMED_ORGANIZATION_NAME_FIELD_NUMBER: _ClassVar[int]
    CLAIMED_SITE_FIELD_NUMBER: _ClassVar[int]
    CLAIMED_SCOPE_FIELD_NUMBER: _ClassVar[int]
    certificate: _certificate_service_pb2.CertificateRef
    at: _date_pb2.Date
    as_of: _timestamp_pb2.Timestamp
    claimed_standard: str
    claimed_organization_name: str
    claimed_site: str
    claimed_scope: str
    def __init__(self, certificate: _Optional[_Union[_certificate_service_pb2.CertificateRef, _Mapping]] = ..., at: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., claimed_standard: _Optional[str] = ..., claimed_organization_name: _Optional[str] = ..., claimed_site: _Optional[str] = ..., claimed_scope: _Optional[str] = ...) -> None: ...

class VerifyCertificateResponse(_message.Message):
    __slots__ = ("verdict", "steps", "status", "accreditation_body_id", "at", "as_of", "log_position")
    VERDICT_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ACCREDITATION_BODY_ID_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    LOG_POSITION_FIELD_NUMBER: _ClassVar[int]
    verdict: _certificate_service_pb2.Verdict
    steps: _containers.RepeatedCompositeFieldContainer[VerificationStep]
    status: _certificate_service_pb2.CertificateStatus
    accreditation_body_id: str
    at: _date_pb2.Date
    as_of: _timestamp_pb2.Timestamp
    log_position: int
    def __init__(self, verdict: _Optional[_Union[_certificate_service_pb2.Verdict, str]] = ..., steps: _Optional[_Iterable[_Union[VerificationStep, _Mapping]]] = ..., status: _Optional[_Union[_certificate_service_pb2.CertificateStatus, str]] = ..., accreditation_body_id: _Optional[str] = ..., at: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., log_position: _Optional[int] = ...) -> None: ...

class VerifyCertificatesRequest(_message.Message):
    __slots__ = ("items", "at", "as_of")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[VerifyCertificateRequest]
    at: _date_pb2.Date
    as_of: _timestamp_pb2.Timestamp
    def __init__(self, items: _Optional[_Iterable[_Union[VerifyCertificateRequest, _Mapping]]] = ..., at: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class VerifyCertificatesResult(_message.Message):
    __slots__ = ("code", "message", "result")
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    code: _code_pb2.Code
    message: str
    result: VerifyCertificateResponse
    def __init__(self, code: _Optional[_Union[_code_pb2.Code, str]] = ..., message: _Optional[str] = ..., result: _Optional[_Union[VerifyCertificateResponse, _Mapping]] = ...) -> None: ...

class VerifyCertificatesResponse(_message.Message):
    __slots__ = ("results", "as_of", "log_position")
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    LOG_POSITION_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[VerifyCertificatesResult]
    as_of: _timestamp_pb2.Timestamp
    log_position: int
    def __init__(self, results: _Optional[_Iterable[_Union[VerifyCertificatesResult, _Mapping]]] = ..., as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., log_position: _Optional[int] = ...) -> None: ...
