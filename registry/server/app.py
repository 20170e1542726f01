"""The asynchronous gRPC server: create_server() for embedding, serve() for the command line.

The server runs on one asyncio event loop (``grpc.aio``): connections, streams
and slow readers cost no thread. Each call's work (the registry's use cases,
which talk to the store synchronously) runs in a bounded pool of worker
threads, so a client that stops reading holds no thread while its answer waits
to be sent.

Handlers are built from the service's descriptor: each request is parsed by our
own deserializer, so a malformed message is answered INVALID_ARGUMENT in one log
line rather than a traceback from inside grpc.

AuditService serves StreamEvents only (its other methods are answered
UNIMPLEMENTED): the server's one feed (registry/server/feed.py) is shared by
every stream, and is ended before the server stops.

With ``tls`` (registry/server/tls.py) the port speaks TLS, or mutual TLS, and
nothing else: no plaintext port is opened beside it.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
import signal
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

import grpc
from google.protobuf import message as protobuf_message
from google.protobuf import message_factory
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from registry.application.inputs import MAX_BATCH_BYTES
from registry.application.queries import Queries
from registry.application.registry import Registry
from registry.application.views import WriteResult
from registry.commands import WRITES, WriteCommand
from registry.config import DEFAULT_THREADS
from registry.projections.runner import ProjectionRunner
from registry.projections.setup import Index, index_lag, open_index
from registry.server.access import AccessInterceptor, AccessSettings
from registry.server.audit import stream_events
from registry.server.certificates import CertificateServicer
from registry.server.errors import Refusal, StoreFaults, refusal
from registry.server.feed import Feed, FeedSettings
from registry.server.queries import QueryServicer
from registry.server.standards import StandardsServicer
from registry.server.tls import TlsSettings, principal_from_peer, server_credentials
from registry.server.trust import (
    AccessServicer,
    AccreditationServicer,
    DirectoryServicer,
    VerificationServicer,
)
from registry.v1 import accreditation_service_pb2 as acc_pb
from registry.v1 import audit_service_pb2 as audit_pb
from registry.v1 import certificate_service_pb2 as pb
from registry.v1 import certificate_service_pb2_grpc as pb_grpc
from registry.v1 import directory_service_pb2 as dir_pb
from registry.v1 import standards_service_pb2 as st_pb

log = logging.getLogger(__name__)

# The largest request the transport takes in (grpc's default is 4 MiB): room for a whole
# PublishBatch, so one over its limit is answered INVALID_ARGUMENT naming the limit, and
# beyond that RESOURCE_EXHAUSTED by grpc itself.
MAX_RECEIVE_BYTES = 2 * MAX_BATCH_BYTES

CERTIFICATE_SERVICE = pb.DESCRIPTOR.services_by_name["CertificateService"]
AUDIT_SERVICE = audit_pb.DESCRIPTOR.services_by_name["AuditService"]
TRUST_SERVICES = (
    dir_pb.DESCRIPTOR.services_by_name["DirectoryService"],
    dir_pb.DESCRIPTOR.services_by_name["AccessService"],
    acc_pb.DESCRIPTOR.services_by_name["AccreditationService"],
    acc_pb.DESCRIPTOR.services_by_name["VerificationService"],
)
STANDARDS_SERVICE = st_pb.DESCRIPTOR.services_by_name["StandardsService"]
INDEX_HEALTH = "registry.index"
INDEX_HEALTHY_LAG = 5.0
SERVICE_NAMES = (
    CERTIFICATE_SERVICE.full_name,
    AUDIT_SERVICE.full_name,
    *(service.full_name for service in TRUST_SERVICES),
    STANDARDS_SERVICE.full_name,
    health_pb2.DESCRIPTOR.services_by_name["Health"].full_name,
    reflection.SERVICE_NAME,
)


@dataclass(frozen=True)
class Malformed:
    """A request whose bytes are not a valid message of the method's input type."""

    type_name: str


def _parse(request_class: type[protobuf_message.Message]) -> Callable[[bytes], Any]:
    def parse(data: bytes) -> Any:
        try:
            return request_class.FromString(data)
        except protobuf_message.DecodeError:
            return Malformed(request_class.DESCRIPTOR.full_name)

    return parse


def _serialize(response: protobuf_message.Message) -> bytes:
    return response.SerializeToString()


def _serialize_or_pass(response: protobuf_message.Message | bytes) -> bytes:
    """A message serialized, or one the feed serialized once for every stream."""
    return response if isinstance(response, bytes) else response.SerializeToString()


Handler = Callable[[Any, grpc.aio.ServicerContext[Any, Any]], Awaitable[Any]]


