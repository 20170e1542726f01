"""Bulk publishing and export: the file format, `registry import`, `registry export`."""
