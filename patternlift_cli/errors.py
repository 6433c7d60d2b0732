"""The exception family every layer raises; defined in `domain.errors` (see the hierarchy there)."""

from patternlift_cli.domain.errors import *  # noqa: F403
from patternlift_cli.domain.errors import __all__  # noqa: F401
