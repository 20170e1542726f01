"""Persistence: the library's recorders with the registry's ordered log, per engine."""
