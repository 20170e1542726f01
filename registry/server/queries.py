"""SearchCertificates, ListEvents and GetIssuanceReport: parse, ask the index, answer.

Their page tokens are opaque: base64url of a format byte, a digest of the request
they continue (without its paging fields), and two numbers: for a search, the
last certificate key returned and the day the search is for (so every page is
of the same day, even if today changes in between); for a list of events, the
last position returned and the window's end (so every page is of the same
window).
"""

from __future__ import annotations

import hashlib
import struct
from datetime import date
from typing import Any

from registry.application import inputs
from registry.application.queries import Queries, SearchCriteria
from registry.application.views import EventView, Source
from registry.domain.credibility import Verdict
from registry.errors import InvalidInputError
from registry.server import convert, log_events
from registry.server.access import audit_days, reading_body, reads, within
from registry.server.audit import event_kinds
from registry.server.errors import translate_errors
from registry.v1 import audit_service_pb2 as audit_pb
from registry.v1 import certificate_service_pb2 as pb
from registry.v1 import reference_events_pb2 as rpb

DEFAULT_SEARCH_PAGE = 50
DEFAULT_EVENTS_PAGE = 100
STATUS_FROM_PB = convert.STATUS_FROM_PB
VERDICT_TO_PB: dict[Verdict, Any] = {
    verdict: pb.Verdict.Value(f"VERDICT_{verdict.value}") for verdict in Verdict
}
KIND_FROM_PB = convert.KIND_OF_EVENT_TYPE
# The kinds of a CB's events ListEvents lists, and what each is in the application.
SOURCE_OF_KIND: dict[int, Source] = {
    rpb.EVENT_KIND_CERTIFICATE: Source.CERTIFICATE,
    rpb.EVENT_KIND_ACCREDITATION: Source.ACCREDITATION,
    rpb.EVENT_KIND_DIRECTORY: Source.CERTIFICATION_BODY,
}
LIST_KINDS = frozenset(SOURCE_OF_KIND)

_FORMAT = 1
_TOKEN = struct.Struct(">B16sqq")
_BAD = "page_token is not a token this query gave out"


def _digest(purpose: bytes, request: Any) -> bytes:
    unpaged = type(request)()
    unpaged.CopyFrom(request)
    unpaged.ClearField("page_token")
    unpaged.ClearField("page_size")
    if purpose == b"search":
        unpaged.ClearField("at")  # the token holds the day every page is of
    return hashlib.sha256(purpose + unpaged.SerializeToString(deterministic=True)).digest()[:16]


def encode_token(purpose: bytes, request: Any, first: int, second: int) -> str:
    return convert.pack_token(_TOKEN, _FORMAT, _digest(purpose, request), first, second)


def decode_token(purpose: bytes, request: Any) -> tuple[int, int] | None:
    """The two numbers of the request's page token (None when it has none)."""
    token = request.page_token
    if not token:
        return None
    token_format, digest, first, second = convert.unpack_token(token, _TOKEN, _BAD)
    if token_format != _FORMAT or digest != _digest(purpose, request) or first < 0 or second < 0:
        raise InvalidInputError(_BAD)
    return first, second


def page_cb(request: audit_pb.ListEventsRequest) -> str:
    return inputs.identifier(request.certification_body_id, "certification_body_id")


