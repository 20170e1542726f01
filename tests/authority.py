"""The directory and the tokens the tests write under.

Every certificate write needs a registered, active CB and that CB's own token; a
transfer also needs the receiving CB accredited for the standard. Tests about
certificates name their CBs freely ("cb-1", "cb-2", …), so ``Authority`` sets each
one up the first time a test writes for it, through the registry's own admin and
accreditation RPCs: registered from 2000-01-01, and, when it takes a certificate
over, accredited by the tests' AB (an IAF MLA signatory) for every catalogued
standard, in consecutive five-year cycles up to 90 days after today. Every other
call goes with the admin token, so no test is slowed by the anonymous rate limit.
Tests about access itself use their own tokens.
"""

from __future__ import annotations

import hashlib
import threading
from datetime import date, timedelta
from typing import Any

import grpc

from registry.client import RegistryClient, RegistryClientError
from registry.commands import WRITES
from registry.domain.dates import add_years
from registry.domain.standards import StandardsCatalogue

TEST_AB = "ab-tests"
SINCE = date(2000, 1, 1)
FALLBACK_CB = "cb-tests"
PREPARED = ("cb-1", "cb-2", FALLBACK_CB)
WRITE_RPCS = frozenset(command.rpc for command in WRITES.values())
CERTIFICATE_SERVICE = "/registry.v1.CertificateService/"
ACCREDITATION_SERVICE = "/registry.v1.AccreditationService/"


class Authority:
    """Sets up, once each, the CBs the tests write for; answers each call's token."""

    def __init__(self, target: str, admin_token: str, **channel: Any) -> None:
        self.admin_token = admin_token
        self.admin = RegistryClient(target, timeout=10, retries=2, token=admin_token, **channel)
        self._target = target
        self._channel = channel
        self._tokens: dict[str, str] = {}
        self._accredited: set[str] = set()
        self._lock = threading.RLock()

    def close(self) -> None:
        self.admin.close()

    def __enter__(self) -> Authority:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def client(self, **options: Any) -> RegistryClient:
        """A client whose every call carries the token ``token_for`` picks."""
        return RegistryClient(
            self._target, token_source=self.token_for, **{**self._channel, **options}
        )

    def server_today(self) -> date:
        """The server's today (its clock, which a test may inject): the day a status
        answers for when none is asked."""
        at = self.admin.get_certificate_status(FALLBACK_CB, "-").at
        return date(at.year, at.month, at.day)

    def prepare(self, cbs: tuple[str, ...] = PREPARED) -> None:
        """Set up the CBs most tests write for before the test begins, so a test that
        counts the events of the log counts only its own."""
        for cb in cbs:
            self.cb_token(cb)

    def token_for(self, method: str, request: Any) -> str | None:
        name = method.rsplit("/", 1)[-1]
        if method.startswith(CERTIFICATE_SERVICE) and name in WRITE_RPCS:
            cb = request.certificate.certification_body_id
            return self.cb_token(cb, accredited=name == "TransferCertificate")
        if method.startswith(CERTIFICATE_SERVICE) and name == "PublishBatch":
            kinds = [c.WhichOneof("command") for c in request.commands]
            cbs = [
                getattr(c, kind).certificate.certification_body_id
                for c, kind in zip(request.commands, kinds, strict=True)
                if kind is not None
            ]
            return self.cb_token(
                cbs[0] if cbs else FALLBACK_CB, accredited="transfer_certificate" in kinds
            )
        if method.startswith(ACCREDITATION_SERVICE) and name != "GetAccreditation":
            return self.ab_token(request.accreditation_body_id)
        return self.admin_token

    def cb_token(self, cb: str, *, accredited: bool = False) -> str:
        """The token of CB ``cb``, registered (and accredited) first if need be. An id the
        registry refuses as malformed gets the tests' fallback CB's token, so the write
        is refused for its input, as it would be for any CB."""
        with self._lock:
            key = f"cb:{cb}"
            if key not in self._tokens:
                try:
                    self.admin.register_certification_body(
                        cb,
                        name=f"Certification body {cb}",
                        country="DE",
                        effective_date=SINCE,
                        request_id=f"tests-register-{_key(cb)}",
                    )
                except RegistryClientError as error:
                    if error.code is not grpc.StatusCode.INVALID_ARGUMENT:
                        raise
                    return self.cb_token(FALLBACK_CB)
                self._tokens[key] = self.admin.create_token("cb", cb, note="tests").token
            if accredited and cb not in self._accredited:
                self._accredit(cb)
                self._accredited.add(cb)
            return self._tokens[key]

    def ab_token(self, ab: str) -> str:
        with self._lock:
            key = f"ab:{ab}"
            if key not in self._tokens:
                try:
                    self._tokens[key] = self.admin.create_token("ab", ab, note="tests").token
                except RegistryClientError as error:
                    if error.code is not grpc.StatusCode.NOT_FOUND:
                        raise
                    return self.cb_token(FALLBACK_CB)  # an unregistered AB: any non-AB token
            return self._tokens[key]

    def _accredit(self, cb: str) -> None:
        if TEST_AB not in self._accredited:
            self.admin.register_accreditation_body(
                TEST_AB,
                name="Accreditation body of the tests",
                country="GB",
                effective_date=SINCE,
                request_id=f"tests-register-{TEST_AB}",
            )
            self.admin.record_mla_status(
                TEST_AB, "SIGNATORY", effective_date=SINCE, request_id="tests-mla"
            )
            self._accredited.add(TEST_AB)
        standards = [edition.designation for edition in StandardsCatalogue.load()]
        with RegistryClient(self._target, token=self.ab_token(TEST_AB), **self._channel) as ab:
            for start, expiry in cycles(self.server_today()):
                ab.grant_accreditation(
                    TEST_AB,
                    cb,
                    standards=standards,
                    expiry_date=expiry,
                    effective_date=start,
                    request_id=f"tests-accredit-{_key(cb)}-{start}",
                )


