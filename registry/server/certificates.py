"""CertificateService: parse the request, call the application, build the response."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any

import grpc

from registry.application import inputs
from registry.application.registry import BegunWrite, Registry
from registry.application.views import CertificateRef, WriteMeta, WriteResult
from registry.commands import WRITES, WriteCommand
from registry.errors import InvalidInputError
from registry.server import convert, redaction
from registry.server.access import sees_who_acted
from registry.server.errors import Refusal, refusal, translate_errors
from registry.v1 import certificate_service_pb2 as pb
from registry.v1 import certificate_service_pb2_grpc as pb_grpc


class CertificateServicer(pb_grpc.CertificateServiceServicer):
    """The reads are written out below; each write RPC is made from its description
    in ``registry.commands.WRITES`` (see ``_write_handler``)."""

    def __init__(self, app: Registry) -> None:
        self.app = app

    def write(self, command: WriteCommand, request: Any) -> Any:
        """Parse the request, call the command's use case, answer version and time."""
        ref, meta, fields = self._arguments(command, request)
        result: WriteResult = getattr(self.app, command.use_case)(ref, meta, **fields)
        return self.written(command, result)

    def begin_write(self, command: WriteCommand, request: Any) -> Future[WriteResult]:
        """Like ``write``, without waiting for the commit: its answer comes in the future."""
        ref, meta, fields = self._arguments(command, request)
        return self.app.begin(command.use_case, ref, meta, **fields)

    def written(self, command: WriteCommand, result: WriteResult) -> Any:
        return convert.to_written(getattr(pb, f"{command.rpc}Response"), result)

    def begin_batch(self, request: pb.PublishBatchRequest) -> list[Future[WriteResult]]:
        """Begin every command of a batch, in order; each answered in its own future.

        A malformed batch (empty, too many commands, too many bytes, a command of no
        kind) is refused as a whole before anything is begun. Each command is parsed
        and checked as its own RPC would be: its failure is its own future's.
        """
        commands = request.commands
        inputs.batch(len(commands), request.ByteSize())
        items: list[Future[WriteResult] | BegunWrite] = []
        for index, item in enumerate(commands):
            kind = item.WhichOneof("command")
            if kind is None:
                raise InvalidInputError(f"commands[{index}]: no command set")
            command = BATCH_COMMANDS[kind]
            try:
                ref, meta, fields = self._arguments(command, getattr(item, kind))
            except Exception as error:
                items.append(_failed(error))
                continue
            items.append(BegunWrite(command.use_case, ref, meta, fields))
        begun = iter(self.app.begin_batch([i for i in items if isinstance(i, BegunWrite)]))
        return [next(begun) if isinstance(item, BegunWrite) else item for item in items]

    def batch_response(self, outcomes: Sequence[WriteResult | Refusal]) -> pb.PublishBatchResponse:
        return pb.PublishBatchResponse(results=[convert.to_batch_result(o) for o in outcomes])

    @translate_errors
    def PublishBatch(
        self, request: pb.PublishBatchRequest, context: grpc.ServicerContext
    ) -> pb.PublishBatchResponse:
        outcomes: list[WriteResult | Refusal] = []
        for pending in self.begin_batch(request):
            try:
                outcomes.append(pending.result())
            except Exception as error:
                outcomes.append(refusal(error, "PublishBatch"))
        return self.batch_response(outcomes)

    def _arguments(
        self, command: WriteCommand, request: Any
    ) -> tuple[CertificateRef, WriteMeta, dict[str, Any]]:
        return (
            convert.ref(request.certificate),
            convert.write_meta(request),
            {field.keyword: convert.argument(request, field) for field in command.fields},
        )

    @translate_errors
    def GetCertificateStatus(
        self, request: pb.GetCertificateStatusRequest, context: grpc.ServicerContext
    ) -> pb.GetCertificateStatusResponse:
        view = self.app.get_status(
            convert.ref(request.certificate),
            at=convert.optional_date(request, "at"),
            as_of=convert.optional_instant(request, "as_of"),
        )
        response = convert.to_status_response(view)
        if not sees_who_acted(self.app, view.certificate.certification_body_id):
            redaction.public_status(response)
        return response

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
        response = convert.to_history_response(page, ref)
        if not sees_who_acted(self.app, inputs.ref(ref).certification_body_id):
            redaction.public_history(response)
        return response


def _failed(error: BaseException) -> Future[WriteResult]:
    future: Future[WriteResult] = Future()
    future.set_exception(error)
    return future


# A batch's command kinds (the ``BatchCommand`` oneof's fields) and what each is.
BATCH_COMMANDS: dict[str, WriteCommand] = {
    field.name: next(
        c for c in WRITES.values() if f"{c.rpc}Request" == getattr(field.message_type, "name", "")
    )
    for field in pb.BatchCommand.DESCRIPTOR.oneofs_by_name["command"].fields
}

WriteHandler = Callable[[CertificateServicer, Any, grpc.ServicerContext], Any]


def _write_handler(command: WriteCommand) -> WriteHandler:
    def handler(self: CertificateServicer, request: Any, context: grpc.ServicerContext) -> Any:
        return self.write(command, request)

    handler.__name__ = handler.__qualname__ = command.rpc  # what the error log names
    return translate_errors(handler)


for _command in WRITES.values():
    setattr(CertificateServicer, _command.rpc, _write_handler(_command))
