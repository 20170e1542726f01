"""The write commands' descriptions match the wire contract."""

from registry.commands import WRITES
from registry.v1 import certificate_service_pb2 as pb

SERVICE = pb.DESCRIPTOR.services_by_name["CertificateService"]
READS = {"GetCertificateStatus", "GetCertificateHistory", "SearchCertificates"}
# A batch carries the single writes; it is not one of them.
BATCH = {"PublishBatch"}


def test_every_write_rpc_is_described_once():
    described = [command.rpc for command in WRITES.values()]
    assert sorted(described) == sorted(set(SERVICE.methods_by_name) - READS - BATCH)


def test_every_described_field_is_a_field_of_its_request():
    for command in WRITES.values():
        request = SERVICE.methods_by_name[command.rpc].input_type
        common = {"certificate", "request_id", "effective_date", "expected_version"}
        assert {field.name for field in command.fields} == set(request.fields_by_name) - common
