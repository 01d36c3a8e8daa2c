"""Kiln's SQLite database backend (see base.py)."""
