"""Read models kept from the global log: the certificate index (search, issuance
reports) and the audit index (events by CB and recorded time)."""
