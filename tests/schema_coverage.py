"""How much of ``graphspec validate`` the JSON Schema can say: measured over the conformance corpus.

``python -m tests.schema_coverage`` prints the figures the README quotes. Each
case's text is read by graphspec's own loader (as an editor's YAML parser reads
it); the schema then judges the data. An invalid case the schema accepts must be
one that no JSON Schema can judge, for one of the reasons in :data:`REASONS`.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema

from graphspec.errors import SpecError
from graphspec.schema import json_schema
from graphspec.source import parse_data, parse_text

CORPUS = Path(__file__).parent / "conformance"

# Why a check is beyond a schema, by the diagnostic codes it gives.
REASONS: dict[str, set[str]] = {
    "the graph (references, cycles, reachability, names shared across inputs, nodes and outputs)": {
        "unknown-reference",
        "cycle",
        "duplicate-name",
        "bad-output-index",
        "no-inputs",
        "unused-input",
        "unreachable-output",
        "dead-node",
        "bad-share",
    },
    "shapes and building (inferred shapes, Keras' own checks)": {"shape-mismatch", "keras-error", "too-many-params"},
    "the reading of the text (duplicate keys, tags, non-finite numbers, depth, size): before any schema sees data": {
        "duplicate-key",
        "yaml-tag",
        "yaml-alias",
        "too-deep",
        "file-too-large",
        "syntax",
    },
}
JSON_NUMBERS = "JSON's one number type: 4.0 is an integer to JSON Schema, not to validate"
LOADER = "the reading of the text (duplicate keys, tags, non-finite numbers, depth, size): before any schema sees data"
# tests/conformance/untrusted.json: what expansion and evaluation make (values per copy, string
# lengths, object counts, round() digits, checkpoint templates' fields) is counted as it is made.
UNTRUSTED = (
    "bounds on what expansion and evaluation make (copies, "
    "string lengths, object counts, expression digits, path templates)"
)


@dataclass
class Coverage:
    valid: int = 0
    valid_rejected: list[str] = field(default_factory=list)
    invalid: int = 0
    caught: int = 0
    missed: Counter[str] = field(default_factory=Counter)
    unexplained: list[str] = field(default_factory=list)


def _cases() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for file in sorted(CORPUS.glob("*.json")):
        for group in json.loads(file.read_text(encoding="utf-8")):
            out.extend((f"{file.stem}: {case['description']}", case) for case in group["cases"])
    return out


def _data(case: dict[str, Any]) -> tuple[Any, list[str]]:
    """The case's data as a reader gives it, and the codes of the problems that reading found."""
    if "data" in case:
        try:
            parse_data(case["data"])
        except SpecError as exc:
            return copy.deepcopy(case["data"]), exc.codes
        return copy.deepcopy(case["data"]), []
    text = case["text"]
    for key, (piece, count) in case.get("expand", {}).items():
        text = text.replace(key, piece * count)
    try:
        doc = parse_text(text)
    except SpecError as exc:
        return None, exc.codes
    return doc.data, [d.code.value for d in doc.problems]


def _value(data: Any, path: str) -> Any:
    for part in path.replace("[", ".").replace("]", "").split("."):
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data


def _reason(case: dict[str, Any], data: Any, loaded: list[str]) -> str | None:
    codes = {e["code"] for e in case["errors"]}
    if data is None or loaded:
        return LOADER
    for reason, beyond in REASONS.items():
        if codes <= beyond:
            return reason
    floats = [
        e
        for e in case["errors"]
        if isinstance(_value(data, e["path"]), float) and float(_value(data, e["path"])).is_integer()
    ]
    if floats and codes <= {"wrong-type", "bad-version"} | set().union(*REASONS.values()):
        return JSON_NUMBERS
    return None


def measure() -> Coverage:
    validator = jsonschema.Draft202012Validator(json_schema())
    result = Coverage()
    for name, case in _cases():
        data, loaded = _data(case)
        accepted = data is not None and validator.is_valid(data)
        if case["valid"]:
            result.valid += 1
            if not accepted:
                result.valid_rejected.append(name)
            continue
        result.invalid += 1
        if accepted or data is None or (loaded and "data" in case):
            reason = UNTRUSTED if name.startswith("untrusted: ") and not loaded else _reason(case, data, loaded)
            if reason is None:
                result.unexplained.append(name)
            result.missed[reason or "unexplained"] += 1
        else:
            result.caught += 1
    return result


def main() -> None:
    c = measure()
    print(f"valid cases accepted by the schema: {c.valid - len(c.valid_rejected)} / {c.valid}")
    print(f"invalid cases rejected by the schema: {c.caught} / {c.invalid}")
    for reason, n in c.missed.most_common():
        print(f"  {n:4d} not: {reason}")


if __name__ == "__main__":
    main()