def register_in_process(app: Any, cb: str, *, accredited: bool = False) -> None:
    """Register CB ``cb`` straight through the application, for tests that write without a
    server (and accredit it like ``Authority`` does); calling again changes nothing."""
    from registry.application.views import WriteMeta
    from registry.domain.bodies import MlaStatus

    def meta(request_id: str, effective: date, actor: str = "admin") -> WriteMeta:
        return WriteMeta(request_id, effective_date=effective, actor=actor)

    directory = app.directory
    directory.register_certification_body(
        cb, meta(f"tests-register-{_key(cb)}", SINCE), name=f"Certification body {cb}", country="DE"
    )
    if not accredited:
        return
    directory.register_accreditation_body(
        TEST_AB,
        meta(f"tests-register-{TEST_AB}", SINCE),
        name="Accreditation body of the tests",
        country="GB",
    )
    directory.record_mla_status(TEST_AB, meta("tests-mla", SINCE), status=MlaStatus.SIGNATORY)
    standards = [edition.designation for edition in StandardsCatalogue.load()]
    for start, expiry in cycles(app.now().date()):
        directory.grant_accreditation(
            TEST_AB,
            cb,
            meta(f"tests-accredit-{_key(cb)}-{start}", start, f"ab:{TEST_AB}"),
            standards=standards,
            sector_codes=[],
            expiry_date=expiry,
        )


def _key(cb: str) -> str:
    """A short stand-in for ``cb`` in request ids (which are at most 128 bytes)."""
    return hashlib.sha256(cb.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def cycles(today: date) -> list[tuple[date, date]]:
    """Consecutive five-year accreditation cycles from ``SINCE`` until 90 days after today."""
    spans, start = [], SINCE
    while start <= today + timedelta(days=90):
        expiry = add_years(start, 5) - timedelta(days=1)
        spans.append((start, expiry))
        start = expiry + timedelta(days=1)
    return spans


IN_PROCESS_CBS = ("cb-0", "cb-1", "cb-2", "cb-3", "cb-9", "cb-model", "cb-great-lakes")
IN_PROCESS_ACCREDITED = ("cb-2", "cb-3")


def prepare_in_process(app: Any) -> Any:
    """Register the CBs the application tests write for (and accredit those they transfer
    to), before the test begins; returns ``app``."""
    for cb in IN_PROCESS_CBS:
        register_in_process(app, cb, accredited=cb in IN_PROCESS_ACCREDITED)
    return app