def _handler(name: str, answer: Callable[[Any], Awaitable[Any]], faults: StoreFaults) -> Handler:
    """``answer`` a parsed request; a malformed one, or anything raised, becomes the call's
    status (see errors.refusal), and storage faults are told to ``faults``."""

    async def handle(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
        if isinstance(request, Malformed):
            log.info("%s refused: INVALID_ARGUMENT: malformed %s", name, request.type_name)
            await context.abort(
                grpc.StatusCode.INVALID_ARGUMENT,
                f"the request is not a valid {request.type_name} message",
            )
        try:
            response = await answer(request)
        except Exception as error:
            refused = refusal(error, name)
            if refused.fault is not None:
                faults.failed(name, refused.fault)
            await context.abort(refused.code, refused.message)
        faults.succeeded()
        return response

    return handle


def _unary(
    name: str, call: Callable[[Any, Any], Any], executor: ThreadPoolExecutor, faults: StoreFaults
) -> Handler:
    """Runs ``call`` in the worker pool."""

    async def answer(request: Any) -> Any:
        return await in_pool(executor, call, request, None)

    return _handler(name, answer, faults)


def in_pool(executor: ThreadPoolExecutor, call: Callable[..., Any], *args: Any) -> Awaitable[Any]:
    """``call(*args)`` in the worker pool, in the calling task's context (its principal)."""
    run = functools.partial(contextvars.copy_context().run, call, *args)
    return asyncio.get_running_loop().run_in_executor(executor, run)


def _write(
    command: WriteCommand,
    servicer: CertificateServicer,
    executor: ThreadPoolExecutor,
    faults: StoreFaults,
) -> Handler:
    """A write: its input checks run in the worker pool, and its commit is awaited here,
    on the loop, so no thread waits for the store's commit."""

    async def answer(request: Any) -> Any:
        pending = await in_pool(executor, servicer.begin_write, command, request)
        return servicer.written(command, await asyncio.wrap_future(pending))

    return _handler(command.rpc, answer, faults)


def _publish(
    servicer: CertificateServicer, executor: ThreadPoolExecutor, faults: StoreFaults
) -> Handler:
    """PublishBatch: the commands are checked in the worker pool and handed to the
    committer together; their commits are awaited here, on the loop. Each command's
    refusal is its own result, never the call's."""

    async def answer(request: Any) -> Any:
        pending = await in_pool(executor, servicer.begin_batch, request)
        answers = await asyncio.gather(
            *(asyncio.wrap_future(future) for future in pending), return_exceptions=True
        )
        outcomes: list[WriteResult | Refusal] = []
        for answered in answers:
            if isinstance(answered, WriteResult):
                outcomes.append(answered)
                continue
            refused = refusal(answered, "PublishBatch")
            if refused.fault is not None:
                faults.failed("PublishBatch", refused.fault)
            outcomes.append(refused)
        return servicer.batch_response(outcomes)

    return _handler("PublishBatch", answer, faults)


def _implemented(servicer: CertificateServicer, name: str) -> bool:
    return getattr(type(servicer), name) is not getattr(pb_grpc.CertificateServiceServicer, name)


def certificate_handlers(
    servicer: CertificateServicer,
    executor: ThreadPoolExecutor,
    faults: StoreFaults,
    queries: QueryServicer | None = None,
) -> grpc.GenericRpcHandler:
    writes = {command.rpc: command for command in WRITES.values()}
    handlers = {}
    for method in CERTIFICATE_SERVICE.methods:
        request_class = message_factory.GetMessageClass(method.input_type)
        if method.name in writes:
            handle = _write(writes[method.name], servicer, executor, faults)
        elif method.name == "PublishBatch":
            handle = _publish(servicer, executor, faults)
        elif _implemented(servicer, method.name):
            handle = _unary(method.name, getattr(servicer, method.name), executor, faults)
        elif queries is not None and hasattr(queries, method.name):
            handle = _unary(method.name, getattr(queries, method.name), executor, faults)
        else:
            continue  # answered UNIMPLEMENTED by grpc
        handlers[method.name] = grpc.unary_unary_rpc_method_handler(
            handle,
            request_deserializer=_parse(request_class),
            response_serializer=_serialize,
        )
    return grpc.method_handlers_generic_handler(CERTIFICATE_SERVICE.full_name, handlers)


def service_handlers(
    service: Any, servicer: Any, executor: ThreadPoolExecutor, faults: StoreFaults
) -> grpc.GenericRpcHandler:
    """Every method of ``service`` answered by the servicer's method of that name, in the
    worker pool."""
    handlers = {
        method.name: grpc.unary_unary_rpc_method_handler(
            _unary(method.name, getattr(servicer, method.name), executor, faults),
            request_deserializer=_parse(message_factory.GetMessageClass(method.input_type)),
            response_serializer=_serialize,
        )
        for method in service.methods
    }
    return grpc.method_handlers_generic_handler(service.full_name, handlers)


def audit_handlers(
    queries: QueryServicer, feed: Feed, executor: ThreadPoolExecutor, faults: StoreFaults
) -> grpc.GenericRpcHandler:
    """AuditService: the index's queries (ListEvents, GetIssuanceReport) and the feed
    (StreamEvents)."""
    handlers = {}
    for name in ("ListEvents", "GetIssuanceReport"):
        method = AUDIT_SERVICE.methods_by_name[name]
        handlers[name] = grpc.unary_unary_rpc_method_handler(
            _unary(name, getattr(queries, name), executor, faults),
            request_deserializer=_parse(message_factory.GetMessageClass(method.input_type)),
            response_serializer=_serialize,
        )
    handlers["StreamEvents"] = _stream_events_handler(feed, faults)
    return grpc.method_handlers_generic_handler(AUDIT_SERVICE.full_name, handlers)


def _stream_events_handler(feed: Feed, faults: StoreFaults) -> grpc.RpcMethodHandler:
    name = "StreamEvents"

    async def handle(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> None:
        if isinstance(request, Malformed):
            log.info("%s refused: INVALID_ARGUMENT: malformed %s", name, request.type_name)
            await context.abort(
                grpc.StatusCode.INVALID_ARGUMENT,
                f"the request is not a valid {request.type_name} message",
            )
        try:
            await stream_events(feed, request, context)
        except Exception as error:
            refused = refusal(error, name)
            if refused.fault is not None:
                faults.failed(name, refused.fault)
            await context.abort(refused.code, refused.message)

    method = AUDIT_SERVICE.methods_by_name[name]
    return grpc.unary_stream_rpc_method_handler(
        handle,
        request_deserializer=_parse(message_factory.GetMessageClass(method.input_type)),
        response_serializer=_serialize_or_pass,
    )


@dataclass
class Server:
    """A bound, not yet started, asynchronous server and what it serves with."""

    grpc_server: grpc.aio.Server
    port: int
    health: health.aio.HealthServicer
    executor: ThreadPoolExecutor
    feed: Feed
    index: Index | None = None
    tls: TlsSettings | None = None
    runner: ProjectionRunner | None = None
    _watch: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self.index is not None:
            self.runner = self.index.runner().start()
        await self.grpc_server.start()
        for name in ("", CERTIFICATE_SERVICE.full_name, AUDIT_SERVICE.full_name):
            await self.health.set(name, health_pb2.HealthCheckResponse.SERVING)
        if self.index is not None:
            self._watch = asyncio.get_running_loop().create_task(self._watch_index())

    async def stop(self, grace: float | None) -> None:
        """Refuse new calls, let calls in flight finish within ``grace`` seconds."""
        if self._watch is not None:
            self._watch.cancel()
        await self.health.enter_graceful_shutdown()
        await self.feed.close()  # its streams never end by themselves: they are told to resume
        await self.grpc_server.stop(grace)
        await asyncio.to_thread(self.executor.shutdown, wait=True)
        if self.runner is not None:
            await asyncio.to_thread(self.runner.stop)
        if self.index is not None:
            self.index.close()

    async def _watch_index(self) -> None:
        """Health service ``registry.index``: SERVING while the index is within
        ``INDEX_HEALTHY_LAG`` of the log, NOT_SERVING when further behind or stopped."""
        assert self.index is not None
        healthy: bool | None = None
        while True:
            try:
                lag = await asyncio.to_thread(index_lag, self.index)
                now = lag.seconds is not None and lag.seconds <= INDEX_HEALTHY_LAG
            except Exception:
                now = False
            if now != healthy:
                healthy = now
                await self.health.set(
                    INDEX_HEALTH,
                    health_pb2.HealthCheckResponse.SERVING
                    if now
                    else health_pb2.HealthCheckResponse.NOT_SERVING,
                )
            await asyncio.sleep(1)


def create_server(
    app: Registry,
    address: str = "127.0.0.1:0",
    *,
    threads: int = DEFAULT_THREADS,
    reuse_port: bool = False,
    feed: FeedSettings | None = None,
    access: AccessSettings | None = None,
    tls: TlsSettings | None = None,
) -> Server:
    """A server with the registry, health checking and reflection; bound, not started.
    With ``tls``, its port speaks TLS (mutual TLS with a client CA), else plaintext.

    Call it with an event loop running (``grpc.aio`` binds to the current loop).
    """
    credentials = None if tls is None else server_credentials(tls)
    executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="rpc")
    access = access or AccessSettings()
    if tls is not None and tls.mutual and access.peer_principal is None:
        # Under mutual TLS the client certificate's subject names the principal.
        access = replace(access, peer_principal=principal_from_peer)
    grpc_server = grpc.aio.server(
        interceptors=[AccessInterceptor(app, executor, access)],
        options=[
            ("grpc.so_reuseport", 1 if reuse_port else 0),
            ("grpc.max_receive_message_length", MAX_RECEIVE_BYTES),
        ],
    )
    port = _listen(grpc_server, address, credentials)
    index = open_index(app)
    queries = QueryServicer(Queries(app, index.reader))
    faults = StoreFaults()
    the_feed = Feed(app, feed)
    grpc_server.add_generic_rpc_handlers(
        [
            certificate_handlers(CertificateServicer(app), executor, faults, queries),
            audit_handlers(queries, the_feed, executor, faults),
            *(
                service_handlers(service, servicer, executor, faults)
                for service, servicer in zip(
                    TRUST_SERVICES,
                    (
                        DirectoryServicer(app),
                        AccessServicer(app),
                        AccreditationServicer(app),
                        VerificationServicer(app),
                    ),
                    strict=True,
                )
            ),
            service_handlers(STANDARDS_SERVICE, StandardsServicer(app), executor, faults),
        ]
    )
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, grpc_server)
    reflection.enable_server_reflection(SERVICE_NAMES, grpc_server)
    return Server(grpc_server, port, health_servicer, executor, the_feed, index, tls=tls)


