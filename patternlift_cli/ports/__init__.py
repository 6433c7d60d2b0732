"""The use-case interfaces the CLI talks to, one per area, and the typed results they return.

Each interface is a Protocol with two implementations: `services/` (a local database: solo and
direct mode, and the server's own use cases) and `remote/` (the PatternLift server over HTTP:
connected mode). Methods take plain arguments, return the pydantic models defined here, and
are one transaction each; nothing here may assume a local database.
"""
