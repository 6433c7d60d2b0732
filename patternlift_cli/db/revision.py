"""The newest migration this code ships, so every command can check the schema without Alembic.

Reading `alembic_version` and comparing it with this constant is one query; importing Alembic
to ask it the same costs ~80 ms on every command. tests/test_schema.py proves the constant
equals Alembic's head, so a new migration that forgets to update it fails the suite.
"""

HEAD_REVISION = "20261203000014"