def _listen(
    grpc_server: grpc.aio.Server, address: str, credentials: grpc.ServerCredentials | None
) -> int:
    """Bind ``address``, with ``credentials`` over TLS, else plaintext (before anything is
    opened that a failure would leave open)."""
    try:
        if credentials is None:
            port = grpc_server.add_insecure_port(address)
        else:
            port = grpc_server.add_secure_port(address, credentials)
    except RuntimeError:  # how grpc says it could not bind
        port = 0
    if port == 0:
        raise OSError(f"cannot listen on {address}")
    return int(port)


@dataclass
class BackgroundServer:
    """A server on an event loop of its own thread: for tests and for embedding in
    synchronous programs. ``start()`` returns once it listens; ``stop()`` once it stopped."""

    app: Registry
    address: str = "127.0.0.1:0"
    threads: int = DEFAULT_THREADS
    feed_settings: FeedSettings | None = None
    access: AccessSettings | None = None
    tls: TlsSettings | None = None
    port: int = 0
    _loop: asyncio.AbstractEventLoop = field(default_factory=asyncio.new_event_loop)
    _thread: threading.Thread | None = None
    _server: Server | None = None

    def start(self) -> BackgroundServer:
        ready = threading.Event()
        failure: list[BaseException] = []

        async def begin() -> None:
            try:
                self._server = create_server(
                    self.app,
                    self.address,
                    threads=self.threads,
                    feed=self.feed_settings,
                    access=self.access,
                    tls=self.tls,
                )
                await self._server.start()
                self.port = self._server.port
            except BaseException as error:
                failure.append(error)
            finally:
                ready.set()

        def run() -> None:
            asyncio.set_event_loop(self._loop)
            self._loop.create_task(begin())
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="grpc-aio", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            self._halt()
            raise failure[0]
        return self

    @property
    def feed(self) -> Feed:
        """The running server's feed (to look at; it belongs to the server's loop)."""
        assert self._server is not None, "the server is not running"
        return self._server.feed

    def stop(self, grace: float | None = None) -> None:
        if self._server is not None:
            asyncio.run_coroutine_threadsafe(self._server.stop(grace), self._loop).result()
            self._server = None
        self._halt()

    def _halt(self) -> None:
        if self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join()
            self._thread = None
            self._loop.close()


