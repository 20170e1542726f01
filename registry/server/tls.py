"""TLS for the server, and who a client is by its certificate (mutual TLS).

``server_credentials(TlsSettings(cert_file, key_file))`` serves TLS with the
server's certificate chain and key; with ``client_ca_file`` too, every client
must present a certificate signed by that CA (mutual TLS), and a client
without one, or with one from another CA, is refused during the handshake,
before any call. The files are read and checked when the credentials are made
(the key against the certificate with Python's ``ssl``): a missing, unreadable
or malformed file, or a key that is not the certificate's, is an
``InvalidInputError`` naming the option (``--tls-cert``, ``--tls-key``,
``--tls-client-ca``) and the file.

Who a mutual-TLS client is: the Common Name (CN) of its certificate's subject
is the principal's text, as ``Principal.parse`` reads it:

    subject CN      principal
    admin           the operator (ADMIN)
    cb:CB-1         certification body CB-1
    ab:AB-1         accreditation body AB-1
    anything else   refused: UnauthenticatedError (``anonymous`` too: a
                    certificate names someone)
    no certificate  None: plaintext, or TLS without a client CA; who the
                    caller is must come from elsewhere

Client certificates are asked for only when they are verified (a client CA is
set, see ``server_credentials``), so a certificate in a call's auth context is
one the server verified.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import grpc

from registry.config import read_pem
from registry.domain.principals import Principal
from registry.errors import InvalidInputError, UnauthenticatedError

CERT_OPTION = "--tls-cert"
KEY_OPTION = "--tls-key"
CLIENT_CA_OPTION = "--tls-client-ca"


@dataclass(frozen=True)
class TlsSettings:
    """The server's certificate chain and private key (PEM files), and for mutual TLS the
    CA whose certificates clients must present."""

    cert_file: Path
    key_file: Path
    client_ca_file: Path | None = None

    @property
    def mutual(self) -> bool:
        return self.client_ca_file is not None


def server_credentials(settings: TlsSettings) -> grpc.ServerCredentials:
    """Credentials serving ``settings``: TLS, and with a client CA, mutual TLS."""
    cert = read_pem(settings.cert_file, CERT_OPTION, "certificate")
    _check_certificates(cert, CERT_OPTION, settings.cert_file)
    key = read_pem(settings.key_file, KEY_OPTION, "private key")
    _check_key(settings)
    client_ca = None
    if settings.client_ca_file is not None:
        client_ca = read_pem(settings.client_ca_file, CLIENT_CA_OPTION, "certificate")
        _check_certificates(client_ca, CLIENT_CA_OPTION, settings.client_ca_file)
    return grpc.ssl_server_credentials(
        [(key, cert)], root_certificates=client_ca, require_client_auth=client_ca is not None
    )


def _check_certificates(pem: bytes, option: str, path: Path) -> None:
    """Refuse a file whose certificates cannot be read (grpc would only say it cannot bind)."""
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_verify_locations(
            cadata=pem.decode("ascii", "replace")
        )
    except ssl.SSLError:
        raise InvalidInputError(f"{option}: {path} holds no certificate that can be read") from None


def _check_key(settings: TlsSettings) -> None:
    """Refuse a key that cannot be read or is not the certificate's."""
    try:
        # An empty password: an encrypted key is refused rather than asked for.
        ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_cert_chain(
            settings.cert_file, settings.key_file, password=""
        )
    except ssl.SSLError as error:
        if error.reason == "KEY_VALUES_MISMATCH":
            raise InvalidInputError(
                f"{KEY_OPTION}: {settings.key_file} is not the private key of the certificate "
                f"in {CERT_OPTION} {settings.cert_file}"
            ) from None
        raise InvalidInputError(
            f"{KEY_OPTION}: {settings.key_file} holds no unencrypted private key that can be read"
        ) from None


def principal_from_peer(auth_context: Mapping[str, Iterable[bytes]]) -> Principal | None:
    """The principal named by the peer's verified client certificate (see the module's
    docstring), or None when the peer presented none; ``auth_context`` is grpc's
    ``context.auth_context()``. A certificate naming no principal raises
    ``UnauthenticatedError``."""
    if not list(auth_context.get("x509_pem_cert", ())):
        return None
    subject = b", ".join(auth_context.get("x509_subject", ())).decode("utf-8", "replace")
    names = [name.decode("utf-8", "replace") for name in auth_context.get("x509_common_name", ())]
    if len(names) != 1:
        raise UnauthenticatedError(
            f"client certificate {subject!r}: its subject needs one Common Name naming a "
            "principal (admin, cb:ID or ab:ID)"
        )
    try:
        principal = Principal.parse(names[0])
    except InvalidInputError:
        principal = None
    if principal is None or principal.is_anonymous:
        raise UnauthenticatedError(
            f"client certificate {subject!r}: its Common Name {names[0]!r} is not a principal "
            "(admin, cb:ID or ab:ID)"
        )
    return principal
