"""Casebook: practice-based knowledge case studies built into a static site."""

__version__ = "0.1.0"
