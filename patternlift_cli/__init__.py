"""PatternLift: a terminal tutor for algorithm patterns."""

__version__ = "0.1.0"
