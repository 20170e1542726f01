"""DirectoryService, AccessService, AccreditationService and VerificationService:
parse the request, call the application, build the response. Who may call what is
decided before any of them runs (``registry.server.access``)."""

from __future__ import annotations

from typing import Any

from google.rpc import code_pb2

from registry.application.directory import AccreditationView, BodyView
from registry.application.registry import Registry
from registry.application.verification import VerificationItem, VerificationView
from registry.domain.accreditation import AccreditationStatus
from registry.domain.bodies import MlaStatus
from registry.domain.credibility import Claims, Step
from registry.domain.principals import Role
from registry.errors import InvalidInputError, RegistryError
from registry.server import convert
from registry.server.errors import refusal, translate_errors
from registry.server.queries import VERDICT_TO_PB
from registry.v1 import accreditation_service_pb2 as acc_pb
from registry.v1 import directory_service_pb2 as dir_pb

MLA_TO_PB = {
    MlaStatus.SIGNATORY: dir_pb.MLA_STATUS_SIGNATORY,
    MlaStatus.SUSPENDED: dir_pb.MLA_STATUS_SUSPENDED,
    MlaStatus.NOT_SIGNATORY: dir_pb.MLA_STATUS_NOT_SIGNATORY,
}
MLA_FROM_PB = {value: key for key, value in MLA_TO_PB.items()}
ACCREDITATION_STATUS_TO_PB: dict[AccreditationStatus, Any] = {
    status: acc_pb.AccreditationStatus.Value(f"ACCREDITATION_STATUS_{status.value}")
    for status in AccreditationStatus
}
STEP_TO_PB: dict[Step, Any] = {
    step: acc_pb.VerificationStepKind.Value(f"VERIFICATION_STEP_KIND_{step.value}") for step in Step
}
ROLE_FROM_PB = {
    dir_pb.ROLE_ADMIN: Role.ADMIN,
    dir_pb.ROLE_CERTIFICATION_BODY: Role.CERTIFICATION_BODY,
    dir_pb.ROLE_ACCREDITATION_BODY: Role.ACCREDITATION_BODY,
}


def _written(response_class: Any, result: Any) -> Any:
    return response_class(
        version=result.version, recorded_at=convert.to_timestamp(result.recorded_at)
    )


def _body(view: BodyView) -> dir_pb.Body:
    state = view.state
    return dir_pb.Body(
        body_id=view.body_id,
        name=state.name,
        country=state.country,
        registered_on=convert.to_date(state.registered_on),
        active=state.active,
        deactivated_on=convert.to_date(state.deactivated_on),
        deactivation_reason=state.deactivation_reason,
        version=view.version,
    )


class DirectoryServicer:
    """Registers and changes CBs and ABs; reads them on a day, as of an instant."""

    def __init__(self, app: Registry) -> None:
        self.directory = app.directory

    @translate_errors
    def RegisterCertificationBody(self, request: Any, context: Any) -> Any:
        result = self.directory.register_certification_body(
            request.certification_body_id,
            convert.write_meta(request),
            name=request.name,
            country=request.country,
        )
        return _written(dir_pb.RegisterCertificationBodyResponse, result)

    @translate_errors
    def RegisterAccreditationBody(self, request: Any, context: Any) -> Any:
        result = self.directory.register_accreditation_body(
            request.accreditation_body_id,
            convert.write_meta(request),
            name=request.name,
            country=request.country,
        )
        return _written(dir_pb.RegisterAccreditationBodyResponse, result)

    @translate_errors
    def ChangeCertificationBodyDetails(self, request: Any, context: Any) -> Any:
        result = self.directory.change_body_details(
            "cb",
            request.certification_body_id,
            convert.write_meta(request),
            name=request.name,
            country=request.country,
        )
        return _written(dir_pb.ChangeCertificationBodyDetailsResponse, result)

    @translate_errors
    def ChangeAccreditationBodyDetails(self, request: Any, context: Any) -> Any:
        result = self.directory.change_body_details(
            "ab",
            request.accreditation_body_id,
            convert.write_meta(request),
            name=request.name,
            country=request.country,
        )
        return _written(dir_pb.ChangeAccreditationBodyDetailsResponse, result)

    @translate_errors
    def DeactivateCertificationBody(self, request: Any, context: Any) -> Any:
        result = self.directory.deactivate_body(
            "cb", request.certification_body_id, convert.write_meta(request), reason=request.reason
        )
        return _written(dir_pb.DeactivateCertificationBodyResponse, result)

    @translate_errors
    def DeactivateAccreditationBody(self, request: Any, context: Any) -> Any:
        result = self.directory.deactivate_body(
            "ab", request.accreditation_body_id, convert.write_meta(request), reason=request.reason
        )
        return _written(dir_pb.DeactivateAccreditationBodyResponse, result)

    @translate_errors
    def RecordMlaStatus(self, request: Any, context: Any) -> Any:
        if request.status not in MLA_FROM_PB:
            raise InvalidInputError(
                "status: give MLA_STATUS_SIGNATORY, MLA_STATUS_SUSPENDED or "
                "MLA_STATUS_NOT_SIGNATORY"
            )
        result = self.directory.record_mla_status(
            request.accreditation_body_id,
            convert.write_meta(request),
            status=MLA_FROM_PB[request.status],
        )
        return _written(dir_pb.RecordMlaStatusResponse, result)

    @translate_errors
    def GetCertificationBody(self, request: Any, context: Any) -> Any:
        view = self.directory.get_certification_body(
            request.certification_body_id,
            at=convert.optional_date(request, "at"),
            as_of=convert.optional_instant(request, "as_of"),
        )
        return dir_pb.GetCertificationBodyResponse(
            body=_body(view),
            accreditation_body_ids=list(view.accreditors),
            at=convert.to_date(view.at),
            as_of=convert.to_timestamp(view.as_of),
            log_position=view.log_position,
        )

    @translate_errors
    def GetAccreditationBody(self, request: Any, context: Any) -> Any:
        view = self.directory.get_accreditation_body(
            request.accreditation_body_id,
            at=convert.optional_date(request, "at"),
            as_of=convert.optional_instant(request, "as_of"),
        )
        return dir_pb.GetAccreditationBodyResponse(
            body=_body(view),
            mla_status=MLA_TO_PB[view.state.mla_status],
            mla_status_since=convert.to_date(view.state.mla_status_since),
            at=convert.to_date(view.at),
            as_of=convert.to_timestamp(view.as_of),
            log_position=view.log_position,
        )


