"""The PatternLift server: the use cases over HTTP (FastAPI on uvicorn)."""
