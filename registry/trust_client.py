"""The registry client's calls of the directory, tokens, accreditations, verification and
the standards catalogue (mixed into ``registry.client.RegistryClient``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import grpc

from registry.client_wire import new_request_id, pb_date, pb_timestamp, ref
from registry.v1 import accreditation_service_pb2 as acc_pb
from registry.v1 import accreditation_service_pb2_grpc as acc_grpc
from registry.v1 import directory_service_pb2 as dir_pb
from registry.v1 import directory_service_pb2_grpc as dir_grpc
from registry.v1 import standards_service_pb2 as st_pb
from registry.v1 import standards_service_pb2_grpc as st_grpc

Response = TypeVar("Response")
ROLES = {
    "admin": dir_pb.ROLE_ADMIN,
    "cb": dir_pb.ROLE_CERTIFICATION_BODY,
    "ab": dir_pb.ROLE_ACCREDITATION_BODY,
}


class TrustCalls:
    """The calls; the client gives the channel and ``_call`` (deadline, retries, errors)."""

    channel: grpc.Channel

    if TYPE_CHECKING:

        def _call(
            self, method: Callable[..., Response], request: Any, *, timeout: float | None = None
        ) -> Response: ...

    _date = staticmethod(pb_date)
    _instant = staticmethod(pb_timestamp)

    @staticmethod
    def _request_id(request_id: str | None) -> str:
        return request_id or new_request_id()

    @property
    def directory(self) -> dir_grpc.DirectoryServiceStub:
        return dir_grpc.DirectoryServiceStub(self.channel)

    @property
    def access(self) -> dir_grpc.AccessServiceStub:
        return dir_grpc.AccessServiceStub(self.channel)

    @property
    def accreditations(self) -> acc_grpc.AccreditationServiceStub:
        return acc_grpc.AccreditationServiceStub(self.channel)

    @property
    def verification(self) -> acc_grpc.VerificationServiceStub:
        return acc_grpc.VerificationServiceStub(self.channel)

    @property
    def standards(self) -> st_grpc.StandardsServiceStub:
        return st_grpc.StandardsServiceStub(self.channel)

    # The directory (admin)

    def register_certification_body(
        self,
        certification_body_id: str,
        *,
        name: str,
        country: str,
        effective_date: date | None = None,
        request_id: str | None = None,
    ) -> dir_pb.RegisterCertificationBodyResponse:
        request = dir_pb.RegisterCertificationBodyRequest(
            certification_body_id=certification_body_id,
            name=name,
            country=country,
            effective_date=self._date(effective_date),
            request_id=self._request_id(request_id),
        )
        return self._call(self.directory.RegisterCertificationBody, request)

    def register_accreditation_body(
        self,
        accreditation_body_id: str,
        *,
        name: str,
        country: str,
        effective_date: date | None = None,
        request_id: str | None = None,
    ) -> dir_pb.RegisterAccreditationBodyResponse:
        request = dir_pb.RegisterAccreditationBodyRequest(
            accreditation_body_id=accreditation_body_id,
            name=name,
            country=country,
            effective_date=self._date(effective_date),
            request_id=self._request_id(request_id),
        )
        return self._call(self.directory.RegisterAccreditationBody, request)

    def change_body_details(
        self,
        kind: str,
        body_id: str,
        *,
        name: str = "",
        country: str = "",
        effective_date: date | None = None,
        request_id: str | None = None,
    ) -> Any:
        """``kind``: "cb" or "ab"."""
        if kind == "cb":
            return self._call(
                self.directory.ChangeCertificationBodyDetails,
                dir_pb.ChangeCertificationBodyDetailsRequest(
                    certification_body_id=body_id,
                    name=name,
                    country=country,
                    effective_date=self._date(effective_date),
                    request_id=self._request_id(request_id),
                ),
            )
        return self._call(
            self.directory.ChangeAccreditationBodyDetails,
            dir_pb.ChangeAccreditationBodyDetailsRequest(
                accreditation_body_id=body_id,
                name=name,
                country=country,
                effective_date=self._date(effective_date),
                request_id=self._request_id(request_id),
            ),
        )

    def deactivate_body(
        self,
        kind: str,
        body_id: str,
        *,
        reason: str,
        effective_date: date | None = None,
        request_id: str | None = None,
    ) -> Any:
        """``kind``: "cb" or "ab"."""
        if kind == "cb":
            return self._call(
                self.directory.DeactivateCertificationBody,
                dir_pb.DeactivateCertificationBodyRequest(
                    certification_body_id=body_id,
                    reason=reason,
                    effective_date=self._date(effective_date),
                    request_id=self._request_id(request_id),
                ),
            )
        return self._call(
            self.directory.DeactivateAccreditationBody,
            dir_pb.DeactivateAccreditationBodyRequest(
                accreditation_body_id=body_id,
                reason=reason,
                effective_date=self._date(effective_date),
                request_id=self._request_id(request_id),
            ),
        )

    def record_mla_status(
        self,
        accreditation_body_id: str,
        status: str,
        *,
        effective_date: date | None = None,
        request_id: str | None = None,
    ) -> dir_pb.RecordMlaStatusResponse:
        """``status``: "SIGNATORY", "SUSPENDED" or "NOT_SIGNATORY"."""
        request = dir_pb.RecordMlaStatusRequest(
            accreditation_body_id=accreditation_body_id,
            status=f"MLA_STATUS_{status}",
            effective_date=self._date(effective_date),
            request_id=self._request_id(request_id),
        )
        return self._call(self.directory.RecordMlaStatus, request)

    def get_certification_body(
        self, certification_body_id: str, *, at: date | None = None, as_of: datetime | None = None
    ) -> dir_pb.GetCertificationBodyResponse:
        request = dir_pb.GetCertificationBodyRequest(
            certification_body_id=certification_body_id,
            at=self._date(at),
            as_of=self._instant(as_of),
        )
        return self._call(self.directory.GetCertificationBody, request)

    def get_accreditation_body(
        self, accreditation_body_id: str, *, at: date | None = None, as_of: datetime | None = None
    ) -> dir_pb.GetAccreditationBodyResponse:
        request = dir_pb.GetAccreditationBodyRequest(
            accreditation_body_id=accreditation_body_id,
            at=self._date(at),
            as_of=self._instant(as_of),
        )
        return self._call(self.directory.GetAccreditationBody, request)

    # Tokens (admin)

    def create_token(
        self,
        role: str,
        body_id: str = "",
        *,
        expires_at: datetime | None = None,
        note: str = "",
    ) -> dir_pb.CreateTokenResponse:
        """``role``: "admin", "cb" or "ab" (with the body's id)."""
        request = dir_pb.CreateTokenRequest(
            role=ROLES[role], body_id=body_id, expires_at=self._instant(expires_at), note=note
        )
        return self._call(self.access.CreateToken, request)

    def revoke_token(self, token_id: str) -> dir_pb.RevokeTokenResponse:
        return self._call(self.access.RevokeToken, dir_pb.RevokeTokenRequest(token_id=token_id))

    def list_tokens(self) -> dir_pb.ListTokensResponse:
        return self._call(self.access.ListTokens, dir_pb.ListTokensRequest())

    # Accreditations (the AB)

    def grant_accreditation(
        self,
        accreditation_body_id: str,
        certification_body_id: str,
        *,
        standards: Sequence[str],
        sector_codes: Iterable[str] = (),
        expiry_date: date,
        effective_date: date | None = None,
        request_id: str | None = None,
    ) -> acc_pb.GrantAccreditationResponse:
        request = acc_pb.GrantAccreditationRequest(
            accreditation_body_id=accreditation_body_id,
            certification_body_id=certification_body_id,
            standards=list(standards),
            sector_codes=list(sector_codes),
            expiry_date=self._date(expiry_date),
            effective_date=self._date(effective_date),
            request_id=self._request_id(request_id),
        )
        return self._call(self.accreditations.GrantAccreditation, request)

    def change_accreditation_scope(
        self,
        accreditation_body_id: str,
        certification_body_id: str,
        *,
        standards: Sequence[str],
        sector_codes: Iterable[str] = (),
        effective_date: date | None = None,
        request_id: str | None = None,
    ) -> acc_pb.ChangeAccreditationScopeResponse:
        request = acc_pb.ChangeAccreditationScopeRequest(
            accreditation_body_id=accreditation_body_id,
            certification_body_id=certification_body_id,
            standards=list(standards),
            sector_codes=list(sector_codes),
            effective_date=self._date(effective_date),
            request_id=self._request_id(request_id),
        )
        return self._call(self.accreditations.ChangeAccreditationScope, request)

    def suspend_accreditation(
        self,
        accreditation_body_id: str,
        certification_body_id: str,
        *,
        reason: str,
        effective_date: date | None = None,
        request_id: str | None = None,
    ) -> acc_pb.SuspendAccreditationResponse:
        request = acc_pb.SuspendAccreditationRequest(
            accreditation_body_id=accreditation_body_id,
            certification_body_id=certification_body_id,
            reason=reason,
            effective_date=self._date(effective_date),
            request_id=self._request_id(request_id),
        )
        return self._call(self.accreditations.SuspendAccreditation, request)

    def reinstate_accreditation(
        self,
        accreditation_body_id: str,
        certification_body_id: str,
        *,
        effective_date: date | None = None,
        request_id: str | None = None,
    ) -> acc_pb.ReinstateAccreditationResponse:
        request = acc_pb.ReinstateAccreditationRequest(
            accreditation_body_id=accreditation_body_id,
            certification_body_id=certification_body_id,
            effective_date=self._date(effective_date),
            request_id=self._request_id(request_id),
        )
        return self._call(self.accreditations.ReinstateAccreditation, request)

    def withdraw_accreditation(
        self,
        accreditation_body_id: str,
        certification_body_id: str,
        *,
        reason: str,
        effective_date: date | None = None,
        request_id: str | None = None,
    ) -> acc_pb.WithdrawAccreditationResponse:
        request = acc_pb.WithdrawAccreditationRequest(
            accreditation_body_id=accreditation_body_id,
            certification_body_id=certification_body_id,
            reason=reason,
            effective_date=self._date(effective_date),
            request_id=self._request_id(request_id),
        )
        return self._call(self.accreditations.WithdrawAccreditation, request)

    def get_accreditation(
        self,
        accreditation_body_id: str,
        certification_body_id: str,
        *,
        at: date | None = None,
        as_of: datetime | None = None,
    ) -> acc_pb.GetAccreditationResponse:
        request = acc_pb.GetAccreditationRequest(
            accreditation_body_id=accreditation_body_id,
            certification_body_id=certification_body_id,
            at=self._date(at),
            as_of=self._instant(as_of),
        )
        return self._call(self.accreditations.GetAccreditation, request)

    # The standards catalogue (writes: admin; the listing: anyone)

    def add_standard_edition(
        self,
        code: str,
        edition: str,
        *,
        title: str,
        transition_deadline: date | None = None,
        effective_date: date | None = None,
        request_id: str | None = None,
        expected_version: int | None = None,
    ) -> st_pb.AddStandardEditionResponse:
        request = st_pb.AddStandardEditionRequest(
            code=code,
            edition=edition,
            title=title,
            transition_deadline=self._date(transition_deadline),
            effective_date=self._date(effective_date),
            request_id=self._request_id(request_id),
            expected_version=expected_version,
        )
        return self._call(self.standards.AddStandardEdition, request)

    def set_transition_deadline(
        self,
        designation: str,
        transition_deadline: date | None,
        *,
        effective_date: date | None = None,
        request_id: str | None = None,
        expected_version: int | None = None,
    ) -> st_pb.SetTransitionDeadlineResponse:
        """Set the edition's deadline; None removes it."""
        request = st_pb.SetTransitionDeadlineRequest(
            designation=designation,
            transition_deadline=self._date(transition_deadline),
            no_transition_deadline=transition_deadline is None,
            effective_date=self._date(effective_date),
            request_id=self._request_id(request_id),
            expected_version=expected_version,
        )
        return self._call(self.standards.SetTransitionDeadline, request)

    def list_standards(
        self, *, at: date | None = None, as_of: datetime | None = None
    ) -> st_pb.ListStandardsResponse:
        request = st_pb.ListStandardsRequest(at=self._date(at), as_of=self._instant(as_of))
        return self._call(self.standards.ListStandards, request)

    # Verification (anyone)

    def verify_certificate(
        self,
        certification_body_id: str,
        certificate_number: str,
        *,
        at: date | None = None,
        as_of: datetime | None = None,
        claimed_standard: str = "",
        claimed_organization_name: str = "",
        claimed_site: str = "",
        claimed_scope: str = "",
    ) -> acc_pb.VerifyCertificateResponse:
        request = verify_request(
            certification_body_id,
            certificate_number,
            at=at,
            claimed_standard=claimed_standard,
            claimed_organization_name=claimed_organization_name,
            claimed_site=claimed_site,
            claimed_scope=claimed_scope,
        )
        request.MergeFrom(acc_pb.VerifyCertificateRequest(as_of=self._instant(as_of)))
        return self._call(self.verification.VerifyCertificate, request)

    def verify_certificates(
        self,
        items: Sequence[acc_pb.VerifyCertificateRequest],
        *,
        at: date | None = None,
        as_of: datetime | None = None,
        timeout: float | None = None,
    ) -> acc_pb.VerifyCertificatesResponse:
        """Up to 1,000 items (see ``verify_request``), all as of one instant."""
        request = acc_pb.VerifyCertificatesRequest(
            items=list(items), at=self._date(at), as_of=self._instant(as_of)
        )
        return self._call(self.verification.VerifyCertificates, request, timeout=timeout)


def verify_request(
    certification_body_id: str,
    certificate_number: str,
    *,
    at: date | None = None,
    claimed_standard: str = "",
    claimed_organization_name: str = "",
    claimed_site: str = "",
    claimed_scope: str = "",
) -> acc_pb.VerifyCertificateRequest:
    """One item of a supplier list (or a single check)."""
    return acc_pb.VerifyCertificateRequest(
        certificate=ref(certification_body_id, certificate_number),
        at=pb_date(at),
        claimed_standard=claimed_standard,
        claimed_organization_name=claimed_organization_name,
        claimed_site=claimed_site,
        claimed_scope=claimed_scope,
    )
