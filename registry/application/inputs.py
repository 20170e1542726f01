"""Checks of plain input values; each failure is an ``InvalidInputError`` naming the field."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import TypeVar

from registry.application.views import CertificateRef, Site
from registry.errors import InvalidInputError

T = TypeVar("T")
MAX_TEXT = 2000
MAX_ID = 100


def text(value: str, name: str, *, max_length: int = MAX_TEXT) -> str:
    """``value`` stripped; it must be non-empty, not too long and free of control characters."""
    value = (value or "").strip()
    if not value:
        raise InvalidInputError(f"{name} is required")
    if len(value) > max_length:
        raise InvalidInputError(f"{name} is longer than {max_length} characters")
    if any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in value):
        raise InvalidInputError(f"{name} contains control characters")
    return value


def ref(value: CertificateRef, name: str = "certificate") -> CertificateRef:
    return CertificateRef(
        text(value.certification_body_id, f"{name}.certification_body_id", max_length=MAX_ID),
        text(value.certificate_number, f"{name}.certificate_number", max_length=MAX_ID),
    )


def country(value: str) -> str:
    code = (value or "").strip().upper()
    if len(code) != 2 or not code.isascii() or not code.isalpha():
        raise InvalidInputError(
            f"organization.country must be an ISO 3166-1 alpha-2 code like 'DE', got {value!r}"
        )
    return code


def sites(values: list[Site]) -> list[dict[str, str]]:
    return [
        {
            "address": text(site.address, f"sites[{i}].address"),
            "scope": site.scope.strip(),
        }
        for i, site in enumerate(values)
    ]


def codes(values: list[str]) -> list[str]:
    return [text(code, f"sector_codes[{i}]", max_length=MAX_ID) for i, code in enumerate(values)]


def required(value: T | None, name: str) -> T:
    if value is None:
        raise InvalidInputError(f"{name} is required")
    return value


def instant(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise InvalidInputError("as_of must carry a time zone")
    return value
