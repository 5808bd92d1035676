"""The rules engine and the funders' rule packs.

The law lives here as data next to the engine that reads it: one folder per scheme under
`rules/packs/`, with dated parameters (each value with its source, confidence and verified flag),
rule declarations (fact x operator x threshold) and YAML scenario tests.
"""

from finance.domain.packs import BUNDLED_PACKS

#: the bundled packs (finance/domain/packs.py lists every pack folder in use)
PACKS_DIR = BUNDLED_PACKS
#: Version of the rulebook as a whole; bump it and add a CHANGELOG entry on every rule change.
RULEBOOK_VERSION = "2026.3"