class QueryServicer:
    """The index's RPCs of CertificateService and AuditService."""

    def __init__(self, queries: Queries) -> None:
        self.queries = queries

    @translate_errors
    def SearchCertificates(
        self, request: pb.SearchCertificatesRequest, context: Any
    ) -> pb.SearchCertificatesResponse:
        token = decode_token(b"search", request)
        if request.status and request.status not in STATUS_FROM_PB:
            raise InvalidInputError(f"status: unknown status {request.status}")
        criteria = SearchCriteria(
            organization_name=request.organization_name,
            certificate_number=request.certificate_number,
            certification_body_id=request.certification_body_id,
            standard=request.standard,
            country=request.country,
            sector_code=request.sector_code,
            status=STATUS_FROM_PB.get(request.status) if request.status else None,
        )
        at = convert.optional_date(request, "at")
        after_key = 0
        if token is not None:
            after_key, day = token
            at = date.fromordinal(day) if day else None
        page = self.queries.search(
            criteria,
            at=at,
            after_key=after_key,
            limit=convert.page_size(request.page_size, DEFAULT_SEARCH_PAGE),
        )
        return pb.SearchCertificatesResponse(
            certificates=[
                pb.CertificateSummary(
                    certificate=convert.to_ref(result.certificate),
                    organization=convert.to_organization(result.organization),
                    standard=result.standard,
                    scope=result.scope,
                    sector_codes=list(result.sector_codes),
                    expiry_date=convert.to_date(result.expiry_date),
                    status=convert.STATUS_TO_PB[result.status],
                    verdict=VERDICT_TO_PB[result.verdict],
                )
                for result in page.results
            ],
            next_page_token=encode_token(b"search", request, page.next_key, page.at.toordinal())
            if page.next_key is not None
            else "",
            at=convert.to_date(page.at),
            log_position=page.log_position,
            as_of=convert.to_timestamp(page.as_of) if page.as_of else None,
        )

    @translate_errors
    def ListEvents(
        self, request: audit_pb.ListEventsRequest, context: Any
    ) -> audit_pb.ListEventsResponse:
        token = decode_token(b"events", request)
        unknown = [t for t in request.types if t not in KIND_FROM_PB]
        if unknown:
            raise InvalidInputError(f"types: unknown event type {unknown[0]}")
        after, until = token if token is not None else (None, None)
        kinds = event_kinds(request.kinds, types=False, allowed=LIST_KINDS) if request.kinds else ()
        page = self.queries.list_events(
            request.certification_body_id,
            recorded_after=convert.optional_instant(request, "recorded_after"),
            recorded_before=convert.optional_instant(request, "recorded_before"),
            types=[KIND_FROM_PB[t] for t in request.types],
            standard=request.standard,
            sources=[SOURCE_OF_KIND[kind] for kind in kinds],
            after_position=after,
            until_position=until,
            limit=convert.page_size(request.page_size, DEFAULT_EVENTS_PAGE),
        )
        days = audit_days(self.queries.app, page_cb(request))
        reader = reading_body()
        response = audit_pb.ListEventsResponse(
            next_page_token=encode_token(
                b"events", request, page.next_position, page.until_position
            )
            if page.next_position is not None
            else "",
            recorded_before=convert.to_timestamp(page.recorded_before),
            log_position=page.log_position,
        )
        for view in page.events:
            if isinstance(view, EventView):
                if within(days, view.effective_date):
                    response.events.append(convert.to_event(view))
            elif reads(
                days, view.effective_date, written_by=view.accreditation_body_id, reader=reader
            ):
                message = log_events.to_reference_event(view)
                if isinstance(message, rpb.AccreditationEvent):
                    response.accreditation_events.append(message)
                elif isinstance(message, rpb.DirectoryEvent):
                    response.directory_events.append(message)
        return response

    @translate_errors
    def GetIssuanceReport(
        self, request: audit_pb.GetIssuanceReportRequest, context: Any
    ) -> audit_pb.GetIssuanceReportResponse:
        report = self.queries.issuance_report(
            request.certification_body_id,
            at=convert.optional_date(request, "at"),
            as_of=convert.optional_instant(request, "as_of"),
        )
        return audit_pb.GetIssuanceReportResponse(
            certification_body_id=report.certification_body_id,
            at=convert.to_date(report.at),
            as_of=convert.to_timestamp(report.as_of),
            log_position=report.log_position,
            total=report.total,
            by_status=_counts(report.by_status),
            by_standard=[
                audit_pb.StandardCount(
                    standard=standard, count=sum(counts.values()), by_status=_counts(counts)
                )
                for standard, counts in sorted(report.by_standard.items())
            ],
        )


def _counts(counts: dict[Any, int]) -> list[audit_pb.StatusCount]:
    return [
        audit_pb.StatusCount(status=convert.STATUS_TO_PB[status], count=count)
        for status, count in sorted(counts.items(), key=lambda item: item[0].value)
    ]
