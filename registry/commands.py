"""The write commands, each described once: its RPC, its use case and its fields.

The servicer's write methods (``registry.server.certificates``), the client's
``write`` (``registry.client``) and the CLI's write subcommands
(``registry.cli.commands``) are all made from ``WRITES``. A field's ``kind``
says how each of them reads or sets it; what a value may be is checked once,
by the application. Every write also carries the certificate, a request id, an
effective date and an expected version: those are not listed here.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Kind(enum.Enum):
    """How a field travels: its wire type and the plain type the application takes."""

    TEXT = "text"  # string → str
    FLAG = "flag"  # bool → bool (an option without a value on the command line)
    INT = "int"  # int64 → int (at least 1 on the command line)
    DATE = "date"  # google.type.Date → date | None
    SITES = "sites"  # repeated Site → list[Site]
    SECTOR_CODES = "sector codes"  # repeated string → list[str]
    ORGANIZATION = "organization"  # Organization → Organization
    CERTIFICATE = "certificate"  # CertificateRef → CertificateRef


@dataclass(frozen=True)
class Field:
    """A field of a write request.

    ``name`` is the request's field; ``argument`` the use case's keyword when it is
    not the same. ``flag`` is the command line's option (default ``--name`` with
    dashes), ``help`` what it says of it; for an organization, ``help`` holds ``{}``
    where each part (legal name, country code, head office address) goes.
    """

    name: str
    kind: Kind
    help: str
    required: bool = True
    flag: str = ""
    argument: str = ""

    @property
    def option(self) -> str:
        return self.flag or "--" + self.name.replace("_", "-")

    @property
    def keyword(self) -> str:
        return self.argument or self.name


@dataclass(frozen=True)
class WriteCommand:
    """A write: ``name`` on the command line and in ``RegistryClient.write``, ``rpc`` on
    the wire (``{rpc}Request`` and ``{rpc}Response``), ``use_case`` the Registry method."""

    name: str
    rpc: str
    use_case: str
    summary: str
    fields: tuple[Field, ...] = ()
    details: str = ""

    def field(self, name: str) -> Field:
        for field in self.fields:
            if field.name == name:
                return field
        raise TypeError(f"{self.name} has no field {name!r}")


def _reason(why: str) -> Field:
    return Field("reason", Kind.TEXT, why)


# A reason the CB may mark confidential (SPEC 3.2): anyone but the admin, the CB itself and
# the ABs accrediting it is told the status without it.
_CONFIDENTIAL = Field(
    "reason_confidential",
    Kind.FLAG,
    "the reason is confidential: only the registry's admin, this CB and the ABs "
    "accrediting it may read it; anyone else is told it is withheld",
    required=False,
    flag="--confidential",
    argument="confidential",
)


def _scope(*, replacing: bool) -> tuple[Field, ...]:
    whole = " (the whole new list: sites not given are removed)" if replacing else ""
    return (
        Field("scope", Kind.TEXT, "the certified scope"),
        Field(
            "sites",
            Kind.SITES,
            f"a certified site, repeatable{whole}",
            required=False,
            flag="--site",
        ),
        Field(
            "sector_codes",
            Kind.SECTOR_CODES,
            "an IAF/EA sector code, repeatable" + (" (the whole new list)" if replacing else ""),
            required=False,
            flag="--sector-code",
        ),
    )


# What a new certificate holds, issued or taken over.
_NEW_CERTIFICATE = (
    Field("organization", Kind.ORGANIZATION, "the holder's {}"),
    Field("standard", Kind.TEXT, 'standard and edition, e.g. "ISO 9001:2015"'),
    *_scope(replacing=False),
    Field("expiry_date", Kind.DATE, "the expiry date", flag="--expiry"),
)

WRITES: dict[str, WriteCommand] = {
    command.name: command
    for command in (
        WriteCommand(
            "issue",
            "IssueCertificate",
            "issue_certificate",
            "issue a certificate (the certification decision)",
            _NEW_CERTIFICATE,
            "A certificate taken over from another CB is issued by transfer.",
        ),
        WriteCommand(
            "surveil",
            "RecordSurveillance",
            "record_surveillance",
            "record a passed surveillance audit",
        ),
        WriteCommand(
            "change-scope",
            "ChangeScope",
            "change_scope",
            "replace the certified scope, sites and sector codes",
            _scope(replacing=True),
            "Sites and sector codes not given are removed.",
        ),
        WriteCommand(
            "suspend",
            "SuspendCertificate",
            "suspend_certificate",
            "suspend a certificate valid on the effective date",
            (
                _reason("why it is suspended"),
                _CONFIDENTIAL,
                Field("review_by", Kind.DATE, "when the CB will review it", required=False),
            ),
        ),
        WriteCommand(
            "reinstate",
            "ReinstateCertificate",
            "reinstate_certificate",
            "lift a suspension in effect on the effective date",
        ),
        WriteCommand(
            "withdraw",
            "WithdrawCertificate",
            "withdraw_certificate",
            "withdraw a certificate (decided by the CB; terminal)",
            (_reason("why it is withdrawn"), _CONFIDENTIAL),
        ),
        WriteCommand(
            "cancel",
            "CancelCertificate",
            "cancel_certificate",
            "cancel a certificate (client's request or end of contract; terminal)",
            (_reason("why it is cancelled"), _CONFIDENTIAL),
        ),
        WriteCommand(
            "renew",
            "RenewCertificate",
            "renew_certificate",
            "recertify: a new expiry for a new cycle",
            (Field("expiry_date", Kind.DATE, "the new expiry date", flag="--expiry"),),
        ),
        WriteCommand(
            "transfer",
            "TransferCertificate",
            "transfer_certificate",
            "take over another CB's certificate (IAF MD 2): issue CB NUMBER in its place",
            (
                Field(
                    "from_certificate",
                    Kind.CERTIFICATE,
                    "the other CB's certificate taken over (split at the first /)",
                    flag="--from",
                ),
                *_NEW_CERTIFICATE,
            ),
            "Run by the receiving CB for its new certificate CB NUMBER. From the transfer date "
            "(--effective) the certificate given with --from is TRANSFERRED and the new one "
            "VALID: both change in one transaction, or neither does. The old certificate must "
            "be valid that day, another CB's, to the same standard; the new expiry is at most "
            "its expiry. --expected-version, if given, must be 0 (the new certificate must not "
            "exist).",
        ),
        WriteCommand(
            "change-holder",
            "ChangeHolderDetails",
            "change_holder_details",
            "change the holder's name, country or address",
            (Field("organization", Kind.ORGANIZATION, "the new {}", required=False),),
            "Options not given stay as they are; give at least one.",
        ),
        WriteCommand(
            "retract",
            "RetractEvent",
            "retract_event",
            "mark an earlier event as published in error",
            (
                Field(
                    "event_version",
                    Kind.INT,
                    "the version of the event published in error",
                    argument="version",
                ),
                _reason("why it was an error"),
            ),
        ),
    )
}
