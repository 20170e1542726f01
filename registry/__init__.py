"""An event-sourced registry of ISO management-system certificates."""

__version__ = "0.1.0"
