"""Checks of plain input values, and the one place their limits are set (README, "Limits").

Every value is normalised to Unicode NFC and stripped of surrounding whitespace before it
is checked, measured, stored or used to name a certificate, so two spellings of one text
(``"Ü"`` and ``"U\\u0308"``) are one value.

- Identifiers (CB ids, certificate numbers) are 1 to ``MAX_ID_CHARS`` characters, every
  one printable (``str.isprintable``): no control, format (zero-width, bidi), separator
  other than the ASCII space, private-use, surrogate or unassigned character.
- Text is measured in bytes of UTF-8 and refuses control characters (Cc), format
  characters (Cf) but the zero-width (non-)joiner that some scripts and emoji need, line
  and paragraph separators and surrogates; tab and newline only where it is multi-line.
- One command holds at most ``MAX_COMMAND_BYTES`` of the fields its event stores; a batch
  at most ``MAX_BATCH_COMMANDS`` commands in ``MAX_BATCH_BYTES``.

Each failure is an ``InvalidInputError`` naming the field and the limit; it quotes at
most ``EXCERPT_CHARS`` characters of the value, escaped, never the whole of it.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping
from datetime import datetime
from typing import Any, NoReturn, TypeVar

from registry.application.views import CertificateRef, Site
from registry.errors import InvalidInputError

T = TypeVar("T")

MAX_ID_CHARS = 128
MAX_ORGANIZATION_NAME_BYTES = 512
MAX_ADDRESS_BYTES = 1024
MAX_SCOPE_BYTES = 16 * 1024
MAX_SITE_SCOPE_BYTES = 4 * 1024
MAX_REASON_BYTES = 4 * 1024
MAX_SECTOR_CODE_BYTES = 32
MAX_STANDARD_BYTES = 64
MAX_STANDARD_TITLE_BYTES = 512
MAX_REQUEST_ID_BYTES = 128
MAX_SITES = 5000
MAX_SECTOR_CODES = 100
MAX_COMMAND_BYTES = 512 * 1024
# A batch of writes (PublishBatch): at most this many commands, and this many bytes as
# sent (the serialised request).
MAX_BATCH_COMMANDS = 1000
MAX_BATCH_BYTES = 8 * 1024 * 1024
EXCERPT_CHARS = 32

MULTILINE_CONTROLS = frozenset("\n\t")
TEXT_FORMAT_CHARACTERS = frozenset("\u200c\u200d")  # zero-width non-joiner, joiner
_KINDS = {
    "Cc": "a control character",
    "Cf": "a format character",
    "Cs": "a surrogate",
    "Co": "a private-use character",
    "Cn": "an unassigned character",
    "Zl": "a line separator",
    "Zp": "a paragraph separator",
    "Zs": "a space other than U+0020",
}


def excerpt(value: str) -> str:
    """The start of ``value``, escaped and short enough to quote in any error message."""
    head = repr(value[:EXCERPT_CHARS])
    return head + "…" if len(value) > EXCERPT_CHARS else head


def identifier(value: str, name: str) -> str:
    """A CB id or certificate number: NFC, stripped, 1 to ``MAX_ID_CHARS`` printable characters."""
    value = _normalised(value)
    if not value:
        raise InvalidInputError(f"{name} is required")
    if len(value) > MAX_ID_CHARS:
        raise InvalidInputError(
            f"{name} must be at most {MAX_ID_CHARS} characters, got {len(value)}: {excerpt(value)}"
        )
    if not value.isprintable():
        _refuse(value, name, next(c for c in value if not c.isprintable()))
    return value


def ref(value: CertificateRef, name: str = "certificate") -> CertificateRef:
    return CertificateRef(
        identifier(value.certification_body_id, f"{name}.certification_body_id"),
        identifier(value.certificate_number, f"{name}.certificate_number"),
    )


def text(
    value: str, name: str, *, max_bytes: int, multiline: bool = False, required: bool = True
) -> str:
    """``value`` in NFC, stripped, at most ``max_bytes`` of UTF-8, free of control characters.

    Empty is refused when ``required``, else answered as ``""``.
    """
    value = _normalised(value)
    if not value:
        if required:
            raise InvalidInputError(f"{name} is required")
        return value
    size = len(value.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise InvalidInputError(
            f"{name} must be at most {max_bytes} bytes of UTF-8, got {size}: {excerpt(value)}"
        )
    if not value.isprintable():
        for character in value:
            if _refused_in_text(character, multiline):
                _refuse(value, name, character)
    return value


def organization_name(value: str, *, required: bool = True) -> str:
    return text(
        value, "organization.name", max_bytes=MAX_ORGANIZATION_NAME_BYTES, required=required
    )


def address(value: str, name: str = "organization.address", *, required: bool = True) -> str:
    return text(value, name, max_bytes=MAX_ADDRESS_BYTES, multiline=True, required=required)


def scope(value: str) -> str:
    return text(value, "scope", max_bytes=MAX_SCOPE_BYTES, multiline=True)


def reason(value: str) -> str:
    return text(value, "reason", max_bytes=MAX_REASON_BYTES, multiline=True)


def standard(value: str) -> str:
    return text(value, "standard", max_bytes=MAX_STANDARD_BYTES)


def edition(code: str, edition: str) -> tuple[str, str]:
    """A new edition's code ("ISO 9001") and edition ("2015"): each without a colon, its
    spacing collapsed, and together as a designation at most ``MAX_STANDARD_BYTES``."""
    parts = []
    for value, name in ((code, "code"), (edition, "edition")):
        value = " ".join(text(value, name, max_bytes=MAX_STANDARD_BYTES).split())
        if ":" in value:
            raise InvalidInputError(
                f"{name} must not hold a colon (the designation is CODE:EDITION), got "
                f"{excerpt(value)}"
            )
        parts.append(value)
    designation = ":".join(parts)
    size = len(designation.encode("utf-8", "surrogatepass"))
    if size > MAX_STANDARD_BYTES:
        raise InvalidInputError(
            f"code and edition: the designation CODE:EDITION must be at most "
            f"{MAX_STANDARD_BYTES} bytes of UTF-8, got {size}: {excerpt(designation)}"
        )
    return parts[0], parts[1]


def standard_title(value: str) -> str:
    return text(value, "title", max_bytes=MAX_STANDARD_TITLE_BYTES)


def request_id(value: str) -> str:
    return text(value, "request_id", max_bytes=MAX_REQUEST_ID_BYTES)


def country(value: str) -> str:
    code = (value or "").strip().upper()
    if len(code) != 2 or not code.isascii() or not code.isalpha():
        raise InvalidInputError(
            f"organization.country must be an ISO 3166-1 alpha-2 code like 'DE', "
            f"got {excerpt(value)}"
        )
    return code


def sites(values: list[Site]) -> list[dict[str, str]]:
    if len(values) > MAX_SITES:
        raise InvalidInputError(f"sites: at most {MAX_SITES} sites, got {len(values)}")
    return [
        {
            "address": address(site.address, f"sites[{i}].address"),
            "scope": text(
                site.scope,
                f"sites[{i}].scope",
                max_bytes=MAX_SITE_SCOPE_BYTES,
                multiline=True,
                required=False,
            ),
        }
        for i, site in enumerate(values)
    ]


def codes(values: list[str]) -> list[str]:
    if len(values) > MAX_SECTOR_CODES:
        raise InvalidInputError(
            f"sector_codes: at most {MAX_SECTOR_CODES} codes, got {len(values)}"
        )
    return [
        text(code, f"sector_codes[{i}]", max_bytes=MAX_SECTOR_CODE_BYTES)
        for i, code in enumerate(values)
    ]


def encoded_size(fields: Mapping[str, Any]) -> int:
    """Bytes of ``fields`` as compact JSON in UTF-8, as the event store writes them."""
    encoded = json.dumps(fields, ensure_ascii=False, separators=(",", ":"), default=str)
    return len(encoded.encode("utf-8", "surrogatepass"))


def command_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """The fields of one command (hence one event), at most ``MAX_COMMAND_BYTES`` encoded."""
    size = encoded_size(fields)
    if size > MAX_COMMAND_BYTES:
        raise InvalidInputError(
            f"the command must be at most {MAX_COMMAND_BYTES} bytes encoded, got {size}"
        )
    return fields


def required(value: T | None, name: str) -> T:
    if value is None:
        raise InvalidInputError(f"{name} is required")
    return value


def instant(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise InvalidInputError("as_of must carry a time zone")
    return value


def _normalised(value: str) -> str:
    return unicodedata.normalize("NFC", value or "").strip()


def _refused_in_text(character: str, multiline: bool) -> bool:
    if character.isprintable():
        return False
    category = unicodedata.category(character)
    if category == "Cc":
        return not (multiline and character in MULTILINE_CONTROLS)
    if category == "Cf":
        return character not in TEXT_FORMAT_CHARACTERS
    return category in ("Cs", "Zl", "Zp")


def _refuse(value: str, name: str, character: str) -> NoReturn:
    code_point = f"U+{ord(character):04X}"
    label = unicodedata.name(character, "")
    kind = _KINDS.get(unicodedata.category(character), "a character not allowed here")
    if character in MULTILINE_CONTROLS:
        kind += " (allowed only in multi-line text)"
    elif character == "\r":
        kind += " (write line breaks as U+000A alone)"
    raise InvalidInputError(
        f"{name} must not contain {code_point}{' ' + label if label else ''}, {kind}: "
        f"{excerpt(value)}"
    )


def batch(count: int, size: int) -> None:
    """A batch of ``count`` commands, ``size`` bytes as sent: 1 to ``MAX_BATCH_COMMANDS``
    commands, at most ``MAX_BATCH_BYTES``."""
    if count < 1:
        raise InvalidInputError("commands: a batch holds at least one command")
    if count > MAX_BATCH_COMMANDS:
        raise InvalidInputError(
            f"commands: a batch holds at most {MAX_BATCH_COMMANDS} commands, got {count}"
        )
    if size > MAX_BATCH_BYTES:
        raise InvalidInputError(
            f"commands: a batch is at most {MAX_BATCH_BYTES} bytes, got {size}; "
            "send it in smaller batches"
        )
