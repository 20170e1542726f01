"""Who may call what (SPEC 3.2), decided in one place, before any servicer runs.

Every call is authenticated first: an ``authorization: Bearer <token>`` header
(see ``registry.application.credentials``), or a mutual-TLS client certificate
whose subject CN names the principal, or neither (anonymous). A token that is
garbage, unknown, revoked or expired is UNAUTHENTICATED whatever the RPC asks.

Then ``POLICY`` — one entry per RPC of the registry's services; a test fails when
one has none — decides from the principal and the request:

=============================  ================================================
anyone (anonymous too)         status and history (public: see ``redaction``),
                               search, verify,
                               directory, accreditation and catalogue reads
the CB itself                  writes of its own certificates (a transfer: the
                               receiving CB), a batch of only its own
the AB itself                  writes of its own accreditations
admin, the CB, an AB of it     ListEvents, GetIssuanceReport of that CB; the feed
                               (a CB or AB: filtered to its CBs)
admin                          the directory's and the catalogue's writes,
                               tokens
=============================  ================================================

An anonymous call to an RPC that needs a principal is UNAUTHENTICATED; a known
principal outside its rights is PERMISSION_DENIED. Either way nothing is
written, and the refusal is logged once: principal, RPC, peer (never a token).
Anonymous callers are limited to ``anonymous_rate`` calls a second per peer
address (RESOURCE_EXHAUSTED with a ``retry-after-ms`` hint beyond it).
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import Any

import grpc

from registry import config
from registry.application import inputs
from registry.application.registry import Registry
from registry.domain.principals import ANONYMOUS, Principal, Role
from registry.errors import (
    InvalidInputError,
    PermissionDeniedError,
    RegistryError,
    UnauthenticatedError,
)
from registry.server.errors import one_line, refusal
from registry.v1 import accreditation_service_pb2 as acc_pb
from registry.v1 import audit_service_pb2 as audit_pb
from registry.v1 import certificate_service_pb2 as pb
from registry.v1 import directory_service_pb2 as dir_pb
from registry.v1 import standards_service_pb2 as st_pb

log = logging.getLogger(__name__)

_CURRENT: contextvars.ContextVar[Principal] = contextvars.ContextVar("principal", default=ANONYMOUS)

PeerPrincipal = Callable[[Any], Principal | None]
"""The principal a mutual-TLS peer's auth context names (None: no client certificate)."""


def current_principal() -> Principal:
    """The principal of the call being served (anonymous outside a call)."""
    return _CURRENT.get()


Days = tuple[tuple[date, date], ...]
"""Spans of days (first, last), inclusive."""


def within(days: Days | None, day: date) -> bool:
    """Whether ``day`` is one of ``days`` (None: every day)."""
    return days is None or any(first <= day <= last for first, last in days)


def reads(days: Days | None, day: date, *, written_by: str = "", reader: str = "") -> bool:
    """Whether a reader of a CB's audit trail with ``days`` (see ``Rights.audit_days``)
    reads its event taking effect on ``day``: an AB always reads the events of its own
    accreditation of the CB (``written_by`` it), the other events on its days."""
    return (bool(reader) and written_by == reader) or within(days, day)


def reading_body() -> str:
    """The accreditation body calling, if one: whose own accreditations it reads whole."""
    principal = current_principal()
    return principal.body_id if principal.role is Role.ACCREDITATION_BODY else ""


class Rights:
    """What the policy asks of the registry: who accredits whom, and for which days."""

    def __init__(self, app: Registry) -> None:
        self.app = app

    def audit_days(self, principal: Principal, certification_body: str) -> Days | None:
        """The days of the CB's audit trail ``principal`` may read: every day (None) for the
        admin and the CB itself; for an AB, the days its accreditation of the CB was in
        effect (active or suspended) — it audits the CB for the periods it accredited it."""
        if principal.role is not Role.ACCREDITATION_BODY:
            return None
        return tuple(self.app.directory.days_accredited(principal.body_id, certification_body))

    def accredits(self, principal: Principal, certification_body: str) -> bool:
        return principal.role is Role.ACCREDITATION_BODY and self.app.directory.accredits(
            principal.body_id, certification_body
        )


