"""Local stand-ins for external systems, for tests and the demo (never imported by the app)."""
