"""The revocation-store suite: memory, SQLite and a real Redis-protocol server."""
