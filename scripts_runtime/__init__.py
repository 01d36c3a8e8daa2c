"""Kiln's data plane: per-language support, with no Django import.

Each language module (languages/<name>.py) has the same shape; `registry`
maps language names to them. Wrappers in wrappers/ run inside the sandbox.
"""
