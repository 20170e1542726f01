"""The ``registry`` command: ``serve`` and a client subcommand for every RPC."""
