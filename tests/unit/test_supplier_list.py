"""The supplier list of ``registry verify --file``: reading it, chunking it, writing results."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path

import grpc
import pytest
from google.protobuf import timestamp_pb2
from google.rpc import code_pb2

from registry.cli import suppliers
from registry.client import RegistryClientError
from registry.v1 import accreditation_service_pb2 as acc_pb
from registry.v1 import certificate_service_pb2 as pb

AS_OF = datetime(2025, 7, 1, 12, 0, tzinfo=UTC)


def write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "list.csv"
    path.write_text(text, encoding=encoding)
    return path


class FakeClient:
    """Answers every item CREDIBLE as of ``AS_OF``; refuses the ``refuse``-th call."""

    def __init__(self, refuse: int | None = None) -> None:
        self.calls: list[tuple[list[str], datetime | None]] = []
        self.refuse = refuse

    def verify_certificates(self, items, *, at=None, as_of=None, timeout=None):
        self.calls.append(([item.certificate.certificate_number for item in items], as_of))
        if len(self.calls) == self.refuse:
            raise RegistryClientError(grpc.StatusCode.UNAVAILABLE, "server gone")
        stamp = timestamp_pb2.Timestamp()
        stamp.FromDatetime(as_of or AS_OF)
        answer = acc_pb.VerifyCertificateResponse(
            verdict=pb.VERDICT_CREDIBLE, status=pb.CERTIFICATE_STATUS_VALID, as_of=stamp
        )
        return acc_pb.VerifyCertificatesResponse(
            results=[acc_pb.VerifyCertificatesResult(code=code_pb2.OK, result=answer)] * len(items),
            as_of=stamp,
        )


def test_a_byte_order_mark_and_spaced_capitalised_column_names_are_tolerated(tmp_path):
    path = write(tmp_path, "\ufeffCertificate_Number , certification_body_id\nQ-1,cb-1\n")
    columns, rows = suppliers.read(path)
    assert columns == ("certificate_number", "certification_body_id")
    assert rows[0].item.certificate.certification_body_id == "cb-1"
    assert rows[0].item.certificate.certificate_number == "Q-1"


def test_unknown_columns_are_refused_naming_them(tmp_path):
    path = write(tmp_path, "certification_body_id,certificate_number,price,\n")
    with pytest.raises(suppliers.SupplierListError, match="'price', '' \\(a column with no name"):
        suppliers.read(path)


def test_a_list_without_a_certificate_number_column_is_refused(tmp_path):
    with pytest.raises(suppliers.SupplierListError, match="no certificate_number column"):
        suppliers.read(write(tmp_path, "certification_body_id,at\ncb-1,2025-01-01\n"))


def test_an_empty_file_is_refused(tmp_path):
    with pytest.raises(suppliers.SupplierListError, match="the file is empty"):
        suppliers.read(write(tmp_path, ""))


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = write(tmp_path, "certification_body_id,certificate_number\ncb-1,Zürich\n", "latin-1")
    with pytest.raises(suppliers.SupplierListError, match="not UTF-8"):
        suppliers.read(path)


def test_a_row_with_a_bad_day_is_answered_without_being_sent(tmp_path):
    path = write(tmp_path, "certification_body_id,certificate_number,at\ncb-1,Q-1,2025-02-30\n")
    _, rows = suppliers.read(path)
    client = FakeClient()
    [result] = suppliers.check(client, rows)
    assert (result.code, result.checked) == ("INVALID_ARGUMENT", False)
    assert result.message.startswith("at: '2025-02-30' is not a calendar date")
    assert client.calls == []


def test_a_row_with_more_cells_than_the_header_is_not_sent(tmp_path):
    _, rows = suppliers.read(write(tmp_path, "certification_body_id,certificate_number\na,b,c\n"))
    assert rows[0].item is None
    assert "3 cells, but the header names 2 columns" in rows[0].problem


def test_a_row_with_a_day_is_judged_on_that_day(tmp_path):
    path = write(tmp_path, "certification_body_id,certificate_number,at\ncb-1,Q-1,2025-03-20\n")
    _, rows = suppliers.read(path)
    at = rows[0].item.at
    assert date(at.year, at.month, at.day) == date(2025, 3, 20)


def test_cells_neutralised_by_an_export_read_back_as_they_were(tmp_path):
    path = write(
        tmp_path, "certification_body_id,certificate_number,claimed_scope\ncb-1,Q-1,'=SUM(A1)\n"
    )
    _, rows = suppliers.read(path)
    assert rows[0].item.claimed_scope == "=SUM(A1)"


def test_rows_are_sent_in_chunks_all_as_of_the_first_chunks_instant(tmp_path):
    lines = "".join(f"cb-1,Q-{n}\n" for n in range(5))
    _, rows = suppliers.read(write(tmp_path, "certification_body_id,certificate_number\n" + lines))
    client = FakeClient()
    results = list(suppliers.check(client, rows, chunk_size=2))
    assert [numbers for numbers, _ in client.calls] == [["Q-0", "Q-1"], ["Q-2", "Q-3"], ["Q-4"]]
    assert [as_of for _, as_of in client.calls] == [None, AS_OF, AS_OF]
    assert all(result.checked for result in results)


def test_rows_not_sent_do_not_count_in_a_chunk(tmp_path):
    text = "certification_body_id,certificate_number,at\ncb-1,Q-0,\ncb-1,Q-1,bad\ncb-1,Q-2,\n"
    _, rows = suppliers.read(write(tmp_path, text))
    client = FakeClient()
    results = list(suppliers.check(client, rows, chunk_size=2))
    assert [numbers for numbers, _ in client.calls] == [["Q-0", "Q-2"]]
    assert [result.code for result in results] == ["OK", "INVALID_ARGUMENT", "OK"]


def test_a_chunk_refused_as_a_whole_leaves_it_and_every_later_row_not_checked(tmp_path):
    lines = "".join(f"cb-1,Q-{n}\n" for n in range(5))
    _, rows = suppliers.read(write(tmp_path, "certification_body_id,certificate_number\n" + lines))
    client = FakeClient(refuse=2)
    refusals: list[RegistryClientError] = []
    results = list(suppliers.check(client, rows, chunk_size=2, on_refused=refusals.append))
    assert [result.code for result in results] == ["OK", "OK", *["UNAVAILABLE"] * 3]
    assert len(client.calls) == 2
    assert [error.message for error in refusals] == ["server gone"]


def test_result_rows_neutralise_formulas_and_join_the_failed_steps(tmp_path):
    path = write(
        tmp_path,
        "certification_body_id,certificate_number,claimed_organization_name\ncb-1,Q-1,@evil\n",
    )
    columns, [row] = suppliers.read(path)
    response = acc_pb.VerifyCertificateResponse(
        verdict=pb.VERDICT_NOT_VALID,
        status=pb.CERTIFICATE_STATUS_VALID,
        steps=[
            acc_pb.VerificationStep(kind=acc_pb.VERIFICATION_STEP_KIND_EXISTS, passed=True),
            acc_pb.VerificationStep(
                kind=acc_pb.VERIFICATION_STEP_KIND_CLAIMED_ORGANIZATION_NAME,
                passed=False,
                reason="certified organisation 'Acme', not '@evil'",
            ),
            acc_pb.VerificationStep(
                kind=acc_pb.VERIFICATION_STEP_KIND_ACCREDITED, passed=False, reason="-none"
            ),
        ],
    )
    stream = io.StringIO()
    writer = suppliers.ResultWriter(stream, columns, as_json=False)
    writer.write(row, suppliers.Result("OK", "", response, "2025-07-01T12:00:00Z"))
    header, cells = csv.reader(io.StringIO(stream.getvalue()))
    assert header[3:] == [*suppliers.RESULT_COLUMNS]
    assert cells == [
        *("cb-1", "Q-1", "'@evil", "NOT_VALID", "VALID", ""),
        "CLAIMED_ORGANIZATION_NAME: certified organisation 'Acme', not '@evil'; ACCREDITED: -none",
        *("OK", "", "2025-07-01T12:00:00Z"),
    ]
