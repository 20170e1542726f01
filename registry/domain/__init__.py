"""Certificates, their events and lifecycle rules: plain Python, no gRPC, no SQL."""
