"""YAML reading with libyaml when PyYAML has it: the same safe loader, parsed in C.

The knowledge packs, the glossary and the triage phrase book are read by every cold `ask` and `triage`;
PyYAML's pure-Python parser spent more than half of a cold `triage` on them, libyaml a tenth of that.
"""

from __future__ import annotations

from typing import Any

import yaml

# CSafeLoader has SafeLoader's constructors and resolver, so the same text gives the same objects.
SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    """`yaml.safe_load`, with libyaml's parser when available. Raises yaml.YAMLError on bad input."""
    return yaml.load(text, Loader=SafeLoader)