def sees_who_acted(app: Registry, certification_body: str) -> bool:
    """Whether the call's principal may see who sent each event of the CB's certificates
    (its actor and request id) and the reasons the CB marked confidential: the admin, the
    CB itself, and an AB that accredits it (anyone else: ``registry.server.redaction``)."""
    principal = current_principal()
    if principal.role is Role.ADMIN or principal.is_cb(certification_body):
        return True
    return Rights(app).accredits(principal, certification_body)


Decide = Callable[[Principal, Any, Rights], None]
"""Raises ``UnauthenticatedError`` / ``PermissionDeniedError`` unless the call is allowed."""


def _needs(principal: Principal) -> None:
    if principal.is_anonymous:
        raise UnauthenticatedError(
            "this call needs a credential: send authorization: Bearer <token>"
        )


def anyone(principal: Principal, request: Any, rights: Rights) -> None:
    return None


def admin(principal: Principal, request: Any, rights: Rights) -> None:
    _needs(principal)
    if principal.role is not Role.ADMIN:
        raise PermissionDeniedError(f"{principal} may not do this: it is for the registry's admin")


def _own_certificate(principal: Principal, certification_body: str, field: str) -> None:
    _needs(principal)
    certification_body = inputs.identifier(certification_body, field)
    if not principal.is_cb(certification_body):
        raise PermissionDeniedError(
            f"{principal} may not write certificates of {certification_body!r}: "
            "only that certification body may"
        )


def certificate_writer(principal: Principal, request: Any, rights: Rights) -> None:
    _own_certificate(
        principal,
        request.certificate.certification_body_id,
        "certificate.certification_body_id",
    )


def batch_writer(principal: Principal, request: Any, rights: Rights) -> None:
    _needs(principal)
    for index, item in enumerate(request.commands):
        kind = item.WhichOneof("command")
        if kind is None:
            continue  # refused as malformed by the servicer
        try:
            _own_certificate(
                principal,
                getattr(item, kind).certificate.certification_body_id,
                "certificate.certification_body_id",
            )
        except (PermissionDeniedError, InvalidInputError) as error:
            raise type(error)(f"commands[{index}]: {error}") from None


def accreditation_writer(principal: Principal, request: Any, rights: Rights) -> None:
    _needs(principal)
    accreditation_body = inputs.identifier(request.accreditation_body_id, "accreditation_body_id")
    if not principal.is_ab(accreditation_body):
        raise PermissionDeniedError(
            f"{principal} may not write accreditations of {request.accreditation_body_id!r}: "
            "only that accreditation body may"
        )


def _auditor(principal: Principal, certification_body: str, rights: Rights) -> None:
    _needs(principal)
    if principal.role is Role.ADMIN:
        return
    certification_body = inputs.identifier(certification_body, "certification_body_id")
    if principal.is_cb(certification_body):
        return
    if rights.accredits(principal, certification_body):
        return
    raise PermissionDeniedError(
        f"{principal} may not read the audit trail of {certification_body!r}: only the "
        "admin, that certification body and its accreditation bodies may"
    )


def cb_auditor(principal: Principal, request: Any, rights: Rights) -> None:
    _auditor(principal, request.certification_body_id, rights)


def report_auditor(principal: Principal, request: Any, rights: Rights) -> None:
    """A CB's issuance report on a day: an AB only for a day it accredited the CB."""
    _auditor(principal, request.certification_body_id, rights)
    if principal.role is not Role.ACCREDITATION_BODY:
        return
    cb = inputs.identifier(request.certification_body_id, "certification_body_id")
    day = (
        date(request.at.year, request.at.month, request.at.day)
        if request.HasField("at")
        else rights.app.now().date()
    )
    if not within(rights.audit_days(principal, cb), day):
        raise PermissionDeniedError(
            f"{principal} did not accredit {cb!r} on {day}: it may read the reports of the "
            "days it accredited it"
        )


def audit_days(app: Registry, certification_body: str) -> Days | None:
    """The days of the CB's audit trail the call's principal may read (see
    ``Rights.audit_days``): what ListEvents and the feed send an AB."""
    return Rights(app).audit_days(current_principal(), certification_body)


def feed_reader(principal: Principal, request: Any, rights: Rights) -> None:
    _needs(principal)
    if principal.role is Role.ADMIN:
        return
    if not request.certification_body_ids:
        raise PermissionDeniedError(
            f"{principal} may follow only the certification bodies it may audit: name them "
            "in certification_body_ids"
        )
    for certification_body in request.certification_body_ids:
        _auditor(principal, certification_body, rights)


