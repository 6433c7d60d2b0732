"""The wire contract the server and the connected-mode client share: problem types and models.

Nothing here imports FastAPI or httpx, so both sides (and `patternlift --help`) can load it.
"""
