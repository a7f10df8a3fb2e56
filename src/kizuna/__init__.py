"""Kizuna (絆): an open-source CRM for Japanese businesses."""

__version__ = "0.1.0"