def serve(
    app: Registry,
    address: str,
    *,
    threads: int = DEFAULT_THREADS,
    reuse_port: bool = False,
    grace: float = 5.0,
    access: AccessSettings | None = None,
    tls: TlsSettings | None = None,
) -> None:
    """Serve until SIGTERM or SIGINT, then finish in-flight calls and close the store."""
    asyncio.run(
        _serve(
            app,
            address,
            threads=threads,
            reuse_port=reuse_port,
            grace=grace,
            access=access,
            tls=tls,
        )
    )


async def _serve(
    app: Registry,
    address: str,
    *,
    threads: int,
    reuse_port: bool,
    grace: float,
    access: AccessSettings | None,
    tls: TlsSettings | None,
) -> None:
    server = create_server(
        app, address, threads=threads, reuse_port=reuse_port, access=access, tls=tls
    )
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, _on_signal, sig, stopping)
    await server.start()
    host = address.rsplit(":", 1)[0]
    security = "" if server.tls is None else " (mutual TLS)" if server.tls.mutual else " (TLS)"
    print(f"registry listening on {host}:{server.port}{security}", flush=True)
    try:
        await stopping.wait()
    finally:
        await server.stop(grace)
        await asyncio.to_thread(app.close)  # waits for the writes still committing
        print("registry stopped", flush=True)


def _on_signal(sig: signal.Signals, stopping: asyncio.Event) -> None:
    log.info("received %s, shutting down", sig.name)
    stopping.set()
