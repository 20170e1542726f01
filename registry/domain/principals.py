"""Who acts: a certification body, an accreditation body, the operator, or anyone.

A principal is written into every event it causes (``actor``) and keys its write
requests' answers, always in one text form: ``anonymous``, ``admin``, ``cb:ID``
or ``ab:ID`` (the body's id as registered in the directory).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from registry.errors import InvalidInputError


class Role(enum.Enum):
    ANONYMOUS = "anonymous"
    ADMIN = "admin"
    CERTIFICATION_BODY = "cb"
    ACCREDITATION_BODY = "ab"


@dataclass(frozen=True)
class Principal:
    """One caller: its role, and for a CB or an AB the body's id."""

    role: Role
    body_id: str = ""

    def __post_init__(self) -> None:
        if (self.role in _BODIES) != bool(self.body_id):
            raise ValueError(f"a {self.role.value} principal takes a body id only for CB or AB")

    def __str__(self) -> str:
        if self.role in _BODIES:
            return f"{self.role.value}:{self.body_id}"
        return self.role.value

    @property
    def is_anonymous(self) -> bool:
        return self.role is Role.ANONYMOUS

    def is_cb(self, certification_body_id: str) -> bool:
        return self.role is Role.CERTIFICATION_BODY and self.body_id == certification_body_id

    def is_ab(self, accreditation_body_id: str) -> bool:
        return self.role is Role.ACCREDITATION_BODY and self.body_id == accreditation_body_id

    @classmethod
    def parse(cls, text: str) -> Principal:
        """The principal written as ``text`` (``anonymous``, ``admin``, ``cb:ID``, ``ab:ID``)."""
        kind, colon, body_id = text.partition(":")
        try:
            role = Role(kind)
        except ValueError:
            raise InvalidInputError(
                f"principal {text!r}: expected anonymous, admin, cb:ID or ab:ID"
            ) from None
        if role in _BODIES and not (colon and body_id):
            raise InvalidInputError(f"principal {text!r}: a {kind} principal needs its id")
        if role not in _BODIES and colon:
            raise InvalidInputError(f"principal {text!r}: {kind} takes no id")
        return cls(role, body_id)


_BODIES = frozenset({Role.CERTIFICATION_BODY, Role.ACCREDITATION_BODY})
ANONYMOUS = Principal(Role.ANONYMOUS)
ADMIN = Principal(Role.ADMIN)


def certification_body(body_id: str) -> Principal:
    return Principal(Role.CERTIFICATION_BODY, body_id)


def accreditation_body(body_id: str) -> Principal:
    return Principal(Role.ACCREDITATION_BODY, body_id)
