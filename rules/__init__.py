"""The rules engine and the funders' rule packs.

The law lives here as data next to the engine that reads it: one folder per scheme under
`rules/packs/`, with dated parameters (each value with its source, confidence and verified flag),
rule declarations (fact x operator x threshold) and YAML scenario tests.
"""

import re
from pathlib import Path

from finance.domain.packs import BUNDLED_PACKS

#: the bundled packs (finance/domain/packs.py lists every pack folder in use)
PACKS_DIR = BUNDLED_PACKS
#: the rulebook's changelog: its first `## <version> (<date>)` heading is the rulebook's version
CHANGELOG = Path(__file__).with_name("CHANGELOG.md")


def _rulebook_version(changelog: Path) -> str:
    """The version of the latest entry of the changelog: a rule change is a changelog entry
    (data, like the packs), never an edit of this file."""
    found = re.search(r"^## (\d{4}\.\d+) \(", changelog.read_text(encoding="utf-8"), re.M)
    if found is None:
        raise RuntimeError(f"{changelog.name}: no `## <version> (<date>)` heading")
    return found[1]


#: Version of the rulebook as a whole: add a CHANGELOG entry on every rule change.
RULEBOOK_VERSION = _rulebook_version(CHANGELOG)
