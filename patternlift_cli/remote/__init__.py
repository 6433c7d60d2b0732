"""Connected mode: the CLI as a client of a PatternLift server (httpx)."""
