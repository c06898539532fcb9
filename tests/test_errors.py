"""errors: stable codes documented, rendering, and the public API boundary."""

from __future__ import annotations

import pkgutil
import re
from pathlib import Path

import graphspec
from graphspec.errors import CODE_DOCS, Code, Diagnostic, Severity, SpecError, format_path


def test_every_code_is_documented_in_docs_errors_md() -> None:
    text = Path("docs/errors.md").read_text(encoding="utf-8")
    documented = re.findall(r"^\| `([a-z-]+)` \|", text, flags=re.M)
    assert documented == [c.value for c in Code]
    assert set(CODE_DOCS) == set(Code)


def test_format_path() -> None:
    assert format_path(("nodes", "merged", "inputs", 1)) == "nodes.merged.inputs[1]"
    assert format_path(()) == ""


def test_render_has_position_code_source_caret_and_hint() -> None:
    d = Diagnostic(
        Code.UNKNOWN_LAYER,
        "unknown layer 'Dence'",
        ("nodes", "h", "layer"),
        "did you mean 'Dense'?",
        file="m.yaml",
        line=3,
        column=9,
        source_line="  h: {layer: Dence}",
    )
    assert d.render().splitlines() == [
        "m.yaml:3:9: error[unknown-layer]: nodes.h.layer: unknown layer 'Dence'",
        "   3 |   h: {layer: Dence}",
        "     |         ^",
        "  hint: did you mean 'Dense'?",
    ]


def test_spec_error_orders_errors_before_warnings_and_serialises() -> None:
    warn = Diagnostic(Code.DEAD_NODE, "dead", severity=Severity.WARNING, line=1)
    err = Diagnostic(Code.CYCLE, "cycle", line=9)
    exc = SpecError([warn, err])
    assert exc.diagnostics == [err, warn]
    assert exc.codes == ["cycle", "dead-node"]
    assert '"code": "cycle"' in exc.to_json()


def test_public_api_is_exactly_all() -> None:
    public = {name for name in dir(graphspec) if not name.startswith("_")}
    # Submodules become attributes once imported; they are not part of the API (but `expand`,
    # `export` and `tune` are both: the functions, which the package keeps bound over its modules).
    modules = ({m.name for m in pkgutil.iter_modules(graphspec.__path__)} | {"annotations"}) - set(graphspec.__all__)
    assert set(graphspec.__all__) - {"__version__"} == public - modules
    for name in graphspec.__all__:
        assert hasattr(graphspec, name)
