"""Where the tests read the seed documents: the copies in tests/fixtures/seeds (so a clone
anywhere runs them), or IMPROVE_SEEDS_DIR to test against another set such as ../shared/seeds."""

from __future__ import annotations

import os
from pathlib import Path

SEEDS = Path(
    os.environ.get("IMPROVE_SEEDS_DIR") or Path(__file__).resolve().parent / "fixtures" / "seeds"
)
MEDWAY_LETTER = SEEDS / "000_5899f308f2391bc7.txt"
