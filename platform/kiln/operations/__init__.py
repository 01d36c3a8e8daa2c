"""Running Kiln as infrastructure: health and readiness, metrics (docs/operations.md)."""
