"""One module per command or command group, named as the user types it."""