class AccessServicer:
    """Creates, revokes and lists bearer tokens."""

    def __init__(self, app: Registry) -> None:
        self.app = app

    @translate_errors
    def CreateToken(self, request: Any, context: Any) -> Any:
        role = ROLE_FROM_PB.get(request.role)
        if role is None:
            raise InvalidInputError(
                "role: give ROLE_ADMIN, ROLE_CERTIFICATION_BODY or ROLE_ACCREDITATION_BODY"
            )
        principal = self.app.directory.principal_for(role, request.body_id)
        issued = self.app.credentials.create(
            principal,
            expires_at=convert.optional_instant(request, "expires_at"),
            note=request.note,
        )
        return dir_pb.CreateTokenResponse(token=issued.token, details=_token(issued.view))

    @translate_errors
    def RevokeToken(self, request: Any, context: Any) -> Any:
        return dir_pb.RevokeTokenResponse(
            details=_token(self.app.credentials.revoke(request.token_id))
        )

    @translate_errors
    def ListTokens(self, request: Any, context: Any) -> Any:
        return dir_pb.ListTokensResponse(tokens=[_token(v) for v in self.app.credentials.tokens()])


def _token(view: Any) -> dir_pb.Token:
    return dir_pb.Token(
        token_id=view.token_id,
        principal=str(view.principal),
        created_at=convert.to_timestamp(view.created_at),
        expires_at=convert.to_timestamp(view.expires_at) if view.expires_at else None,
        revoked_at=convert.to_timestamp(view.revoked_at) if view.revoked_at else None,
        note=view.note,
    )


def _accreditation(view: AccreditationView) -> acc_pb.Accreditation:
    state = view.state
    return acc_pb.Accreditation(
        accreditation_body_id=view.accreditation_body_id,
        certification_body_id=view.certification_body_id,
        status=ACCREDITATION_STATUS_TO_PB[view.status],
        standards=list(state.standards),
        sector_codes=list(state.sector_codes),
        granted_on=convert.to_date(state.granted_on),
        cycle_start=convert.to_date(state.cycle_start),
        expiry_date=convert.to_date(state.expiry_date),
        suspended_since=convert.to_date(state.suspended_since),
        withdrawn_on=convert.to_date(state.withdrawn_on),
        reason=state.reason,
    )


