"""What a caller not entitled to a CB's own details is told of its certificates (SPEC 3.2).

The registry's admin, the CB itself and an AB accrediting it (``access.sees_who_acted``)
read a certificate's status and history whole. Anyone else reads the public answer,
made here and nowhere else, from the response the entitled would get:

- the history without who sent each event (``actor``, ``request_id``);
- a suspension, withdrawal or cancellation reason the CB marked confidential left
  empty, saying that it was withheld: in a status, ``suspension_reason_withheld`` or
  ``end_reason_withheld``; in an event, ``reason_confidential`` stays set beside the
  empty ``reason``.

Nothing else needs it: the credibility check's steps never quote a reason, search
results carry none, and the audit trail (ListEvents, StreamEvents) is served only to
the entitled (``access.POLICY``), reasons and flags included.
"""

from __future__ import annotations

from registry.v1 import certificate_service_pb2 as pb

# The event payloads that carry a reason the CB may mark confidential.
CONFIDENTIAL_REASONS = ("suspended", "withdrawn", "cancelled")


def public_status(response: pb.GetCertificateStatusResponse) -> None:
    """Withhold, in place, the reasons the CB marked confidential."""
    if not response.HasField("certificate"):
        return
    certificate = response.certificate
    if certificate.suspension_reason_confidential:
        certificate.ClearField("suspension_reason")
        certificate.suspension_reason_withheld = True
    if certificate.end_reason_confidential:
        certificate.ClearField("end_reason")
        certificate.end_reason_withheld = True


def public_history(response: pb.GetCertificateHistoryResponse) -> None:
    """Leave out, in place, who sent each event and the reasons marked confidential."""
    for event in response.events:
        event.ClearField("actor")
        event.ClearField("request_id")
        kind = event.WhichOneof("payload")
        if kind is not None and kind in CONFIDENTIAL_REASONS:
            payload = getattr(event, kind)
            if payload.reason_confidential:
                payload.ClearField("reason")
