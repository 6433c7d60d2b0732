"""Command modules, each exposing `register(app)`."""
