"""CertificateService: parse the request, call the application, build the response."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import grpc

from registry.application.registry import Registry
from registry.application.views import WriteResult
from registry.server import convert
from registry.server.errors import translate_errors
from registry.v1 import certificate_service_pb2 as pb
from registry.v1 import certificate_service_pb2_grpc as pb_grpc

Response = TypeVar("Response")


def _written(response_class: Callable[..., Response], result: WriteResult) -> Response:
    recorded_at = convert.to_timestamp(result.recorded_at)
    return response_class(version=result.version, recorded_at=recorded_at)


class CertificateServicer(pb_grpc.CertificateServiceServicer):
    def __init__(self, app: Registry) -> None:
        self.app = app

    @translate_errors
    def IssueCertificate(
        self, request: pb.IssueCertificateRequest, context: grpc.ServicerContext
    ) -> pb.IssueCertificateResponse:
        result = self.app.issue_certificate(
            convert.ref(request.certificate),
            convert.write_meta(request),
            organization=convert.organization(request.organization),
            sites=convert.sites(request.sites),
            standard=request.standard,
            scope=request.scope,
            sector_codes=list(request.sector_codes),
            expiry_date=convert.optional_date(request, "expiry_date"),
        )
        return _written(pb.IssueCertificateResponse, result)

    @translate_errors
    def RecordSurveillance(
        self, request: pb.RecordSurveillanceRequest, context: grpc.ServicerContext
    ) -> pb.RecordSurveillanceResponse:
        result = self.app.record_surveillance(
            convert.ref(request.certificate), convert.write_meta(request)
        )
        return _written(pb.RecordSurveillanceResponse, result)

    @translate_errors
    def ChangeScope(
        self, request: pb.ChangeScopeRequest, context: grpc.ServicerContext
    ) -> pb.ChangeScopeResponse:
        result = self.app.change_scope(
            convert.ref(request.certificate),
            convert.write_meta(request),
            scope=request.scope,
            sites=convert.sites(request.sites),
            sector_codes=list(request.sector_codes),
        )
        return _written(pb.ChangeScopeResponse, result)

    @translate_errors
    def SuspendCertificate(
        self, request: pb.SuspendCertificateRequest, context: grpc.ServicerContext
    ) -> pb.SuspendCertificateResponse:
        result = self.app.suspend_certificate(
            convert.ref(request.certificate),
            convert.write_meta(request),
            reason=request.reason,
            review_by=convert.optional_date(request, "review_by"),
        )
        return _written(pb.SuspendCertificateResponse, result)

    @translate_errors
    def ReinstateCertificate(
        self, request: pb.ReinstateCertificateRequest, context: grpc.ServicerContext
    ) -> pb.ReinstateCertificateResponse:
        result = self.app.reinstate_certificate(
            convert.ref(request.certificate), convert.write_meta(request)
        )
        return _written(pb.ReinstateCertificateResponse, result)

    @translate_errors
    def WithdrawCertificate(
        self, request: pb.WithdrawCertificateRequest, context: grpc.ServicerContext
    ) -> pb.WithdrawCertificateResponse:
        result = self.app.withdraw_certificate(
            convert.ref(request.certificate), convert.write_meta(request), reason=request.reason
        )
        return _written(pb.WithdrawCertificateResponse, result)

    @translate_errors
    def CancelCertificate(
        self, request: pb.CancelCertificateRequest, context: grpc.ServicerContext
    ) -> pb.CancelCertificateResponse:
        result = self.app.cancel_certificate(
            convert.ref(request.certificate), convert.write_meta(request), reason=request.reason
        )
        return _written(pb.CancelCertificateResponse, result)

    @translate_errors
    def RenewCertificate(
        self, request: pb.RenewCertificateRequest, context: grpc.ServicerContext
    ) -> pb.RenewCertificateResponse:
        result = self.app.renew_certificate(
            convert.ref(request.certificate),
            convert.write_meta(request),
            expiry_date=convert.optional_date(request, "expiry_date"),
        )
        return _written(pb.RenewCertificateResponse, result)

    @translate_errors
    def TransferCertificate(
        self, request: pb.TransferCertificateRequest, context: grpc.ServicerContext
    ) -> pb.TransferCertificateResponse:
        result = self.app.transfer_certificate(
            convert.ref(request.certificate),
            convert.write_meta(request),
            from_certificate=convert.ref(request.from_certificate),
            organization=convert.organization(request.organization),
            sites=convert.sites(request.sites),
            standard=request.standard,
            scope=request.scope,
            sector_codes=list(request.sector_codes),
            expiry_date=convert.optional_date(request, "expiry_date"),
        )
        return convert.to_transfer_response(result)

    @translate_errors
    def ChangeHolderDetails(
        self, request: pb.ChangeHolderDetailsRequest, context: grpc.ServicerContext
    ) -> pb.ChangeHolderDetailsResponse:
        result = self.app.change_holder_details(
            convert.ref(request.certificate),
            convert.write_meta(request),
            organization=convert.organization(request.organization),
        )
        return _written(pb.ChangeHolderDetailsResponse, result)

    @translate_errors
    def RetractEvent(
        self, request: pb.RetractEventRequest, context: grpc.ServicerContext
    ) -> pb.RetractEventResponse:
        result = self.app.retract_event(
            convert.ref(request.certificate),
            convert.write_meta(request),
            version=request.event_version,
            reason=request.reason,
        )
        return _written(pb.RetractEventResponse, result)

    @translate_errors
    def GetCertificateStatus(
        self, request: pb.GetCertificateStatusRequest, context: grpc.ServicerContext
    ) -> pb.GetCertificateStatusResponse:
        view = self.app.get_status(
            convert.ref(request.certificate),
            at=convert.optional_date(request, "at"),
            as_of=convert.optional_instant(request, "as_of"),
        )
        return convert.to_status_response(view)

    @translate_errors
    def GetCertificateHistory(
        self, request: pb.GetCertificateHistoryRequest, context: grpc.ServicerContext
    ) -> pb.GetCertificateHistoryResponse:
        ref = convert.ref(request.certificate)
        page = self.app.get_history(
            ref,
            after_version=convert.decode_page_token(request.page_token, ref),
            limit=convert.page_size(request.page_size),
            as_of=convert.optional_instant(request, "as_of"),
        )
        return convert.to_history_response(page, ref)
