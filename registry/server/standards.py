"""StandardsService: parse the request, call the catalogue's use cases, build the response.
Who may call what is decided before it runs (``registry.server.access``)."""

from __future__ import annotations

from typing import Any

from registry.application.catalogue import EditionView
from registry.application.registry import Registry
from registry.application.views import WriteResult
from registry.errors import InvalidInputError
from registry.server import convert
from registry.server.errors import translate_errors
from registry.v1 import standards_service_pb2 as st_pb


def _written(response_class: Any, result: WriteResult) -> Any:
    return response_class(
        version=result.version, recorded_at=convert.to_timestamp(result.recorded_at)
    )


def _edition(view: EditionView) -> st_pb.StandardEdition:
    return st_pb.StandardEdition(
        designation=view.designation,
        code=view.code,
        edition=view.edition,
        title=view.title,
        transition_deadline=convert.to_date(view.transition_deadline),
        valid_on_at=view.valid_on_at,
    )


class StandardsServicer:
    """Adds editions and sets deadlines (admin); lists the catalogue on a day, as of an
    instant (anyone)."""

    def __init__(self, app: Registry) -> None:
        self.catalogue = app.catalogue

    @translate_errors
    def AddStandardEdition(self, request: Any, context: Any) -> Any:
        result = self.catalogue.add_standard_edition(
            convert.write_meta(request),
            code=request.code,
            edition=request.edition,
            title=request.title,
            transition_deadline=convert.optional_date(request, "transition_deadline"),
        )
        return _written(st_pb.AddStandardEditionResponse, result)

    @translate_errors
    def SetTransitionDeadline(self, request: Any, context: Any) -> Any:
        deadline = convert.optional_date(request, "transition_deadline")
        if (deadline is None) != request.no_transition_deadline:
            raise InvalidInputError(
                "transition_deadline: give the new deadline, or no_transition_deadline: true "
                "to remove it (not both)"
            )
        result = self.catalogue.set_transition_deadline(
            convert.write_meta(request),
            designation=request.designation,
            transition_deadline=deadline,
        )
        return _written(st_pb.SetTransitionDeadlineResponse, result)

    @translate_errors
    def ListStandards(self, request: Any, context: Any) -> Any:
        listing = self.catalogue.list_standards(
            at=convert.optional_date(request, "at"),
            as_of=convert.optional_instant(request, "as_of"),
        )
        return st_pb.ListStandardsResponse(
            editions=[_edition(view) for view in listing.editions],
            version=listing.version,
            at=convert.to_date(listing.at),
            as_of=convert.to_timestamp(listing.as_of),
            log_position=listing.log_position,
        )