class AccreditationServicer:
    """Accreditation commands, sent by the AB, and the accreditation on a day."""

    def __init__(self, app: Registry) -> None:
        self.directory = app.directory

    @translate_errors
    def GrantAccreditation(self, request: Any, context: Any) -> Any:
        result = self.directory.grant_accreditation(
            request.accreditation_body_id,
            request.certification_body_id,
            convert.write_meta(request),
            standards=list(request.standards),
            sector_codes=list(request.sector_codes),
            expiry_date=convert.optional_date(request, "expiry_date"),
        )
        return _written(acc_pb.GrantAccreditationResponse, result)

    @translate_errors
    def ChangeAccreditationScope(self, request: Any, context: Any) -> Any:
        result = self.directory.change_accreditation_scope(
            request.accreditation_body_id,
            request.certification_body_id,
            convert.write_meta(request),
            standards=list(request.standards),
            sector_codes=list(request.sector_codes),
        )
        return _written(acc_pb.ChangeAccreditationScopeResponse, result)

    @translate_errors
    def SuspendAccreditation(self, request: Any, context: Any) -> Any:
        result = self.directory.suspend_accreditation(
            request.accreditation_body_id,
            request.certification_body_id,
            convert.write_meta(request),
            reason=request.reason,
        )
        return _written(acc_pb.SuspendAccreditationResponse, result)

    @translate_errors
    def ReinstateAccreditation(self, request: Any, context: Any) -> Any:
        result = self.directory.reinstate_accreditation(
            request.accreditation_body_id,
            request.certification_body_id,
            convert.write_meta(request),
        )
        return _written(acc_pb.ReinstateAccreditationResponse, result)

    @translate_errors
    def WithdrawAccreditation(self, request: Any, context: Any) -> Any:
        result = self.directory.withdraw_accreditation(
            request.accreditation_body_id,
            request.certification_body_id,
            convert.write_meta(request),
            reason=request.reason,
        )
        return _written(acc_pb.WithdrawAccreditationResponse, result)

    @translate_errors
    def GetAccreditation(self, request: Any, context: Any) -> Any:
        view = self.directory.get_accreditation(
            request.accreditation_body_id,
            request.certification_body_id,
            at=convert.optional_date(request, "at"),
            as_of=convert.optional_instant(request, "as_of"),
        )
        return acc_pb.GetAccreditationResponse(
            accreditation=_accreditation(view),
            version=view.version,
            at=convert.to_date(view.at),
            as_of=convert.to_timestamp(view.as_of),
            log_position=view.log_position,
        )


def _claims(request: Any) -> Claims:
    return Claims(
        standard=request.claimed_standard,
        organization_name=request.claimed_organization_name,
        site=request.claimed_site,
        scope=request.claimed_scope,
    )


def to_verification(view: VerificationView) -> acc_pb.VerifyCertificateResponse:
    return acc_pb.VerifyCertificateResponse(
        verdict=VERDICT_TO_PB[view.verdict],
        steps=[
            acc_pb.VerificationStep(kind=STEP_TO_PB[s.step], passed=s.passed, reason=s.reason)
            for s in view.steps
        ],
        status=convert.STATUS_TO_PB[view.status],
        accreditation_body_id=view.accreditation_body_id,
        at=convert.to_date(view.at),
        as_of=convert.to_timestamp(view.as_of),
        log_position=view.log_position,
    )


class VerificationServicer:
    """The credibility check, for one certificate or a supplier list."""

    def __init__(self, app: Registry) -> None:
        self.verifier = app.verifier

    @translate_errors
    def VerifyCertificate(self, request: Any, context: Any) -> Any:
        view = self.verifier.verify(
            convert.ref(request.certificate),
            at=convert.optional_date(request, "at"),
            as_of=convert.optional_instant(request, "as_of"),
            claims=_claims(request),
        )
        return to_verification(view)

    @translate_errors
    def VerifyCertificates(self, request: Any, context: Any) -> Any:
        items = []
        for index, item in enumerate(request.items):
            if item.HasField("as_of"):
                raise InvalidInputError(
                    f"items[{index}].as_of: a list is checked as of one instant; give as_of "
                    "on the request"
                )
            items.append(
                VerificationItem(
                    convert.ref(item.certificate),
                    at=_item_day(item, index),
                    claims=_claims(item),
                )
            )
        results, as_of, position = self.verifier.verify_many(
            items,
            at=convert.optional_date(request, "at"),
            as_of=convert.optional_instant(request, "as_of"),
        )
        return acc_pb.VerifyCertificatesResponse(
            results=[_item_result(result) for result in results],
            as_of=convert.to_timestamp(as_of),
            log_position=position,
        )


def _item_day(item: Any, index: int) -> Any:
    try:
        return convert.optional_date(item, "at")
    except InvalidInputError as error:
        raise InvalidInputError(f"items[{index}].{error}") from None


def _item_result(result: VerificationView | RegistryError) -> acc_pb.VerifyCertificatesResult:
    if isinstance(result, VerificationView):
        return acc_pb.VerifyCertificatesResult(code=code_pb2.OK, result=to_verification(result))
    refused = refusal(result, "VerifyCertificates")
    return acc_pb.VerifyCertificatesResult(code=refused.code.value[0], message=refused.message)
