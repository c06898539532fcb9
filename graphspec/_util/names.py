"""The one name pattern: what a spec may call an input, node, output, block, model or parameter.

Every stage that checks, writes or offers a name (spec validation, expansion, search spaces,
the JSON Schema, the importer) builds its expression from these, so they cannot disagree.
"""

from __future__ import annotations

import re

__all__ = [
    "BOUNDED_NAME",
    "IDENTIFIER",
    "IDENTIFIER_RE",
    "MAX_NAME",
    "MAX_NODE_NAME",
    "NAME",
    "NAME_RE",
    "NODE_NAME",
    "NODE_NAME_RE",
    "REFERENCE",
    "REFERENCE_RE",
]

# A parameter, a search parameter, a name inside an expression: a Python-like identifier.
IDENTIFIER = r"[A-Za-z_][A-Za-z0-9_]*"
# An input, node, output, block or model name; `-` is allowed, as Keras' layer names allow it.
_NAME_START, _NAME_REST = "[A-Za-z_]", r"[A-Za-z0-9_\-]"
NAME = f"{_NAME_START}{_NAME_REST}*"
MAX_NAME = 128  # characters in one name (one scope of a node name)
MAX_NODE_NAME = 512  # characters in a scoped node name
# A NAME within the length limit, for the checks that want both in one expression (the JSON Schema).
BOUNDED_NAME = f"{_NAME_START}{_NAME_REST}{{0,{MAX_NAME - 1}}}"
# Node names may be scoped by block expansion: `stage2/block1/conv1`, each segment a name.
NODE_NAME = rf"{NAME}(?:/{NAME})*"
# A reference to a node's output: `enc` or `enc:1` (group 1 the node, group 2 the index).
REFERENCE = rf"({NODE_NAME})(?::([0-9]+))?"

# Match these with fullmatch: `$` alone would also accept a trailing newline.
IDENTIFIER_RE = re.compile(IDENTIFIER)
NAME_RE = re.compile(NAME)
NODE_NAME_RE = re.compile(NODE_NAME)
REFERENCE_RE = re.compile(REFERENCE)
