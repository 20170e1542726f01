"""The index's tables and rows as both engines store them: names, columns, and the
conversion of periods and audit events to and from table rows."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from registry.projections.index import AuditRow, PeriodRow, family
from registry.projections.queries import IndexedPeriod

CERTS = "registry_index_certs"
PERIODS = "registry_index_periods"
NAMES = "registry_index_names"
EVENTS = "registry_index_events"
TABLES = (CERTS, PERIODS, NAMES, EVENTS)
PERIOD_COLUMNS = (
    "start_day, end_day, status, cb, number, name, country, address, standard, family, "
    "scope, sectors, expiry"
)
# What a search selects of a period, in the order ``indexed`` reads it.
INDEXED_COLUMNS = (
    "cert_key, cb, number, name, country, address, standard, scope, sectors, expiry, status"
)


def prefixed(alias: str) -> str:
    """``PERIOD_COLUMNS``, each as ``alias.column``."""
    return ", ".join(f"{alias}.{column.strip()}" for column in PERIOD_COLUMNS.split(","))


def sector_codes(codes: Sequence[str]) -> str:
    """Sector codes as stored: a JSON list, so a code is found as its JSON string."""
    return json.dumps(list(codes), ensure_ascii=False)


def sector_code(code: str) -> str:
    """What a period's ``sectors`` holds when it has ``code``."""
    return json.dumps(code, ensure_ascii=False)


def period_values(row: PeriodRow) -> tuple[Any, ...]:
    """A period as the values of ``PERIOD_COLUMNS``."""
    return (
        row.start,
        row.end,
        row.status,
        row.certification_body_id,
        row.certificate_number,
        row.organization_name,
        row.organization_country,
        row.organization_address,
        row.standard,
        family(row.standard),
        row.scope,
        sector_codes(row.sector_codes),
        row.expiry,
    )


def period(cert_id: UUID, row: Sequence[Any]) -> PeriodRow:
    """A period from the values of ``PERIOD_COLUMNS``."""
    return PeriodRow(
        cert_id=cert_id,
        start=row[0],
        end=row[1],
        status=row[2],
        certification_body_id=row[3],
        certificate_number=row[4],
        organization_name=row[5],
        organization_country=row[6],
        organization_address=row[7],
        standard=row[8],
        scope=row[10],
        sector_codes=tuple(json.loads(row[11])),
        expiry=row[12],
    )


def indexed(row: Sequence[Any]) -> IndexedPeriod:
    """A search's period from the values of ``INDEXED_COLUMNS``."""
    return IndexedPeriod(
        cert_key=int(row[0]),
        certification_body_id=row[1],
        certificate_number=row[2],
        organization_name=row[3],
        organization_country=row[4],
        organization_address=row[5],
        standard=row[6],
        scope=row[7],
        sector_codes=tuple(json.loads(row[8])),
        expiry=row[9],
        status=row[10],
    )


def audit_values(row: AuditRow, cert_id: Any) -> tuple[Any, ...]:
    """An audit event as the values of its table's columns (``cert_id`` as the engine
    stores ids)."""
    return (
        row.position,
        row.recorded_at,
        cert_id,
        row.certification_body_id,
        row.type,
        row.standard,
        family(row.standard),
    )
