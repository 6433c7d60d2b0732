"""Rich views and prompts. Nothing here talks to the database."""