def _methods(module: Any, service: str, decide: Decide, **special: Decide) -> dict[str, Decide]:
    descriptor = module.DESCRIPTOR.services_by_name[service]
    return {
        f"/{descriptor.full_name}/{method.name}": special.get(method.name, decide)
        for method in descriptor.methods
    }


_CERTIFICATE_READS = {
    "GetCertificateStatus": anyone,
    "GetCertificateHistory": anyone,
    "SearchCertificates": anyone,
    "PublishBatch": batch_writer,
}
POLICY: dict[str, Decide] = {
    **_methods(pb, "CertificateService", certificate_writer, **_CERTIFICATE_READS),
    **_methods(
        audit_pb,
        "AuditService",
        cb_auditor,
        StreamEvents=feed_reader,
        GetIssuanceReport=report_auditor,
    ),
    **_methods(
        dir_pb,
        "DirectoryService",
        admin,
        GetCertificationBody=anyone,
        GetAccreditationBody=anyone,
    ),
    **_methods(dir_pb, "AccessService", admin),
    **_methods(acc_pb, "AccreditationService", accreditation_writer, GetAccreditation=anyone),
    **_methods(acc_pb, "VerificationService", anyone),
    **_methods(st_pb, "StandardsService", admin, ListStandards=anyone),
}
"""Every RPC of the registry's services and who may call it."""

OPEN_SERVICES = ("/grpc.health.v1.Health/", "/grpc.reflection.v1alpha.ServerReflection/")
"""Served to anyone without the policy (still rate-limited when anonymous)."""


class RateLimiter:
    """A token bucket per peer address: ``rate`` calls a second, bursts of ``rate``."""

    def __init__(self, rate: float, peers: int = 100_000) -> None:
        self.rate = rate
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()
        self._peers = peers

    def wait_needed(self, peer: str) -> float:
        """0 if the call may go now (and it is counted), else the seconds until it may."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(peer, (self.rate, now))
            tokens = min(self.rate, tokens + (now - last) * self.rate)
            if tokens >= 1:
                self._buckets[peer] = (tokens - 1, now)
                wait = 0.0
            else:
                self._buckets[peer] = (tokens, now)
                wait = (1 - tokens) / self.rate
            self._buckets.move_to_end(peer)
            while len(self._buckets) > self._peers:
                self._buckets.popitem(last=False)
        return wait


def peer_address(peer: str) -> str:
    """The address part of grpc's peer string ("ipv4:127.0.0.1:5432" → "ipv4:127.0.0.1")."""
    if peer.startswith("ipv6:["):
        return peer[: peer.index("]") + 1]
    return peer.rsplit(":", 1)[0] if peer.count(":") >= 2 else peer


@dataclass
class AccessSettings:
    anonymous_rate: float = config.DEFAULT_ANONYMOUS_RATE
    peer_principal: PeerPrincipal | None = None


@dataclass(frozen=True)
class _Admission:
    """What the checks of a call found: its principal, and a wait or an error if refused."""

    principal: Principal
    wait: float = 0.0
    error: RegistryError | None = None


class AccessInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    """Authenticates each call, applies ``POLICY``, and limits anonymous callers."""

    def __init__(
        self, app: Registry, executor: ThreadPoolExecutor, settings: AccessSettings | None = None
    ) -> None:
        self.app = app
        self.rights = Rights(app)
        self.executor = executor
        self.settings = settings or AccessSettings()
        self.limiter = RateLimiter(self.settings.anonymous_rate)

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        if handler is None:
            return None
        method = handler_call_details.method
        decide = POLICY.get(method)
        if decide is None and not method.startswith(OPEN_SERVICES):
            decide = _unlisted
        token = bearer_token(handler_call_details.invocation_metadata)
        if handler.unary_unary is not None:
            inner = handler.unary_unary

            async def unary(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
                principal = await self._admit(method, decide, token, request, context)
                _CURRENT.set(principal)
                return await inner(request, context)

            return grpc.unary_unary_rpc_method_handler(
                unary,
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        if handler.unary_stream is not None:
            inner_stream = handler.unary_stream

            async def stream(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
                principal = await self._admit(method, decide, token, request, context)
                _CURRENT.set(principal)
                result = inner_stream(request, context)
                if hasattr(result, "__aiter__"):
                    async for item in result:
                        yield item
                else:
                    await result

            return grpc.unary_stream_rpc_method_handler(
                stream,
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        return handler  # no streaming requests among the registry's RPCs

    async def _admit(
        self,
        method: str,
        decide: Decide | None,
        token: str | None,
        request: Any,
        context: grpc.aio.ServicerContext[Any, Any],
    ) -> Principal:
        """The call's principal, once it is allowed; else the call is aborted."""
        peer = context.peer() or "unknown peer"
        try:
            from_certificate = None
            if self.settings.peer_principal is not None:
                from_certificate = self.settings.peer_principal(context.auth_context())
        except UnauthenticatedError as unknown:
            self._refused(method, ANONYMOUS, peer, grpc.StatusCode.UNAUTHENTICATED, unknown)
            await context.abort(grpc.StatusCode.UNAUTHENTICATED, str(unknown))
        admission = (
            self._check(token, from_certificate, peer, decide, request)
            if token is None and from_certificate is None  # anonymous: nothing to look up
            else await asyncio.get_running_loop().run_in_executor(
                self.executor, self._check, token, from_certificate, peer, decide, request
            )
        )
        error = admission.error
        if admission.wait > 0:
            delay_ms = max(1, round(admission.wait * 1000))
            context.set_trailing_metadata((("retry-after-ms", str(delay_ms)),))
            log.info("refused %s to anonymous %s: rate limit", method, peer)
            await context.abort(
                grpc.StatusCode.RESOURCE_EXHAUSTED,
                f"anonymous callers may make {self.settings.anonymous_rate:g} calls a "
                f"second; retry in {delay_ms} ms (or authenticate)",
            )
        elif isinstance(error, (UnauthenticatedError, PermissionDeniedError)):
            code = (
                grpc.StatusCode.UNAUTHENTICATED
                if isinstance(error, UnauthenticatedError)
                else grpc.StatusCode.PERMISSION_DENIED
            )
            self._refused(method, admission.principal, peer, code, error)
            await context.abort(code, str(error))
        elif error is not None:
            refused = refusal(error, method)
            await context.abort(refused.code, refused.message)
        return admission.principal

    def _check(
        self,
        token: str | None,
        from_certificate: Principal | None,
        peer: str,
        decide: Decide | None,
        request: Any,
    ) -> _Admission:
        """Who calls, and whether the call may go: one step, in one thread."""
        principal = ANONYMOUS
        try:
            principal = self._authenticate(token, from_certificate)
            if principal.is_anonymous:
                wait = self.limiter.wait_needed(peer_address(peer))
                if wait > 0:
                    return _Admission(principal, wait=wait)
            if decide is not None and not _malformed(request):
                decide(principal, request, self.rights)
        except RegistryError as error:
            return _Admission(principal, error=error)
        return _Admission(principal)

    @staticmethod
    def _refused(
        method: str, principal: Principal, peer: str, code: grpc.StatusCode, error: Exception
    ) -> None:
        log.warning(
            "refused %s to %s from %s: %s: %s",
            method,
            principal,
            peer,
            code.name,
            one_line(str(error)),
        )

    def _authenticate(self, token: str | None, from_certificate: Principal | None) -> Principal:
        if token is None:
            return from_certificate or ANONYMOUS
        principal = self.app.credentials.authenticate(token)
        if from_certificate is not None and from_certificate != principal:
            raise UnauthenticatedError(
                f"the client certificate names {from_certificate}, the token {principal}"
            )
        return principal


def _unlisted(principal: Principal, request: Any, rights: Rights) -> None:
    raise PermissionDeniedError("this RPC has no access rule: it is refused to everyone")


def _malformed(request: Any) -> bool:
    return not hasattr(request, "DESCRIPTOR")


def bearer_token(metadata: Any) -> str | None:
    """The credential of the call's ``authorization`` metadata; None when there is none.
    A value that is not ``Bearer <token>`` is answered as a token, and refused as one."""
    for key, value in metadata or ():
        if key == "authorization":
            text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
            scheme, _, credential = text.strip().partition(" ")
            if scheme.lower() == "bearer" and credential.strip():
                return credential.strip()
            return text.strip() or "-"
    return None
