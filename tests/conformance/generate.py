# ruff: noqa: E501, UP031  (a data file: long spec texts, and %-formatting where the texts are full of braces)
"""Writes the conformance corpus: ``python tests/conformance/generate.py``.

Each case is written here once, with its expected diagnostics as (code, path)
and, for text, a marker ``«A»`` placed in the text where the diagnostic must
point. The marker is removed from the stored text and turned into the expected
``line``/``column`` (1-based, in characters), so positions are stated by hand
rather than copied from graphspec's output.

Error tuples are ``(code, path, label)``: ``label`` names a marker, ``None``
means "no position" (line and column must be null), ``"?"`` means "position
not checked". ``recursion_limit`` runs a case under Python's default recursion
limit, as in a fresh process (building a model raises the limit for good). The JSON files this writes are committed; ``tests/test_conformance.py``
reads them. Regenerate after editing and review the diff.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
MARK = re.compile(r"«(\w+)»")
FILES: dict[str, list[dict[str, Any]]] = {}
_current: dict[str, Any] = {}


def group(file: str, description: str) -> None:
    g: dict[str, Any] = {"description": description, "cases": []}
    FILES.setdefault(file, []).append(g)
    _current["group"] = g
    _current["file"] = file


def _positions(text: str, expand: dict[str, list[Any]] | None) -> tuple[str, dict[str, tuple[int, int]]]:
    """The stored text (markers removed, placeholders kept) and each marker's line/column in the expanded text."""
    stored = MARK.sub("", text)
    full = text
    for key, (piece, count) in (expand or {}).items():
        full = full.replace(key, piece * count)
    marks: dict[str, tuple[int, int]] = {}
    out = []
    last = 0
    offset = 0
    for m in MARK.finditer(full):
        out.append(full[last : m.start()])
        offset += m.start() - last
        last = m.end()
        clean_so_far = "".join(out)
        line = clean_so_far.count("\n") + 1
        column = len(clean_so_far) - (clean_so_far.rfind("\n") + 1) + 1
        assert m.group(1) not in marks, f"marker {m.group(1)} used twice"
        marks[m.group(1)] = (line, column)
    return stored, marks


def case(
    description: str,
    text: str | None = None,
    *,
    data: Any = None,
    errors: list[tuple[str, str, str | None]] | tuple[()] = (),
    valid: bool | None = None,
    build: bool = False,
    warnings: list[tuple[str, str]] | tuple[()] = (),
    loaded: list[tuple[list[Any], Any]] | None = None,
    expand: dict[str, list[Any]] | None = None,
    limits: dict[str, int] | None = None,
    model: dict[str, Any] | None = None,
    recursion_limit: int | None = None,
) -> None:
    c: dict[str, Any] = {"description": description}
    if text is not None:
        stored, marks = _positions(text, expand)
        c["text"] = stored
        if expand:
            c["expand"] = expand
    else:
        marks = {}
        c["data"] = data
    c["valid"] = (not errors) if valid is None else valid
    assert c["valid"] == (not errors), f"{description}: valid disagrees with errors"
    if errors:
        out = []
        for code, path, label in errors:
            e: dict[str, Any] = {"code": code, "path": path}
            if text is not None and label != "?":
                if label is None:
                    e["line"] = e["column"] = None
                else:
                    assert label in marks, f"{description}: no marker {label}"
                    e["line"], e["column"] = marks[label]
            out.append(e)
        c["errors"] = out
    if text is not None:
        used = {label for _, _, label in errors}
        unused = set(marks) - used
        assert not unused, f"{description}: unused markers {unused}"
    if warnings:
        c["warnings"] = [{"code": code, "path": path} for code, path in warnings]
    if loaded is not None:
        c["loaded"] = [[p, v] for p, v in loaded]
    if limits:
        c["limits"] = limits
    if recursion_limit:
        c["recursion_limit"] = recursion_limit
    if build:
        c["build"] = True
    if model:
        c["model"] = model
    names = [x["description"] for g in FILES[_current["file"]] for x in g["cases"]]
    assert description not in names, f"duplicate description {description!r} in {_current['file']}"
    _current["group"]["cases"].append(c)


def one(
    node: str, *, inputs: str = "{x: {shape: [8]}}", outputs: str = "{h: {}}", extra: str = "", name: str = "h"
) -> str:
    """A spec with one node (line 4), for cases about a node: line 1 version, 2 inputs, 3 `nodes:`, 4 the node, 5 outputs."""
    return f"graphspec: 1\ninputs: {inputs}\nnodes:\n  {name}: {node}\noutputs: {outputs}\n{extra}"


def out1(outputs: str, *, extra: str = "") -> str:
    """A valid one-node spec whose outputs line (line 5) is given."""
    return one("{layer: Dense, inputs: x, units: 4}", outputs=outputs, extra=extra)


MLP = """\
graphspec: 1
name: functional_mlp
inputs:
  x: {shape: [64]}
nodes:
  hidden_1: {layer: Dense, inputs: x, units: 32, activation: relu}
  hidden_2: {layer: Dense, inputs: hidden_1, units: 32, activation: relu}
  probabilities: {layer: Dense, inputs: hidden_2, units: 10, activation: softmax}
outputs:
  probabilities: {loss: categorical_crossentropy, metrics: [acc]}
compile:
  optimizer: rmsprop
"""

MLP_DATA: dict[str, Any] = {
    "graphspec": 1,
    "name": "mlp",
    "inputs": {"x": {"shape": [16]}},
    "nodes": {
        "h": {"layer": "Dense", "inputs": "x", "units": 8, "activation": "relu"},
        "y": {"layer": "Dense", "inputs": "h", "units": 2, "activation": "softmax"},
    },
    "outputs": {"y": {"loss": "categorical_crossentropy", "metrics": ["accuracy"]}},
}


def mlp_data(**changes: Any) -> dict[str, Any]:
    data = json.loads(json.dumps(MLP_DATA))
    for dotted, value in changes.items():
        keys = dotted.split("__")
        cur = data
        for k in keys[:-1]:
            cur = cur[k]
        if value is _DELETE:
            del cur[keys[-1]]
        else:
            cur[keys[-1]] = value
    return data


_DELETE = object()


# ---------------------------------------------------------------------------
def yaml_safety() -> None:
    f = "yaml_safety"
    group(f, "explicit tags that would build Python objects are refused wherever they appear")
    for desc, tag_text in [
        ("python/object/apply on a layer argument", '!!python/object/apply:os.system ["echo pwned"]'),
        ("python/object on a layer argument", "!!python/object:collections.OrderedDict {}"),
        ("python/object/new on a layer argument", "!!python/object/new:os.system [id]"),
        ("python/tuple on a layer argument", "!!python/tuple [1, 2]"),
        ("python/str on a layer argument", "!!python/str relu"),
        ("python/int on a layer argument", "!!python/int 4"),
        ("python/bytes on a layer argument", "!!python/bytes aGk="),
        ("binary tag", "!!binary aGVsbG8="),
        ("set tag", "!!set {a, b}"),
        ("omap tag", "!!omap [a: 1]"),
        ("pairs tag", "!!pairs [a: 1]"),
        ("timestamp tag", "!!timestamp 2001-12-14"),
        ("merge tag used as a value", "!!merge x"),
        ("value tag", "!!value x"),
        ("local application tag", "!custom 4"),
        ("verbatim tag outside the YAML namespace", "!<tag:example.com,2000:thing> 4"),
    ]:
        case(
            desc, one("{layer: Dense, inputs: x, units: 4, use_bias: «A»%s}" % tag_text), errors=[("yaml-tag", "", "A")]
        )
    case(
        "python/name in block style",
        "graphspec: 1\ninputs:\n  x: {shape: [8]}\nnodes:\n  h:\n    layer: Dense\n    inputs: x\n    units: 4\n    activation: «A»!!python/name:keras.config.set_epsilon\noutputs:\n  h: {}\n",
        errors=[("yaml-tag", "", "A")],
    )
    case(
        "python/module in block style",
        "graphspec: 1\ninputs:\n  x: {shape: [8]}\nnodes:\n  h:\n    layer: Dense\n    inputs: x\n    units: 4\n    activation: «A»!!python/module:os\noutputs:\n  h: {}\n",
        errors=[("yaml-tag", "", "A")],
    )
    case(
        "tag on a mapping key",
        one("{layer: Dense, inputs: x, «A»!!python/object/apply:os.getcwd [] : 4}"),
        errors=[("yaml-tag", "", "A")],
    )
    case(
        "tag on the whole document",
        "«A»!!python/object:argparse.Namespace\ngraphspec: 1\n",
        errors=[("yaml-tag", "", "A")],
    )
    case(
        "tag under an unknown top-level key",
        out1("{h: {}}", extra="extra: «A»!!python/object/apply:os.system [id]\n"),
        errors=[("yaml-tag", "", "A")],
    )
    case(
        "tag inside the description",
        out1("{h: {}}", extra="description: «A»!!python/object/apply:os.system [id]\n"),
        errors=[("yaml-tag", "", "A")],
    )
    case(
        "tag behind an anchor",
        out1("{h: {}}", extra="description: «A»&d !!python/object/apply:os.system [id]\n"),
        errors=[("yaml-tag", "", "A")],
    )
    case(
        "%TAG directive mapping a handle onto the python namespace",
        "%TAG !p! tag:yaml.org,2002:python/\n---\ngraphspec: 1\ninputs: {x: {shape: [8]}}\nnodes:\n  h: {layer: Dense, inputs: x, units: «A»!p!object/apply:os.system [id]}\noutputs: {h: {}}\n",
        errors=[("yaml-tag", "", "A")],
    )
    case(
        "tag text inside a quoted string is only text",
        out1("{h: {}}", extra='description: "!!python/object/apply:os.system [id]"\n'),
    )
    case("tag text inside a comment is only a comment", out1("{h: {}}  # !!python/object/apply:os.system [id]"))

    group(f, "the plain-data tags are accepted and typed by YAML 1.2")
    case(
        "!!int on a quoted number",
        one('{layer: Dense, inputs: x, units: !!int "4"}'),
        loaded=[(["nodes", "h", "units"], 4)],
    )
    case(
        "verbatim core int tag",
        one("{layer: Dense, inputs: x, units: !<tag:yaml.org,2002:int> 4}"),
        loaded=[(["nodes", "h", "units"], 4)],
    )
    case(
        "%TAG handle onto the core schema",
        "%TAG !c! tag:yaml.org,2002:\n---\ngraphspec: 1\ninputs: {x: {shape: [8]}}\nnodes:\n  h: {layer: Dense, inputs: x, units: !c!int 4}\noutputs: {h: {}}\n",
        loaded=[(["nodes", "h", "units"], 4)],
    )
    case(
        "!!str keeps digits a string",
        out1("{h: {}}", extra="description: !!str 42\n"),
        loaded=[(["description"], "42")],
    )
    case(
        "!!float turns an integer into a float",
        one("{layer: Normalization, inputs: x, mean: !!float 1}"),
        loaded=[(["nodes", "h", "mean"], 1.0)],
    )
    case("!!map and !!seq on the right kinds", one("!!map {layer: Dense, inputs: !!seq [x], units: 4}"))
    case(
        "non-specific tag ! makes a string",
        one("{layer: Dense, inputs: x, units: «A»! 4}"),
        errors=[("wrong-type", "nodes.h.units", "A")],
    )
    case(
        "!!int on a decimal is refused",
        one("{layer: Dense, inputs: x, units: «A»!!int 4.0}"),
        errors=[("wrong-type", "nodes.h.units", "A")],
    )
    case(
        "!!bool on yes is refused (YAML 1.2 has no yes)",
        one("{layer: Dense, inputs: x, units: 4, use_bias: «A»!!bool yes}"),
        errors=[("wrong-type", "nodes.h.use_bias", "A")],
    )
    case(
        "!!map on a scalar is refused",
        out1("{h: {}}", extra="description: «A»!!map x\n"),
        errors=[("wrong-type", "description", "A")],
    )
    case(
        "!!str on a mapping is refused",
        one("{layer: Dense, inputs: x, units: 4, activation: «A»!!str {class_name: relu}}"),
        errors=[("wrong-type", "nodes.h.activation", "A")],
    )
    case(
        "!!seq on a mapping is refused",
        one("{layer: Dense, inputs: x, units: 4, kernel_initializer: «A»!!seq {class_name: Zeros}}"),
        errors=[("wrong-type", "nodes.h.kernel_initializer", "A")],
    )
    case(
        "!!int on a sequence is refused",
        one("{layer: Reshape, inputs: x, target_shape: «A»!!int [8]}"),
        errors=[("wrong-type", "nodes.h.target_shape", "A")],
    )
    case(
        "!!float .nan is not a finite number",
        one("{layer: Dense, inputs: x, units: 4, lora_alpha: «A»!!float .nan}"),
        errors=[("bad-value", "nodes.h.lora_alpha", "A")],
    )
    case(
        "!!float .inf in an initializer config is not a finite number",
        one(
            "{layer: Dense, inputs: x, units: 4, bias_initializer: {class_name: Constant, config: {value: «A»!!float .inf}}}"
        ),
        errors=[("bad-value", "nodes.h.bias_initializer.config.value", "A")],
    )
    case(
        "!!float .inf as a loss weight",
        out1("{h: {loss_weight: «A»!!float .inf}}"),
        errors=[("bad-value", "outputs.h.loss_weight", "A")],
    )

    group(f, "documents and directives")
    case("several documents are refused", out1("{h: {}}", extra="«A»---\ngraphspec: 1\n"), errors=[("syntax", "", "A")])
    case("an explicit document start is fine", "---\n" + out1("{h: {}}"))
    case("an explicit document end is fine", out1("{h: {}}", extra="...\n"))
    case("the empty text is refused", "", errors=[("syntax", "", None)])
    case("a text of only comments is refused", "# nothing here\n", errors=[("syntax", "", None)])
    case("a bare null document is refused", "null\n", errors=[("syntax", "", None)])
    case("a top-level list is refused", "«A»- graphspec: 1\n", errors=[("wrong-type", "", "A")])
    case("a top-level scalar is refused", "«A»graphspec\n", errors=[("wrong-type", "", "A")])
    case("a raw DEL character is not YAML", 'graphspec: 1\ndescription: "a«A»\x7fb"\n', errors=[("syntax", "", "A")])
    case(
        "a complex key is refused",
        one("{layer: Dense, inputs: x, units: 4, ? «A»[a] : b}"),
        errors=[("wrong-type", "", "A")],
    )
    case(
        "an alias as a key is refused",
        "graphspec: 1\nname: &n m\ninputs: {x: {shape: [8]}}\nnodes:\n  h: {layer: Dense, inputs: x, units: 4, «A»*n : 1}\noutputs: {h: {}}\n",
        errors=[("wrong-type", "", "A")],
    )
    case(
        "malformed flow mapping",
        "graphspec: 1\ninputs:\n  x: {shape: [8]\n«A»nodes:\n  hidden: {layer: Dense, inputs: x, units: 4}\n",
        errors=[("syntax", "", "A")],
    )
    case("tab indentation is refused", "graphspec: 1\ninputs:\n\tx: {shape: [8]}\n", errors=[("syntax", "", "?")])
    case(
        "merge of a scalar is refused",
        one("{<<: «A»5, layer: Dense, units: 4, inputs: x}"),
        errors=[("wrong-type", "", "A")],
    )


# ---------------------------------------------------------------------------
def duplicate_keys() -> None:
    f = "duplicate_keys"
    group(f, "a key written twice in one mapping is an error at the second one, never 'last one wins'")
    case(
        "top-level key",
        out1("{h: {}}", extra="«A»inputs: {y: {shape: [8]}}\n"),
        errors=[("duplicate-key", "inputs", "A")],
    )
    case(
        "format version twice",
        "graphspec: 1\n«A»graphspec: 1\ninputs: {x: {shape: [8]}}\nnodes:\n  h: {layer: Dense, inputs: x, units: 4}\noutputs: {h: {}}\n",
        errors=[("duplicate-key", "graphspec", "A")],
    )
    case(
        "input name",
        one("{layer: Dense, inputs: x, units: 4}", inputs="{x: {shape: [8]}, «A»x: {shape: [4]}}"),
        errors=[("duplicate-key", "inputs.x", "A")],
    )
    case(
        "node name",
        "graphspec: 1\ninputs: {x: {shape: [8]}}\nnodes:\n  h: {layer: Dense, inputs: x, units: 4}\n  «A»h: {layer: Dense, inputs: x, units: 5}\noutputs: {h: {}}\n",
        errors=[("duplicate-key", "nodes.h", "A")],
    )
    case("output name", out1("{h: {}, «A»h: {loss: mse}}"), errors=[("duplicate-key", "outputs.h", "A")])
    case(
        "layer argument (block style)",
        "graphspec: 1\ninputs:\n  x: {shape: [8]}\nnodes:\n  hidden:\n    layer: Dense\n    inputs: x\n    units: 10\n    «A»units: 99999\noutputs:\n  hidden: {}\n",
        errors=[("duplicate-key", "nodes.hidden.units", "A")],
    )
    case(
        "layer key of a node",
        one("{layer: Dense, inputs: x, units: 4, «A»layer: Dropout}"),
        errors=[("duplicate-key", "nodes.h.layer", "A")],
    )
    case(
        "inputs key of a node",
        one("{layer: Dense, inputs: x, units: 4, «A»inputs: y}"),
        errors=[("duplicate-key", "nodes.h.inputs", "A")],
    )
    case(
        "shape of an input",
        one("{layer: Dense, inputs: x, units: 4}", inputs="{x: {shape: [8], «A»shape: [4]}}"),
        errors=[("duplicate-key", "inputs.x.shape", "A")],
    )
    case("loss of an output", out1("{h: {loss: mse, «A»loss: mae}}"), errors=[("duplicate-key", "outputs.h.loss", "A")])
    case(
        "compile optimizer",
        out1("{h: {}}", extra="compile: {optimizer: adam, «A»optimizer: sgd}\n"),
        errors=[("duplicate-key", "compile.optimizer", "A")],
    )
    case(
        "class_name of an activation",
        one("{layer: Dense, inputs: x, units: 4, activation: {class_name: relu, «A»class_name: elu}}"),
        errors=[("duplicate-key", "nodes.h.activation.class_name", "A")],
    )
    case(
        "config key of an initializer",
        one(
            "{layer: Dense, inputs: x, units: 4, kernel_initializer: {class_name: VarianceScaling, config: {scale: 1.0, «A»scale: 2.0}}}"
        ),
        errors=[("duplicate-key", "nodes.h.kernel_initializer.config.scale", "A")],
    )
    case(
        "argument of a nested layer",
        one(
            "{layer: Bidirectional, inputs: x, wraps: {layer: LSTM, units: 4, «A»units: 8}}",
            inputs="{x: {shape: [5, 8]}}",
        ),
        errors=[("duplicate-key", "nodes.h.wraps.units", "A")],
    )
    case(
        "argument of a cell in a list",
        one(
            "{layer: RNN, inputs: x, cell: [{layer: LSTMCell, units: 4}, {layer: GRUCell, units: 4, «A»units: 2}]}",
            inputs="{x: {shape: [5, 8]}}",
        ),
        errors=[("duplicate-key", "nodes.h.cell[1].units", "A")],
    )
    case(
        "double-quoted spelling of the same key",
        one('{layer: Dense, inputs: x, units: 4, «A»"units": 5}'),
        errors=[("duplicate-key", "nodes.h.units", "A")],
    )
    case(
        "single-quoted spelling of the same key",
        one("{layer: Dense, inputs: x, units: 4, «A»'units': 5}"),
        errors=[("duplicate-key", "nodes.h.units", "A")],
    )
    case(
        "escaped spelling of the same key",
        one('{layer: Dense, inputs: x, units: 4, «A»"\\x75nits": 5}'),
        errors=[("duplicate-key", "nodes.h.units", "A")],
    )
    case(
        "three times gives two errors",
        one("{layer: Dense, inputs: x, units: 4, «A»units: 5, «B»units: 6}"),
        errors=[("duplicate-key", "nodes.h.units", "A"), ("duplicate-key", "nodes.h.units", "B")],
    )
    case(
        "a duplicate does not hide other problems",
        one("{layer: Dense, inputs: x, units: 4, «A»units: 5, «B»activaton: relu}"),
        errors=[("duplicate-key", "nodes.h.units", "A"), ("unknown-argument", "nodes.h.activaton", "B")],
    )
    case(
        "the first value is kept and still checked",
        one("{layer: Dense, inputs: x, units: «A»0, «B»units: 5}"),
        errors=[("bad-value", "nodes.h.units", "A"), ("duplicate-key", "nodes.h.units", "B")],
    )
    case(
        "a duplicate in one node does not hide a dangling reference in another",
        "graphspec: 1\ninputs: {x: {shape: [8]}}\nnodes:\n  h: {layer: Dense, inputs: x, units: 4, «A»units: 5}\n  g: {layer: Dense, inputs: «B»hh, units: 4}\noutputs: {g: {}}\n",
        errors=[("duplicate-key", "nodes.h.units", "A"), ("unknown-reference", "nodes.g.inputs", "B")],
    )
    case(
        "keys 1 and '1' are the same spec key",
        one('{layer: Normalization, inputs: x, «A»1: a, «B»"1": b}'),
        errors=[("unknown-argument", "nodes.h.1", "A"), ("duplicate-key", "nodes.h.1", "B")],
    )

    group(f, "merge keys are not duplicates: explicit keys win over merged ones")
    case(
        "explicit key overrides a merged one",
        "graphspec: 1\ninputs: {x: {shape: [8]}}\nnodes:\n  h1: &d {layer: Dense, inputs: x, units: 4, activation: relu}\n  h2: {<<: *d, inputs: h1, units: 5}\noutputs: {h2: {}}\n",
        loaded=[(["nodes", "h2", "units"], 5), (["nodes", "h2", "activation"], "relu")],
    )
    case(
        "earlier merge sources win over later ones",
        one("{<<: [{layer: Dense, units: 4}, {units: 5, activation: tanh}], inputs: x}"),
        loaded=[(["nodes", "h", "units"], 4), (["nodes", "h", "activation"], "tanh")],
    )
    case(
        "quoted << is a plain key, not a merge",
        one('{«A»"<<": {units: 5}, layer: Dense, units: 4, inputs: x}'),
        errors=[("unknown-argument", "nodes.h.<<", "A")],
    )
    case(
        "merged keys are still checked",
        "graphspec: 1\ninputs: {x: {shape: [8]}}\nnodes:\n  h1: &d {layer: Dense, inputs: x, units: 4, «A»activaton: relu}\n  h2: {<<: *d, inputs: h1}\noutputs: {h2: {}}\n",
        errors=[("unknown-argument", "nodes.h1.activaton", "A"), ("unknown-argument", "nodes.h2.activaton", "?")],
    )


# ---------------------------------------------------------------------------
def yaml12_scalars() -> None:
    f = "yaml12_scalars"
    group(f, "YAML 1.1 booleans are strings in YAML 1.2, and a boolean argument given one says so")
    for word in ("no", "off", "yes", "on", "y", "n", "No", "OFF", "Yes"):
        case(
            f"use_bias: {word}",
            one("{layer: Dense, inputs: x, units: 4, use_bias: «A»%s}" % word),
            errors=[("wrong-type", "nodes.h.use_bias", "A")],
        )
    case(
        "sparse: off on an input",
        one("{layer: Dense, inputs: x, units: 4}", inputs="{x: {shape: [8], sparse: «A»off}}"),
        errors=[("wrong-type", "inputs.x.sparse", "A")],
    )
    case(
        "run_eagerly: no in compile",
        out1("{h: {}}", extra="compile: {run_eagerly: «A»no}\n"),
        errors=[("wrong-type", "compile.run_eagerly", "A")],
    )
    case(
        "return_sequences: yes on an LSTM",
        one("{layer: LSTM, inputs: x, units: 4, return_sequences: «A»yes}", inputs="{x: {shape: [5, 8]}}"),
        errors=[("wrong-type", "nodes.h.return_sequences", "A")],
    )
    for word in ("true", "True", "TRUE", "false", "False", "FALSE"):
        case(
            f"use_bias: {word} is a boolean",
            one("{layer: Dense, inputs: x, units: 4, use_bias: %s}" % word),
            loaded=[(["nodes", "h", "use_bias"], word.lower() == "true")],
        )
    case(
        "use_bias: tRUE is not a boolean",
        one("{layer: Dense, inputs: x, units: 4, use_bias: «A»tRUE}"),
        errors=[("wrong-type", "nodes.h.use_bias", "A")],
    )
    case(
        'use_bias: "true" quoted is a string',
        one('{layer: Dense, inputs: x, units: 4, use_bias: «A»"true"}'),
        errors=[("wrong-type", "nodes.h.use_bias", "A")],
    )

    group(f, "numbers follow the YAML 1.2 core schema")
    for text, value in [
        ("1e3", 1000.0),
        ("1E3", 1000.0),
        ("1e+3", 1000.0),
        ("1.5e-3", 0.0015),
        (".5", 0.5),
        ("-.5", -0.5),
        ("5.", 5.0),
        ("+1", 1),
        ("-0", 0),
        ("0o17", 15),
        ("0x1F", 31),
        ("0x1f", 31),
        ("00.5", 0.5),
        ("123456789012345678901234567890", 123456789012345678901234567890),
    ]:
        case(
            f"{text} is the number {value!r}",
            one("{layer: Normalization, inputs: x, mean: %s}" % text),
            loaded=[(["nodes", "h", "mean"], value)],
        )
    for text, value in [
        ("2001-12-14", "2001-12-14"),
        ("2001-12-14t21:59:43.10-05:00", "2001-12-14t21:59:43.10-05:00"),
        ("12:30", "12:30"),
        ("1_000", "1_000"),
        ("0b101", "0b101"),
        ("0X1F", "0X1F"),
        ("nan", "nan"),
        ("inf", "inf"),
        ("nUll", "nUll"),
        ('"1e3"', "1e3"),
    ]:
        case(
            f"{text} stays a string",
            one("{layer: Normalization, inputs: x, mean: %s}" % text),
            loaded=[(["nodes", "h", "mean"], value)],
        )
    for text in ("~", "null", "Null", "NULL"):
        case(
            f"{text} is null",
            one("{layer: Normalization, inputs: x, mean: %s}" % text),
            loaded=[(["nodes", "h", "mean"], None)],
        )
    case(
        "an empty value is null",
        "graphspec: 1\ninputs: {x: {shape: [8]}}\nnodes:\n  h:\n    layer: Normalization\n    inputs: x\n    mean:\noutputs: {h: {}}\n",
        loaded=[(["nodes", "h", "mean"], None)],
    )

    group(f, "typed fields refuse numbers in the wrong form, with the position of the value")
    for text, code in [
        ("1e1", "wrong-type"),
        ("4.", "wrong-type"),
        ("4.0", "wrong-type"),
        ('"16"', "wrong-type"),
        ("010", "wrong-type"),
        ("1_000", "wrong-type"),
        ("0b100", "wrong-type"),
        ("true", "wrong-type"),
    ]:
        case(
            f"units: {text}",
            one("{layer: Dense, inputs: x, units: «A»%s}" % text),
            errors=[(code, "nodes.h.units", "A")],
        )
    case("units: 0o10 is 8", one("{layer: Dense, inputs: x, units: 0o10}"), loaded=[(["nodes", "h", "units"], 8)])
    case("units: 0x10 is 16", one("{layer: Dense, inputs: x, units: 0x10}"), loaded=[(["nodes", "h", "units"], 16)])
    case(
        "shape with a leading zero",
        one("{layer: Dense, inputs: x, units: 4}", inputs="{x: {shape: [«A»08]}}"),
        errors=[("wrong-type", "inputs.x.shape[0]", "A")],
    )
    for text in (".nan", ".NaN", ".NAN", ".inf", "-.inf", "+.inf", ".Inf", "1e400"):
        case(
            f"{text} is not a finite number",
            one("{layer: Normalization, inputs: x, mean: «A»%s}" % text),
            errors=[("bad-value", "nodes.h.mean", "A")],
        )
    case(
        ".inf as a loss weight",
        out1("{h: {loss_weight: «A».inf}}"),
        errors=[("bad-value", "outputs.h.loss_weight", "A")],
    )
    case(
        ".nan inside a list",
        one("{layer: Normalization, inputs: x, mean: [1, «A».nan]}"),
        errors=[("bad-value", "nodes.h.mean[1]", "A")],
    )
    case(
        ".nan in an object config",
        one("{layer: Dense, inputs: x, units: 4, bias_initializer: {class_name: Constant, config: {value: «A».nan}}}"),
        errors=[("bad-value", "nodes.h.bias_initializer.config.value", "A")],
    )
    case(
        "'.nan' quoted is just a string",
        out1("{h: {}}", extra='description: ".nan"\n'),
        loaded=[(["description"], ".nan")],
    )

    group(f, "integers too large for the machine are errors, not crashes")
    case(
        "a 401-digit loss weight",
        out1("{h: {loss_weight: «A»1%s}}" % ("0" * 400)),
        errors=[("bad-value", "outputs.h.loss_weight", "A")],
    )
    case(
        "a 5000-digit integer",
        one("{layer: Normalization, inputs: x, mean: «A»@DIGITS@}"),
        expand={"@DIGITS@": ["9", 5000]},
        errors=[("bad-value", "nodes.h.mean", "A")],
    )
    case(
        "a 5000-digit integer in JSON",
        '{"graphspec": 1, "description": «A»@DIGITS@}\n',
        expand={"@DIGITS@": ["9", 5000]},
        errors=[("bad-value", "description", "A")],
    )
    case(
        "a 401-digit loss weight in data",
        data=mlp_data(outputs__y__loss_weight=10**400),
        errors=[("bad-value", "outputs.y.loss_weight", None)],
    )
    # The bound is the float range, as for 1e400: every number ends up an int or a float Keras argument.
    biggest = 2**1024 - 2**971  # int(sys.float_info.max)
    case(
        "the largest integer a float can hold is still a number",
        one("{layer: Normalization, inputs: x, mean: %d}" % biggest),
        loaded=[(["nodes", "h", "mean"], biggest)],
    )
    case(
        "the first integer past the float range is too large",
        one("{layer: Normalization, inputs: x, mean: «A»%d}" % (2**1024 - 2**970)),
        errors=[("bad-value", "nodes.h.mean", "A")],
    )
    case(
        "a 4000-digit integer is too large, like 1e400",
        one("{layer: Normalization, inputs: x, mean: «A»@DIGITS@}"),
        expand={"@DIGITS@": ["9", 4000]},
        errors=[("bad-value", "nodes.h.mean", "A")],
    )
    case(
        "a 30-digit integer is still a number",
        one("{layer: Normalization, inputs: x, mean: -123456789012345678901234567890}"),
        loaded=[(["nodes", "h", "mean"], -123456789012345678901234567890)],
    )

    group(f, "the format version is the integer 1")
    for text in ("1", "0x1", "0o1", "+1"):
        case(
            f"graphspec: {text}",
            f"graphspec: {text}\ninputs: {{x: {{shape: [8]}}}}\nnodes:\n  h: {{layer: Dense, inputs: x, units: 4}}\noutputs: {{h: {{}}}}\n",
        )
    for text in ("2", "0", '"1"', "01", "1.0", "true", "null", "[1]", "v1"):
        case(
            f"graphspec: {text} is not a supported version",
            f"graphspec: «A»{text}\ninputs: {{x: {{shape: [8]}}}}\nnodes:\n  h: {{layer: Dense, inputs: x, units: 4}}\noutputs: {{h: {{}}}}\n",
            errors=[("bad-version", "graphspec", "A")],
        )


# ---------------------------------------------------------------------------
def structure() -> None:
    f = "structure"
    group(f, "top-level sections")
    case("a minimal spec", out1("{h: {}}"))
    case(
        "missing format version",
        "«A»inputs: {x: {shape: [8]}}\nnodes:\n  h: {layer: Dense, inputs: x, units: 4}\noutputs: {h: {}}\n",
        errors=[("missing-key", "", "A")],
    )
    case(
        "missing inputs",
        "«A»graphspec: 1\nnodes:\n  h: {layer: Dense, inputs: x, units: 4}\noutputs: {h: {}}\n",
        errors=[("missing-key", "", "A")],
    )
    case(
        "missing outputs",
        "«A»graphspec: 1\ninputs: {x: {shape: [8]}}\nnodes:\n  h: {layer: Dense, inputs: x, units: 4}\n",
        errors=[("missing-key", "", "A")],
    )
    case(
        "no nodes at all is fine when an output reads an input",
        "graphspec: 1\ninputs: {x: {shape: [8]}}\noutputs: {y: {from: x}}\n",
    )
    case("nodes: {} is fine", "graphspec: 1\ninputs: {x: {shape: [8]}}\nnodes: {}\noutputs: {y: {from: x}}\n")
    case("empty inputs", "graphspec: 1\ninputs: «A»{}\noutputs: {y: {}}\n", errors=[("bad-value", "inputs", "A")])
    case(
        "empty outputs",
        one("{layer: Dense, inputs: x, units: 4}", outputs="«A»{}"),
        errors=[("bad-value", "outputs", "A")],
    )
    case("inputs as a list", "graphspec: 1\ninputs: «A»[x]\noutputs: {x: {}}\n", errors=[("wrong-type", "inputs", "A")])
    case(
        "nodes as a list",
        "graphspec: 1\ninputs: {x: {shape: [8]}}\nnodes: «A»[{layer: Dense, inputs: x, units: 4}]\noutputs: {y: {from: x}}\n",
        errors=[("wrong-type", "nodes", "A")],
    )
    case(
        "outputs as a list",
        one("{layer: Dense, inputs: x, units: 4}", outputs="«A»[h]"),
        errors=[("wrong-type", "outputs", "A")],
    )
    case(
        "unknown top-level key with a close match",
        "graphspec: 1\ninputs: {x: {shape: [8]}}\nnodes:\n  h: {layer: Dense, inputs: x, units: 4}\noutputs: {h: {}}\n«A»output: {h: {}}\n",
        errors=[("unknown-key", "output", "A")],
    )
    case("misplaced layers section", out1("{h: {}}", extra="«A»layers: []\n"), errors=[("unknown-key", "layers", "A")])
    case(
        "description must be text",
        out1("{h: {}}", extra="description: «A»5\n"),
        errors=[("wrong-type", "description", "A")],
    )
    case("model name must be a string", out1("{h: {}}", extra="name: «A»5\n"), errors=[("wrong-type", "name", "A")])
    case("model name with a space", out1("{h: {}}", extra='name: «A»"my model"\n'), errors=[("bad-name", "name", "A")])
    case("model name with a hyphen", out1("{h: {}}", extra="name: my-model\n"))

    group(f, "inputs")

    def inp(spec: str) -> str:
        return one("{layer: Dense, inputs: x, units: 4}", inputs="{x: %s}" % spec)

    case("dtype, batch size and sparse", inp("{shape: [8], dtype: float64, batch_size: 32, sparse: false}"))
    case(
        "a scalar input has shape []", one("{layer: Reshape, inputs: x, target_shape: [1]}", inputs="{x: {shape: []}}")
    )
    case("unknown sizes are null", inp("{shape: [null, 8]}"))
    case("missing shape", inp("«A»{}"), errors=[("missing-key", "inputs.x", "A")])
    case("shape as a number", inp("{shape: «A»8}"), errors=[("wrong-type", "inputs.x.shape", "A")])
    case(
        "zero and negative sizes",
        inp("{shape: [«A»0, «B»-1]}"),
        errors=[("bad-value", "inputs.x.shape[0]", "A"), ("bad-value", "inputs.x.shape[1]", "B")],
    )
    case(
        "sizes of the wrong type",
        inp('{shape: [«A»8.0, «B»"8", «C»true]}'),
        errors=[
            ("wrong-type", "inputs.x.shape[0]", "A"),
            ("wrong-type", "inputs.x.shape[1]", "B"),
            ("wrong-type", "inputs.x.shape[2]", "C"),
        ],
    )
    case("sixteen dimensions are allowed", inp("{shape: [%s]}" % ", ".join(["1"] * 16)))
    case(
        "seventeen dimensions are too many",
        inp("{shape: «A»[%s]}" % ", ".join(["1"] * 17)),
        errors=[("bad-value", "inputs.x.shape", "A")],
    )
    case("unknown dtype", inp("{shape: [8], dtype: «A»float}"), errors=[("bad-value", "inputs.x.dtype", "A")])
    case(
        "dtype is case-sensitive", inp("{shape: [8], dtype: «A»Float32}"), errors=[("bad-value", "inputs.x.dtype", "A")]
    )
    case("batch_size 0", inp("{shape: [8], batch_size: «A»0}"), errors=[("bad-value", "inputs.x.batch_size", "A")])
    case("sparse as a number", inp("{shape: [8], sparse: «A»1}"), errors=[("wrong-type", "inputs.x.sparse", "A")])
    case("unknown key in an input", inp("{«A»shap: [8], shape: [8]}"), errors=[("unknown-key", "inputs.x.shap", "A")])
    case("an input as a list", inp("«A»[8]"), errors=[("wrong-type", "inputs.x", "A")])
    case("an input as null", inp("«A»null"), errors=[("wrong-type", "inputs.x", "A")])

    group(f, "outputs and compile")
    case(
        "an output with nothing after it",
        "graphspec: 1\ninputs: {x: {shape: [8]}}\nnodes:\n  h: {layer: Dense, inputs: x, units: 4}\noutputs:\n  h:\n",
    )
    case("unknown key in an output", out1("{h: {«A»los: mse}}"), errors=[("unknown-key", "outputs.h.los", "A")])
    case(
        "metrics must be a list", out1("{h: {metrics: «A»accuracy}}"), errors=[("wrong-type", "outputs.h.metrics", "A")]
    )
    case(
        "negative loss weight", out1("{h: {loss_weight: «A»-1}}"), errors=[("bad-value", "outputs.h.loss_weight", "A")]
    )
    case(
        "loss weight as a string",
        out1('{h: {loss_weight: «A»"0.5"}}'),
        errors=[("wrong-type", "outputs.h.loss_weight", "A")],
    )
    case(
        "loss weight as a boolean",
        out1("{h: {loss_weight: «A»true}}"),
        errors=[("wrong-type", "outputs.h.loss_weight", "A")],
    )
    case("an integer loss weight is a number", out1("{h: {loss: mse, loss_weight: 2}}"))
    case("an output as a number", out1("{h: «A»5}"), errors=[("wrong-type", "outputs.h", "A")])
    case("compile: null is no compile section", out1("{h: {}}", extra="compile:\n"))
    case("compile: {} takes the defaults", out1("{h: {}}", extra="compile: {}\n"))
    case("compile as a list", out1("{h: {}}", extra="compile: «A»[adam]\n"), errors=[("wrong-type", "compile", "A")])
    case(
        "losses belong to outputs, not compile",
        out1("{h: {}}", extra="compile: {«A»loss: mse}\n"),
        errors=[("unknown-key", "compile.loss", "A")],
    )
    case(
        "misspelt optimizer key",
        out1("{h: {}}", extra="compile: {«A»optimiser: adam}\n"),
        errors=[("unknown-key", "compile.optimiser", "A")],
    )
    case(
        "steps_per_execution 0",
        out1("{h: {}}", extra="compile: {steps_per_execution: «A»0}\n"),
        errors=[("bad-value", "compile.steps_per_execution", "A")],
    )
    case(
        "jit_compile values",
        out1("{h: {}}", extra="compile: {jit_compile: auto, run_eagerly: true, steps_per_execution: 4}\n"),
    )
    case(
        "jit_compile: yes is one error",
        out1("{h: {}}", extra="compile: {jit_compile: «A»yes}\n"),
        errors=[("wrong-type", "compile.jit_compile", "A")],
    )

    group(f, "every problem is reported in one run")
    case(
        "structural and catalogue errors together",
        "«A»graphspec: 1\n«B»inputz:\n  x: {shape: [8]}\nnodes:\n  h: {layer: «C»Dence, inputs: x, units: 4}\noutputs: {h: {«D»los: mse}}\n",
        errors=[
            ("missing-key", "", "A"),
            ("unknown-key", "inputz", "B"),
            ("unknown-layer", "nodes.h.layer", "C"),
            ("unknown-key", "outputs.h.los", "D"),
        ],
    )
    case(
        "bad version and a dangling reference",
        "graphspec: «A»2\ninputs: {x: {shape: [8]}}\nnodes:\n  h: {layer: Dense, inputs: «B»xx, units: 4}\noutputs: {h: {}}\n",
        errors=[("bad-version", "graphspec", "A"), ("unknown-reference", "nodes.h.inputs", "B")],
    )
    case(
        "a broken description and a dangling reference",
        "graphspec: 1\ndescription: «A»5\ninputs: {x: {shape: [8]}}\nnodes:\n  h: {layer: Dense, inputs: «B»xx, units: 4}\noutputs: {h: {}}\n",
        errors=[("wrong-type", "description", "A"), ("unknown-reference", "nodes.h.inputs", "B")],
    )
    case(
        "a broken node keeps its layer check",
        one("{layer: «A»Dence, inputs: «B»5, units: 4}"),
        errors=[("unknown-layer", "nodes.h.layer", "A"), ("wrong-type", "nodes.h.inputs", "B")],
    )
    case(
        "a broken output does not hide a dangling reference",
        one("{layer: Dense, inputs: «A»xx, units: 4}", outputs="{h: {loss_weight: «B»-1}}"),
        errors=[("unknown-reference", "nodes.h.inputs", "A"), ("bad-value", "outputs.h.loss_weight", "B")],
    )
    case(
        "a broken output does not hide an unknown loss",
        out1("{h: {loss: «A»msee, loss_weight: «B»-1}}"),
        errors=[("unknown-object", "outputs.h.loss", "A"), ("bad-value", "outputs.h.loss_weight", "B")],
    )
    case(
        "a broken compile setting does not hide an unknown optimizer",
        out1("{h: {}}", extra="compile: {optimizer: «A»adamm, steps_per_execution: «B»0}\n"),
        errors=[("unknown-object", "compile.optimizer", "A"), ("bad-value", "compile.steps_per_execution", "B")],
    )
    case(
        "errors in several nodes",
        "graphspec: 1\ninputs: {x: {shape: [8]}}\nnodes:\n  a: {layer: «A»Dence, inputs: x, units: 4}\n  b: {layer: Dense, inputs: a, «B»unit: 4}\n  c: {layer: Dropout, inputs: b, rate: «C»1.5}\noutputs: {c: {}}\n",
        errors=[
            ("unknown-layer", "nodes.a.layer", "A"),
            ("unknown-argument", "nodes.b.unit", "B"),
            ("missing-argument", "nodes.b", "?"),
            ("bad-value", "nodes.c.rate", "C"),
        ],
    )

    group(f, "positions are 1-based lines and columns counted in characters")
    case(
        "after an emoji on the same line",
        one('{layer: Normalization, inputs: x, mean: "\U0001f600\u00e9", «A»meen: 1}'),
        errors=[("unknown-argument", "nodes.h.meen", "A")],
    )
    case(
        "after CJK text on the same line",
        one('{layer: Normalization, inputs: x, mean: "\u65e5\u672c\u8a9e", «A»meen: 1}'),
        errors=[("unknown-argument", "nodes.h.meen", "A")],
    )
    case(
        "after an emoji in JSON",
        '{"graphspec": 1, "description": "\U0001f600\U0001f600", "inputs": {"x": {"shape": [8]}}, "nodes": {"h": {"layer": «A»"Dence", "inputs": "x"}}, "outputs": {"h": {}}}\n',
        errors=[("unknown-layer", "nodes.h.layer", "A")],
    )
    case(
        "CRLF line ends in YAML",
        one("{layer: «A»Dence, inputs: x, units: 4}").replace("\n", "\r\n"),
        errors=[("unknown-layer", "nodes.h.layer", "A")],
    )
    case(
        "after a tab in JSON",
        '{"graphspec": 1,\t"inputs": {"x": {"shape": [8]}},\t"nodes": {"h": {"layer":\t«A»"Dence", "inputs": "x"}}, "outputs": {"h": {}}}\n',
        errors=[("unknown-layer", "nodes.h.layer", "A")],
    )
    case(
        "deep in block style",
        "graphspec: 1\ninputs:\n  x:\n    shape:\n      - 8\n      - «A»0\nnodes:\n  h:\n    layer: Dense\n    inputs: x\n    units: 4\n    kernel_initializer:\n      class_name: VarianceScaling\n      config:\n        scale: 2.0\n        «B»modee: fan_in\noutputs:\n  h: {}\n",
        errors=[
            ("bad-value", "inputs.x.shape[1]", "A"),
            ("unknown-argument", "nodes.h.kernel_initializer.config.modee", "B"),
        ],
    )
    case(
        "a key position and a value position on one line",
        one("{layer: Dense, inputs: x, units: «A»0, «B»use_bais: true}"),
        errors=[("bad-value", "nodes.h.units", "A"), ("unknown-argument", "nodes.h.use_bais", "B")],
    )

    group(f, "specs given as data follow the same rules")
    case("a valid spec as data", data=mlp_data())
    case("format version missing from data", data=mlp_data(graphspec=_DELETE), errors=[("missing-key", "", None)])
    case("format version true in data", data=mlp_data(graphspec=True), errors=[("bad-version", "graphspec", None)])
    case("format version 1.0 in data", data=mlp_data(graphspec=1.0), errors=[("bad-version", "graphspec", None)])
    case("unknown top-level key in data", data=mlp_data(extra={}), errors=[("unknown-key", "extra", None)])
    case(
        "string size in data",
        data=mlp_data(inputs__x__shape=["16"]),
        errors=[("wrong-type", "inputs.x.shape[0]", None)],
    )
    case("string units in data", data=mlp_data(nodes__h__units="8"), errors=[("wrong-type", "nodes.h.units", None)])
    case(
        "dangling reference in data",
        data=mlp_data(nodes__y__inputs="hh"),
        errors=[("unknown-reference", "nodes.y.inputs", None)],
    )
    case("top-level list as data", data=[1], errors=[("wrong-type", "", None)])


# ---------------------------------------------------------------------------
def names() -> None:
    f = "names"
    group(f, "names of inputs, nodes and outputs are identifiers: letters, digits, '_' and '-', at most 128")
    case(
        "underscore, hyphen and digits",
        "graphspec: 1\ninputs: {_in-1: {shape: [8]}}\nnodes:\n  h_2-b: {layer: Dense, inputs: _in-1, units: 4}\noutputs: {out-3: {from: h_2-b}}\n",
    )
    case("128 characters", one("{layer: Dense, inputs: x, units: 4}", name="a" * 128, outputs="{%s: {}}" % ("a" * 128)))
    case(
        "129 characters",
        one("{layer: Dense, inputs: x, units: 4}", name="«A»" + "a" * 129, outputs="{y: {from: %s}}" % ("a" * 129)),
        errors=[("bad-name", "nodes." + "a" * 129, "A")],
    )
    case(
        "input starting with a digit",
        "graphspec: 1\ninputs: {«A»1x: {shape: [8]}}\nnodes:\n  h: {layer: Dense, inputs: «B»1x, units: 4}\noutputs: {h: {}}\n",
        errors=[("bad-name", "inputs.1x", "A"), ("bad-name", "nodes.h.inputs", "B")],
    )
    case(
        "node with a dot",
        one("{layer: Dense, inputs: x, units: 4}", name="«A»h.1", outputs="{«B»h.1: {}}"),
        errors=[("bad-name", "nodes.h.1", "A"), ("bad-name", "outputs.h.1", "B")],
    )
    case(
        "node with a slash",
        one("{layer: Dense, inputs: x, units: 4}", name='«A»"h/1"', outputs='{y: {from: «B»"h/1"}}'),
        errors=[("bad-name", "nodes.h/1", "A"), ("bad-name", "outputs.y.from", "B")],
    )
    case("output with a space", out1('{h: {}, «A»"y z": {from: h}}'), errors=[("bad-name", "outputs.y z", "A")])
    case("non-ASCII letter", out1('{h: {}, «A»"é": {from: h}}'), errors=[("bad-name", "outputs.é", "A")])
    case("starting with a hyphen", out1("{h: {}, «A»-y: {from: h}}"), errors=[("bad-name", "outputs.-y", "A")])
    case("empty name", out1('{h: {}, «A»"": {from: h}}'), errors=[("bad-name", "outputs.", "A")])
    case(
        "a name that is a number",
        'graphspec: 1\ninputs: {x: {shape: [8]}}\nnodes:\n  h: {layer: Dense, inputs: x, units: 4}\n  «A»1: {layer: Dense, inputs: h, units: 1}\noutputs: {y: {from: «B»"1"}}\n',
        errors=[("bad-name", "nodes.1", "A"), ("bad-name", "outputs.y.from", "B")],
    )
    case("an output named like a tensor selection", out1('{«A»"h:0": {}}'), errors=[("bad-name", "outputs.h:0", "A")])
    case(
        "an output name with a trailing newline",
        out1('{h: {}, «A»"y\\n": {from: h}}'),
        errors=[("bad-name", "outputs.y\n", "A")],
    )
    case(
        "a reference with a trailing newline",
        one('{layer: Dense, inputs: «A»"x\\n", units: 4}'),
        errors=[("bad-name", "nodes.h.inputs", "A")],
    )
    case(
        "a model name with a trailing newline",
        out1("{h: {}}", extra='name: «A»"m\\n"\n'),
        errors=[("bad-name", "name", "A")],
    )
    case(
        "names are case-sensitive",
        "graphspec: 1\ninputs: {x: {shape: [8]}}\nnodes:\n  h: {layer: Dense, inputs: x, units: 4}\n  H: {layer: Dense, inputs: h, units: 4}\noutputs: {H: {}}\n",
    )

    group(f, "inputs, nodes and outputs share one namespace: each becomes a Keras layer name")
    case(
        "input and node with the same name",
        "graphspec: 1\ninputs:\n  x: {shape: [8]}\nnodes:\n  «A»x: {layer: Dense, inputs: x, units: 4}\n  hidden: {layer: Dense, inputs: x, units: 4}\noutputs:\n  hidden: {}\n",
        errors=[("duplicate-name", "nodes.x", "A")],
    )
    case(
        "input and node with the same name is not also a cycle",
        "graphspec: 1\ninputs: {x: {shape: [8]}}\nnodes:\n  h: {layer: Dense, inputs: x, units: 4}\n  «A»x: {layer: Dense, inputs: h, units: 4}\noutputs: {x: {}}\n",
        errors=[("duplicate-name", "nodes.x", "A")],
    )
    case(
        "output named like another node",
        "graphspec: 1\ninputs: {x: {shape: [8]}}\nnodes:\n  a: {layer: Dense, inputs: x, units: 4}\n  b: {layer: Dense, inputs: a, units: 4}\noutputs: {b: {}, «A»a: {from: b}}\n",
        errors=[("duplicate-name", "outputs.a", "A")],
    )
    case(
        "output named like an input",
        "graphspec: 1\ninputs: {x: {shape: [8]}, y: {shape: [8]}}\nnodes:\n  h: {layer: Add, inputs: [x, y]}\noutputs: {h: {}, «A»y: {from: h}}\n",
        errors=[("duplicate-name", "outputs.y", "A")],
    )
    case(
        "an input as an output under its own name: passed straight through, no layer added",
        "graphspec: 1\ninputs: {x: {shape: [8]}}\noutputs: {x: {}}\n",
        build=True,
    )
    case(
        "an input as an output under another name", "graphspec: 1\ninputs: {x: {shape: [8]}}\noutputs: {y: {from: x}}\n"
    )
    case("an output naming its own node with from", out1("{h: {from: h}}"))
    case(
        "an output named like its node but selecting one tensor",
        'graphspec: 1\ninputs: {x: {shape: [5, 4]}}\nnodes:\n  enc: {layer: LSTM, inputs: x, units: 3, return_state: true}\noutputs:\n  «A»enc: {from: "enc:1"}\n',
        errors=[("duplicate-name", "outputs.enc", "A")],
    )
    case(
        "a node output under another name, selecting one tensor, builds",
        'graphspec: 1\ninputs: {x: {shape: [5, 4]}}\nnodes:\n  enc: {layer: LSTM, inputs: x, units: 3, return_state: true}\noutputs:\n  state_h: {from: "enc:1"}\n  state_c: {from: "enc:2"}\n',
        build=True,
        model={"params": 96, "inputs": ["x"], "outputs": ["state_h", "state_c"]},
    )
    case("two outputs of one node under different names", out1("{h: {}, y: {from: h}, z: {from: h}}"))

    group(f, "names in data")
    case(
        "bad node name in data",
        data=mlp_data(
            nodes={
                "h": {"layer": "Dense", "inputs": "x", "units": 8},
                "y y": {"layer": "Dense", "inputs": "h", "units": 2},
            },
            outputs={"y": {"from": "h"}},
        ),
        errors=[("bad-name", "nodes.y y", None)],
        valid=False,
    )
    case(
        "input and node with the same name in data",
        data=mlp_data(nodes__x={"layer": "Dense", "inputs": "x", "units": 2}, outputs={"y": {}, "x": {}}),
        errors=[("duplicate-name", "nodes.x", None)],
    )


# ---------------------------------------------------------------------------
def references() -> None:
    f = "references"
    group(f, "every name in inputs, from and share must exist")
    case(
        "dangling single input",
        "graphspec: 1\ninputs:\n  text: {shape: [null], dtype: int32}\nnodes:\n  text_emb: {layer: Embedding, inputs: text, input_dim: 1000, output_dim: 8}\n  text_enc: {layer: LSTM, inputs: «A»text_embb, units: 4}\noutputs:\n  text_enc: {}\n",
        errors=[("unknown-reference", "nodes.text_enc.inputs", "A")],
    )
    case(
        "dangling entries of a list",
        one("{layer: Concatenate, inputs: [x, «A»y, «B»z]}"),
        errors=[("unknown-reference", "nodes.h.inputs[1]", "A"), ("unknown-reference", "nodes.h.inputs[2]", "B")],
    )
    case(
        "references are case-sensitive",
        one("{layer: Dense, inputs: «A»X, units: 4}"),
        errors=[("unknown-reference", "nodes.h.inputs", "A")],
    )
    case(
        "an output reads an unknown node by its own name",
        "graphspec: 1\ninputs: {x: {shape: [8]}}\nnodes:\n  h: {layer: Dense, inputs: x, units: 4}\noutputs: {h: {}, y: «A»{}}\n",
        errors=[("unknown-reference", "outputs.y", "A")],
    )
    case(
        "an output reads an unknown node with from",
        out1("{h: {}, y: {from: «A»q}}"),
        errors=[("unknown-reference", "outputs.y.from", "A")],
    )
    case(
        "an output cannot read another output",
        out1("{y: {from: h}, w: {from: «A»y}}"),
        errors=[("unknown-reference", "outputs.w.from", "A")],
    )
    case(
        "an output cannot read itself",
        out1("{h: {}, y: {from: «A»y}}"),
        errors=[("unknown-reference", "outputs.y.from", "A")],
    )
    case(
        "a node cannot read an output name",
        "graphspec: 1\ninputs: {x: {shape: [8]}}\nnodes:\n  h: {layer: Dense, inputs: x, units: 4}\n  g: {layer: Dense, inputs: «A»y, units: 4}\noutputs: {y: {from: h}, g: {}}\n",
        errors=[("unknown-reference", "nodes.g.inputs", "A")],
    )
    case(
        "a dangling reference is reported alone, not as an unused input too",
        "graphspec: 1\ninputs: {x: {shape: [8]}, other: {shape: [8]}}\nnodes:\n  h: {layer: Add, inputs: [x, «A»othr]}\noutputs: {h: {}}\n",
        errors=[("unknown-reference", "nodes.h.inputs[1]", "A")],
    )

    group(f, "the form of a reference")
    case(
        "the empty string", one('{layer: Dense, inputs: «A»"", units: 4}'), errors=[("bad-name", "nodes.h.inputs", "A")]
    )
    case(
        "a negative index",
        one('{layer: Dense, inputs: «A»"x:-1", units: 4}'),
        errors=[("bad-name", "nodes.h.inputs", "A")],
    )
    case(
        "spaces around a name",
        one('{layer: Dense, inputs: «A»" x", units: 4}'),
        errors=[("bad-name", "nodes.h.inputs", "A")],
    )
    case("a number", one("{layer: Dense, inputs: «A»5, units: 4}"), errors=[("wrong-type", "nodes.h.inputs", "A")])
    case(
        "a number in a list", one("{layer: Add, inputs: [x, «A»5]}"), errors=[("wrong-type", "nodes.h.inputs[1]", "A")]
    )
    case("null", one("{layer: Dense, inputs: «A»null, units: 4}"), errors=[("wrong-type", "nodes.h.inputs", "A")])
    case(
        "a mapping", one("{layer: Dense, inputs: «A»{x: 1}, units: 4}"), errors=[("wrong-type", "nodes.h.inputs", "A")]
    )
    case("from as a number", out1("{h: {}, y: {from: «A»5}}"), errors=[("wrong-type", "outputs.y.from", "A")])
    case(
        "an index into an input",
        one('{layer: Dense, inputs: «A»"x:0", units: 4}'),
        errors=[("bad-output-index", "nodes.h.inputs", "A")],
    )
    case(
        "an index into an input from an output",
        'graphspec: 1\ninputs: {x: {shape: [8]}}\noutputs: {y: {from: «A»"x:0"}}\n',
        errors=[("bad-output-index", "outputs.y.from", "A")],
    )
    case("one input read twice", one("{layer: Concatenate, inputs: [x, x]}"))

    group(f, "node:i selects one tensor of a layer that returns several (checked when building)")
    states = "graphspec: 1\ninputs:\n  tokens: {shape: [null], dtype: int32}\nnodes:\n  emb: {layer: Embedding, inputs: tokens, input_dim: 50, output_dim: 8}\n  enc: {layer: LSTM, inputs: emb, units: 12, return_state: true}\n"
    case(
        "LSTM states by index",
        states
        + '  both: {layer: Concatenate, inputs: ["enc:1", "enc:2"]}\n  score: {layer: Dense, inputs: both, units: 1, activation: sigmoid}\noutputs:\n  score: {loss: binary_crossentropy}\n  state: {from: "enc:0"}\n',
        build=True,
        model={"params": 1433, "inputs": ["tokens"], "outputs": ["score", "state"]},
    )
    case(
        "an index past the last tensor",
        states + 'outputs:\n  state: {from: «A»"enc:3"}\n',
        build=True,
        errors=[("bad-output-index", "outputs.state.from", "A")],
    )
    case(
        "an index into a single tensor",
        'graphspec: 1\ninputs:\n  x: {shape: [8]}\nnodes:\n  hidden: {layer: Dense, inputs: x, units: 4}\noutputs:\n  second: {from: «A»"hidden:1"}\n',
        build=True,
        errors=[("bad-output-index", "outputs.second.from", "A")],
    )
    case(
        "an index in a node's inputs past the last tensor",
        states + '  h: {layer: Dense, inputs: «A»"enc:5", units: 2}\noutputs:\n  h: {}\n',
        build=True,
        errors=[("bad-output-index", "nodes.h.inputs", "A")],
    )


# ---------------------------------------------------------------------------
def cycles() -> None:
    f = "cycles"
    group(f, "a model is a directed acyclic graph; each cycle is reported once, with its path")
    case(
        "a node reading itself",
        one("{layer: Dense, inputs: «A»h, units: 4}"),
        errors=[("cycle", "nodes.h.inputs", "A")],
    )
    case(
        "a node reading itself among other inputs",
        one("{layer: Add, inputs: «A»[x, h]}"),
        errors=[("cycle", "nodes.h.inputs", "A")],
    )
    case(
        "two nodes",
        "graphspec: 1\ninputs: {x: {shape: [4]}}\nnodes:\n  a: {layer: Add, inputs: «A»[x, b]}\n  b: {layer: Dense, inputs: a, units: 4}\noutputs: {b: {}}\n",
        errors=[("cycle", "nodes.a.inputs", "A")],
    )
    case(
        "three nodes",
        "graphspec: 1\ninputs:\n  x: {shape: [4]}\nnodes:\n  a: {layer: Add, inputs: «A»[x, c]}\n  b: {layer: Dense, inputs: a, units: 4}\n  c: {layer: Dense, inputs: b, units: 4}\noutputs:\n  c: {}\n",
        errors=[("cycle", "nodes.a.inputs", "A")],
    )
    case(
        "the path starts at the alphabetically first node",
        "graphspec: 1\ninputs: {x: {shape: [4]}}\nnodes:\n  z: {layer: Add, inputs: [x, m]}\n  m: {layer: Dense, inputs: b, units: 4}\n  b: {layer: Dense, inputs: «A»z, units: 4}\noutputs: {m: {}}\n",
        errors=[("cycle", "nodes.b.inputs", "A")],
    )
    case(
        "two separate cycles",
        "graphspec: 1\ninputs: {x: {shape: [4]}}\nnodes:\n  a: {layer: Add, inputs: «A»[x, b]}\n  b: {layer: Dense, inputs: a, units: 4}\n  c: {layer: Add, inputs: «B»[x, d]}\n  d: {layer: Dense, inputs: c, units: 4}\n  m: {layer: Add, inputs: [b, d]}\noutputs: {m: {}}\n",
        errors=[("cycle", "nodes.a.inputs", "A"), ("cycle", "nodes.c.inputs", "B")],
    )
    case(
        "a cycle no output depends on",
        "graphspec: 1\ninputs: {x: {shape: [4]}}\nnodes:\n  h: {layer: Dense, inputs: x, units: 4}\n  a: {layer: Dense, inputs: «A»b, units: 4}\n  b: {layer: Dense, inputs: a, units: 4}\noutputs: {h: {}}\n",
        errors=[("cycle", "nodes.a.inputs", "A")],
    )
    case(
        "a cycle through a selected tensor",
        'graphspec: 1\ninputs: {x: {shape: [5, 4]}}\nnodes:\n  a: {layer: LSTM, inputs: «A»"b:0", units: 4, return_state: true}\n  b: {layer: LSTM, inputs: a, units: 4, return_state: true}\noutputs: {c: {from: "b:1"}}\n',
        errors=[("cycle", "nodes.a.inputs", "A")],
    )
    case(
        "a cycle and an unknown layer are both reported",
        "graphspec: 1\ninputs: {x: {shape: [4]}}\nnodes:\n  a: {layer: «B»Dence, inputs: «A»b, units: 4}\n  b: {layer: Dense, inputs: a, units: 4}\noutputs: {b: {}}\n",
        errors=[("cycle", "nodes.a.inputs", "A"), ("unknown-layer", "nodes.a.layer", "B")],
    )
    chain = "".join(f"  n{i}: {{layer: Dense, inputs: n{(i + 1) % 10}, units: 4}}\n" for i in range(1, 10))
    case(
        "a cycle of ten nodes",
        "graphspec: 1\ninputs: {x: {shape: [4]}}\nnodes:\n  n0: {layer: Add, inputs: «A»[x, n1]}\n"
        + chain
        + "outputs: {n5: {}}\n",
        errors=[("cycle", "nodes.n0.inputs", "A")],
    )

    group(f, "share chains that go round in a circle")
    case(
        "a node sharing itself",
        "graphspec: 1\ninputs: {x: {shape: [4]}}\nnodes:\n  a: {share: «A»a, inputs: x}\noutputs: {a: {}}\n",
        errors=[("cycle", "nodes.a.share", "A")],
    )
    case(
        "two nodes sharing each other is one cycle",
        "graphspec: 1\ninputs: {l: {shape: [8]}, r: {shape: [8]}}\nnodes:\n  a: {share: «A»b, inputs: l}\n  b: {share: a, inputs: r}\n  m: {layer: Add, inputs: [a, b]}\noutputs: {m: {}}\n",
        errors=[("cycle", "nodes.a.share", "A")],
    )
    case(
        "three nodes sharing round is one cycle",
        "graphspec: 1\ninputs: {l: {shape: [8]}, r: {shape: [8]}}\nnodes:\n  a: {share: «A»b, inputs: l}\n  b: {share: c, inputs: r}\n  c: {share: a, inputs: r}\n  m: {layer: Add, inputs: [a, b, c]}\noutputs: {m: {}}\n",
        errors=[("cycle", "nodes.a.share", "A")],
    )


# ---------------------------------------------------------------------------
def reachability() -> None:
    f = "reachability"
    group(
        f,
        "every output depends on an input; dead nodes and inputs that feed nothing are warnings (Keras builds the model, the input stays in its interface)",
    )
    case(
        "an input that feeds nothing",
        "graphspec: 1\ninputs:\n  image: {shape: [8]}\n  metadata: {shape: [3]}\nnodes:\n  logits: {layer: Dense, inputs: image, units: 2}\noutputs:\n  logits: {}\n",
        warnings=[("unused-input", "inputs.metadata")],
    )
    case(
        "two inputs that feed nothing",
        "graphspec: 1\ninputs: {x: {shape: [8]}, y: {shape: [8]}, z: {shape: [8]}}\nnodes:\n  h: {layer: Dense, inputs: x, units: 4}\noutputs: {h: {}}\n",
        warnings=[("unused-input", "inputs.y"), ("unused-input", "inputs.z")],
    )
    case(
        "an input read only by a dead node",
        "graphspec: 1\ninputs: {x: {shape: [8]}, y: {shape: [8]}}\nnodes:\n  h: {layer: Dense, inputs: x, units: 4}\n  d: {layer: Dense, inputs: y, units: 4}\noutputs: {h: {}}\n",
        warnings=[("unused-input", "inputs.y"), ("dead-node", "nodes.d")],
    )
    case(
        "an output behind a node without inputs",
        "graphspec: 1\ninputs:\n  x: {shape: [8]}\nnodes:\n  a: {layer: Dense, inputs: x, units: 4}\n  «A»orphan: {layer: Dense, units: 4}\n  b: {layer: Dense, inputs: orphan, units: 1}\noutputs:\n  a: {}\n  «B»b: {}\n",
        errors=[("no-inputs", "nodes.orphan", "A"), ("unreachable-output", "outputs.b", "B")],
    )
    case(
        "an empty inputs list",
        "graphspec: 1\ninputs: {x: {shape: [8]}}\nnodes:\n  h: {layer: Dense, inputs: x, units: 4}\n  «A»g: {layer: Dense, inputs: [], units: 4}\noutputs: {h: {}, «B»g: {}}\n",
        errors=[("no-inputs", "nodes.g", "A"), ("unreachable-output", "outputs.g", "B")],
    )
    case(
        "a node without inputs is an error even when dead",
        "graphspec: 1\ninputs: {x: {shape: [8]}}\nnodes:\n  h: {layer: Dense, inputs: x, units: 4}\n  «A»g: {layer: Dense, units: 4}\noutputs: {h: {}}\n",
        errors=[("no-inputs", "nodes.g", "A")],
    )
    case(
        "an output reachable from one input but behind an orphan as well",
        "graphspec: 1\ninputs: {x: {shape: [8]}}\nnodes:\n  «A»o: {layer: Dense, units: 4}\n  m: {layer: Add, inputs: [x, o]}\noutputs: {«B»m: {}}\n",
        errors=[("no-inputs", "nodes.o", "A"), ("unreachable-output", "outputs.m", "B")],
    )
    case(
        "a dead node is only a warning",
        "graphspec: 1\ninputs: {x: {shape: [8]}}\nnodes:\n  h: {layer: Dense, inputs: x, units: 4}\n  d: {layer: Dense, inputs: h, units: 4}\noutputs: {h: {}}\n",
        warnings=[("dead-node", "nodes.d")],
    )
    case(
        "a dead chain warns for every node",
        "graphspec: 1\ninputs: {x: {shape: [8]}}\nnodes:\n  h: {layer: Dense, inputs: x, units: 4}\n  d1: {layer: Dense, inputs: h, units: 4}\n  d2: {layer: Dense, inputs: d1, units: 4}\noutputs: {h: {}}\n",
        warnings=[("dead-node", "nodes.d1"), ("dead-node", "nodes.d2")],
    )
    case(
        "a dead node is still checked against the catalogue",
        "graphspec: 1\ninputs: {x: {shape: [8]}}\nnodes:\n  h: {layer: Dense, inputs: x, units: 4}\n  d: {layer: «A»Dence, inputs: h}\noutputs: {h: {}}\n",
        errors=[("unknown-layer", "nodes.d.layer", "A")],
    )
    case(
        "an output that is an input under another name",
        "graphspec: 1\ninputs: {x: {shape: [8]}}\noutputs: {y: {from: x}}\n",
        build=True,
        model={"params": 0, "inputs": ["x"], "outputs": ["y"]},
    )
    case(
        "several inputs, several outputs",
        "graphspec: 1\ninputs: {a: {shape: [4]}, b: {shape: [4]}}\nnodes:\n  s: {layer: Add, inputs: [a, b]}\n  p: {layer: Multiply, inputs: [a, b]}\noutputs: {s: {}, p: {}}\n",
    )
    case(
        "the owner of a shared layer may be dead",
        "graphspec: 1\ninputs: {l: {shape: [8]}, r: {shape: [8]}}\nnodes:\n  enc: {layer: Dense, inputs: l, units: 8}\n  use: {share: enc, inputs: r}\n  m: {layer: Add, inputs: [use, l]}\noutputs: {m: {}}\n",
        warnings=[("dead-node", "nodes.enc")],
    )


# ---------------------------------------------------------------------------
def sharing() -> None:
    f = "sharing"
    two = "graphspec: 1\ninputs: {l: {shape: [8]}, r: {shape: [8]}}\nnodes:\n  a: {layer: Dense, inputs: l, units: 4}\n"
    group(f, "share: calls another node's layer object again (one layer, one set of weights)")
    case(
        "the siamese LSTM",
        "graphspec: 1\nname: siamese_lstm\ninputs:\n  left:  {shape: [null, 128]}\n  right: {shape: [null, 128]}\nnodes:\n  left_enc:   {layer: LSTM, inputs: left, units: 32}\n  right_enc:  {share: left_enc, inputs: right}\n  merged:     {layer: Concatenate, inputs: [left_enc, right_enc], axis: -1}\n  similarity: {layer: Dense, inputs: merged, units: 1, activation: sigmoid}\noutputs:\n  similarity: {loss: binary_crossentropy, metrics: [acc]}\n",
        build=True,
        model={"params": 20673, "inputs": ["left", "right"], "outputs": ["similarity"]},
    )
    case(
        "a shared Dense has one set of weights",
        two + "  b: {share: a, inputs: r}\n  m: {layer: Add, inputs: [a, b]}\noutputs: {m: {}}\n",
        build=True,
        model={"params": 36, "inputs": ["l", "r"], "outputs": ["m"]},
    )
    case(
        "a share chain resolves to its owner",
        two
        + "  b: {share: a, inputs: r}\n  c: {share: b, inputs: r}\n  m: {layer: Add, inputs: [a, c]}\noutputs: {m: {}}\n",
        warnings=[("dead-node", "nodes.b")],
        build=True,
        model={"params": 36, "inputs": ["l", "r"], "outputs": ["m"]},
    )
    case(
        "share with layer: null",
        two + "  b: {share: a, inputs: r, layer: null}\n  m: {layer: Add, inputs: [a, b]}\noutputs: {m: {}}\n",
    )
    case(
        "share with arguments",
        two + "  b: {share: a, inputs: r, «A»units: 16}\n  m: {layer: Add, inputs: [a, b]}\noutputs: {m: {}}\n",
        errors=[("bad-share", "nodes.b.units", "A")],
    )
    case(
        "share and layer together",
        two
        + "  b: {layer: Dense, «A»share: a, inputs: r, units: 4}\n  m: {layer: Add, inputs: [a, b]}\noutputs: {m: {}}\n",
        errors=[("bad-share", "nodes.b.share", "A")],
    )
    case(
        "share of an unknown node",
        two + "  b: {share: «A»ghost, inputs: r}\n  m: {layer: Add, inputs: [a, b]}\noutputs: {m: {}}\n",
        errors=[("unknown-reference", "nodes.b.share", "A")],
    )
    case(
        "share of an input",
        two + "  b: {share: «A»r, inputs: r}\n  m: {layer: Add, inputs: [a, b]}\noutputs: {m: {}}\n",
        errors=[("bad-share", "nodes.b.share", "A")],
    )
    case(
        "share of a selected tensor",
        two + '  b: {share: «A»"a:0", inputs: r}\n  m: {layer: Add, inputs: [a, b]}\noutputs: {m: {}}\n',
        errors=[("bad-name", "nodes.b.share", "A")],
    )
    case(
        "share as a number",
        two + "  b: {share: «A»5, inputs: r}\n  m: {layer: Add, inputs: [a, b]}\noutputs: {m: {}}\n",
        errors=[("wrong-type", "nodes.b.share", "A")],
    )
    case(
        "a sharing node needs inputs too",
        two + "  «A»b: {share: a}\n  m: {layer: Add, inputs: [a, r]}\noutputs: {m: {}}\n",
        errors=[("no-inputs", "nodes.b", "A")],
    )
    case(
        "share misuse and a dangling share together",
        "graphspec: 1\ninputs:\n  left: {shape: [null, 16]}\n  right: {shape: [null, 16]}\nnodes:\n  left_enc: {layer: LSTM, inputs: left, units: 8}\n  right_enc: {share: left_enc, inputs: right, «A»units: 16}\n  third: {share: «B»ghost, inputs: right}\n  merged: {layer: Concatenate, inputs: [left_enc, right_enc, third]}\noutputs:\n  merged: {}\n",
        errors=[("bad-share", "nodes.right_enc.units", "A"), ("unknown-reference", "nodes.third.share", "B")],
    )
    case(
        "sharing a node whose layer is unknown reports the layer only",
        "graphspec: 1\ninputs: {l: {shape: [8]}, r: {shape: [8]}}\nnodes:\n  a: {layer: «A»Dence, inputs: l, units: 4}\n  b: {share: a, inputs: r}\n  m: {layer: Add, inputs: [a, b]}\noutputs: {m: {}}\n",
        errors=[("unknown-layer", "nodes.a.layer", "A")],
    )
    case(
        "a shared layer called on an incompatible shape",
        "graphspec: 1\ninputs: {l: {shape: [8]}, r: {shape: [4]}}\nnodes:\n  a: {layer: Dense, inputs: l, units: 2}\n  b: «A»{share: a, inputs: r}\n  c: {layer: Concatenate, inputs: [a, b]}\noutputs: {c: {}}\n",
        errors=[("shape-mismatch", "nodes.b", "A")],
    )
    case(
        "a shared wrapper",
        "graphspec: 1\ninputs: {l: {shape: [5, 8]}, r: {shape: [5, 8]}}\nnodes:\n  a: {layer: Bidirectional, inputs: l, wraps: {layer: LSTM, units: 4}}\n  b: {share: a, inputs: r}\n  m: {layer: Concatenate, inputs: [a, b]}\noutputs: {m: {}}\n",
        build=True,
        model={"params": 416, "inputs": ["l", "r"], "outputs": ["m"]},
    )


# ---------------------------------------------------------------------------
def layers() -> None:
    f = "layers"
    group(f, "layer: names a class of keras.layers, by class name only")
    for layer, args, inputs in [
        ("Dense", "units: 4", "{x: {shape: [8]}}"),
        ("Conv2D", "filters: 4, kernel_size: 3", "{x: {shape: [8, 8, 3]}}"),
        ("Convolution2D", "filters: 4, kernel_size: [3, 3]", "{x: {shape: [8, 8, 3]}}"),
        ("MaxPool2D", "pool_size: 2", "{x: {shape: [8, 8, 3]}}"),
        ("LSTM", "units: 4, return_sequences: true", "{x: {shape: [5, 8]}}"),
        ("GRU", "units: 4", "{x: {shape: [5, 8]}}"),
        ("Embedding", "input_dim: 100, output_dim: 4", "{x: {shape: [5], dtype: int32}}"),
        ("BatchNormalization", "momentum: 0.9", "{x: {shape: [8]}}"),
        ("LayerNormalization", "epsilon: 1.0e-6", "{x: {shape: [8]}}"),
        ("Flatten", "", "{x: {shape: [4, 4]}}"),
        ("Reshape", "target_shape: [2, 4]", "{x: {shape: [8]}}"),
        ("GlobalAveragePooling1D", "", "{x: {shape: [5, 8]}}"),
        ("Identity", "", "{x: {shape: [8]}}"),
        ("Activation", "activation: relu", "{x: {shape: [8]}}"),
        ("LeakyReLU", "negative_slope: 0.2", "{x: {shape: [8]}}"),
        ("RandomFlip", "mode: horizontal", "{x: {shape: [8, 8, 3]}}"),
    ]:
        sep = ", " if args else ""
        case(f"{layer}", one("{layer: %s, inputs: x%s%s}" % (layer, sep, args), inputs=inputs))
    case(
        "MultiHeadAttention takes query and value",
        one("{layer: MultiHeadAttention, inputs: [x, x], num_heads: 2, key_dim: 4}", inputs="{x: {shape: [5, 8]}}"),
        build=True,
        model={"params": 288, "inputs": ["x"], "outputs": ["h"]},
    )
    case(
        "Dot takes a list",
        "graphspec: 1\ninputs: {a: {shape: [4]}, b: {shape: [4]}}\nnodes:\n  h: {layer: Dot, inputs: [a, b], axes: 1}\noutputs: {h: {}}\n",
        build=True,
        model={"params": 0, "inputs": ["a", "b"], "outputs": ["h"]},
    )

    group(f, "unknown layers")
    case("a typo", one("{layer: «A»Dence, inputs: x, units: 4}"), errors=[("unknown-layer", "nodes.h.layer", "A")])
    case(
        "the wrong case",
        one("{layer: «A»dense, inputs: x, units: 4}"),
        errors=[("unknown-layer", "nodes.h.layer", "A")],
    )
    case(
        "an import path",
        one("{layer: «A»keras.layers.Dense, inputs: x, units: 4}"),
        errors=[("unknown-layer", "nodes.h.layer", "A")],
    )
    case(
        "a module:function path",
        one('{layer: «A»"os:system", inputs: x}'),
        errors=[("unknown-layer", "nodes.h.layer", "A")],
    )
    case(
        "a registered-name path",
        one('{layer: «A»"custom>Evil", inputs: x}'),
        errors=[("unknown-layer", "nodes.h.layer", "A")],
    )
    case("the empty string", one('{layer: «A»"", inputs: x}'), errors=[("unknown-layer", "nodes.h.layer", "A")])
    case(
        "a Keras function, not a class",
        one("{layer: «A»concatenate, inputs: [x, x]}"),
        errors=[("unknown-layer", "nodes.h.layer", "A")],
    )
    case("a model class", one("{layer: «A»Sequential, inputs: x}"), errors=[("unknown-layer", "nodes.h.layer", "A")])
    case("a number", one("{layer: «A»5, inputs: x}"), errors=[("wrong-type", "nodes.h.layer", "A")])
    case("a list", one("{layer: «A»[Dense], inputs: x}"), errors=[("wrong-type", "nodes.h.layer", "A")])
    case(
        "a Keras-serialized layer mapping",
        one("{layer: «A»{class_name: Dense, config: {units: 4}}, inputs: x}"),
        errors=[("wrong-type", "nodes.h.layer", "A")],
    )
    case("layer: null and no share", one("«A»{layer: null, inputs: x}"), errors=[("missing-key", "nodes.h", "A")])
    case("no layer key", one("«A»{inputs: x, units: 4}"), errors=[("missing-key", "nodes.h", "A")])
    case("a node as a string", one("«A»Dense"), errors=[("wrong-type", "nodes.h", "A")])
    case("a node as null", one("«A»null"), errors=[("wrong-type", "nodes.h", "A")])

    group(f, "layers that carry or load code, and abstract classes, are refused")
    for layer, extra in [
        ("Lambda", ', function: "lambda t: t * 2"'),
        ("TFSMLayer", ", filepath: /tmp/evil, call_endpoint: serve"),
        ("TorchModuleWrapper", ", module: os"),
        ("JaxLayer", ", call_fn: os.system"),
        ("FlaxLayer", ", module: os"),
        ("InputLayer", ", shape: [8]"),
        ("Layer", ""),
        ("Wrapper", ", wraps: {layer: Dense, units: 1}"),
    ]:
        case(
            f"{layer} is refused",
            one("{layer: «A»%s, inputs: x%s}" % (layer, extra)),
            errors=[("refused-layer", "nodes.h.layer", "A")],
        )
    case(
        "Lambda without arguments is refused",
        one("{layer: «A»Lambda, inputs: x}"),
        errors=[("refused-layer", "nodes.h.layer", "A")],
    )


# ---------------------------------------------------------------------------
def arguments() -> None:
    f = "arguments"
    group(f, "arguments are checked against the layer's constructor")
    case(
        "typos",
        one("«A»{layer: Dense, inputs: x, «B»unit: 4, «C»activaton: relu}"),
        errors=[
            ("missing-argument", "nodes.h", "A"),
            ("unknown-argument", "nodes.h.unit", "B"),
            ("unknown-argument", "nodes.h.activaton", "C"),
        ],
    )
    case(
        "input_shape belongs in inputs",
        one("{layer: Dense, inputs: x, units: 4, «A»input_shape: [8]}"),
        errors=[("unknown-argument", "nodes.h.input_shape", "A")],
    )
    case(
        "batch_size belongs in inputs",
        one("{layer: Dense, inputs: x, units: 4, «A»batch_size: 8}"),
        errors=[("unknown-argument", "nodes.h.batch_size", "A")],
    )
    case(
        "name is the node's key",
        one("{layer: Dense, inputs: x, units: 4, «A»name: foo}"),
        errors=[("unknown-argument", "nodes.h.name", "A")],
    )
    case(
        "name is the node's key for a pooling layer too",
        one("{layer: MaxPooling1D, inputs: x, «A»name: foo}", inputs="{x: {shape: [8, 4]}}"),
        errors=[("unknown-argument", "nodes.h.name", "A")],
    )
    case(
        "name is the node's key for a lookup layer too",
        one(
            "{layer: StringLookup, inputs: x, vocabulary: [a, b], «A»name: foo}",
            inputs="{x: {shape: [1], dtype: string}}",
        ),
        errors=[("unknown-argument", "nodes.h.name", "A")],
    )
    # `args` is no key of the format: it is an (unknown) argument, and Dense's units is really missing.
    case(
        "args is not a key of the format",
        one("«B»{layer: Dense, inputs: x, «A»args: {units: 4}}"),
        errors=[("unknown-argument", "nodes.h.args", "A"), ("missing-argument", "nodes.h", "B")],
    )
    case(
        "args: beside real arguments does not turn them into unknown keys",
        one("{layer: Dense, inputs: x, units: 4, «A»args: 5}"),
        errors=[("unknown-argument", "nodes.h.args", "A")],
    )
    case(
        "a layer without arguments takes none",
        one("{layer: Flatten, inputs: x, «A»units: 4}", inputs="{x: {shape: [2, 4]}}"),
        errors=[("unknown-argument", "nodes.h.units", "A")],
    )
    case(
        "base layer arguments",
        one(
            "{layer: Dense, inputs: x, units: 4, trainable: false, dtype: float64, autocast: false, activity_regularizer: l2}"
        ),
    )
    case(
        "missing required arguments",
        one("«A»{layer: Embedding, inputs: x}", inputs="{x: {shape: [5], dtype: int32}}"),
        errors=[("missing-argument", "nodes.h", "A"), ("missing-argument", "nodes.h", "A")],
    )
    case(
        "missing kernel_size",
        one("«A»{layer: Conv1D, inputs: x, filters: 4}", inputs="{x: {shape: [10, 8]}}"),
        errors=[("missing-argument", "nodes.h", "A")],
    )
    case(
        "missing argument in block style points at the node",
        "graphspec: 1\ninputs: {x: {shape: [8]}}\nnodes:\n  h:\n    «A»layer: Dense\n    inputs: x\noutputs: {h: {}}\n",
        errors=[("missing-argument", "nodes.h", "A")],
    )

    group(f, "argument values")
    for value, code in [
        ("0", "bad-value"),
        ("-3", "bad-value"),
        ("true", "wrong-type"),
        ("[4]", "wrong-type"),
        ('"16"', "wrong-type"),
        ("1e1", "wrong-type"),
        ("null", "wrong-type"),
    ]:
        case(
            f"units: {value}",
            one("{layer: Dense, inputs: x, units: «A»%s}" % value),
            errors=[(code, "nodes.h.units", "A")],
        )
    case(
        "units as a mapping",
        one("{layer: Dense, inputs: x, units: «A»{a: 1}}"),
        errors=[("wrong-type", "nodes.h.units", "A"), ("bad-argument", "nodes.h.units", "A")],
    )
    for value, code in [
        ("1", "bad-value"),
        ("1.5", "bad-value"),
        ("-0.1", "bad-value"),
        ('"0.5"', "wrong-type"),
        ("true", "wrong-type"),
    ]:
        case(
            f"Dropout rate {value}",
            one("{layer: Dropout, inputs: x, rate: «A»%s}" % value),
            errors=[(code, "nodes.h.rate", "A")],
        )
    case(
        "Dropout rate 0 and 0.99",
        "graphspec: 1\ninputs: {x: {shape: [8]}}\nnodes:\n  a: {layer: Dropout, inputs: x, rate: 0}\n  h: {layer: Dropout, inputs: a, rate: 0.99}\noutputs: {h: {}}\n",
    )
    case(
        "kernel_size with a zero",
        one("{layer: Conv1D, inputs: x, filters: 4, kernel_size: «A»[3, 0]}", inputs="{x: {shape: [10, 8]}}"),
        errors=[("bad-value", "nodes.h.kernel_size", "A")],
    )
    case(
        "kernel_size empty list",
        one("{layer: Conv1D, inputs: x, filters: 4, kernel_size: «A»[]}", inputs="{x: {shape: [10, 8]}}"),
        errors=[("bad-value", "nodes.h.kernel_size", "A")],
    )
    case(
        "kernel_size as a string",
        one('{layer: Conv1D, inputs: x, filters: 4, kernel_size: «A»"3"}', inputs="{x: {shape: [10, 8]}}"),
        errors=[("wrong-type", "nodes.h.kernel_size", "A")],
    )
    case(
        "padding as a number",
        one("{layer: Conv1D, inputs: x, filters: 4, kernel_size: 3, padding: «A»1}", inputs="{x: {shape: [10, 8]}}"),
        errors=[("wrong-type", "nodes.h.padding", "A")],
    )
    case(
        "use_bias as a number",
        one("{layer: Dense, inputs: x, units: 4, use_bias: «A»1}"),
        errors=[("wrong-type", "nodes.h.use_bias", "A")],
    )
    case(
        "epsilon as a string",
        one('{layer: LayerNormalization, inputs: x, epsilon: «A»"1e-6"}'),
        errors=[("wrong-type", "nodes.h.epsilon", "A")],
    )
    case("momentum as an integer is a number", one("{layer: BatchNormalization, inputs: x, momentum: 1}"))
    case(
        "trainable: no",
        one("{layer: Dense, inputs: x, units: 4, trainable: «A»no}"),
        errors=[("wrong-type", "nodes.h.trainable", "A")],
    )
    case(
        "trainable as a string",
        one('{layer: Dense, inputs: x, units: 4, trainable: «A»"false"}'),
        errors=[("wrong-type", "nodes.h.trainable", "A")],
    )
    case(
        "autocast: off",
        one("{layer: Dense, inputs: x, units: 4, autocast: «A»off}"),
        errors=[("wrong-type", "nodes.h.autocast", "A")],
    )
    case(
        "unknown dtype",
        one("{layer: Dense, inputs: x, units: 4, dtype: «A»float8}"),
        errors=[("bad-argument", "nodes.h.dtype", "A")],
    )
    case(
        "dtype as a list",
        one("{layer: Dense, inputs: x, units: 4, dtype: «A»[float32]}"),
        errors=[("bad-argument", "nodes.h.dtype", "A")],
    )
    case("dtype policy by name", one("{layer: Dense, inputs: x, units: 4, dtype: mixed_float16}"))
    case(
        "a mapping where a list is expected",
        one("{layer: Reshape, inputs: x, target_shape: «A»{a: 1}}"),
        errors=[("bad-argument", "nodes.h.target_shape", "A")],
    )
    case(
        "a mapping deep in a list",
        one("{layer: Normalization, inputs: x, mean: [[«A»{a: 1}]]}"),
        errors=[("bad-argument", "nodes.h.mean[0][0]", "A")],
    )
    case("a list with nulls", one("{layer: Dropout, inputs: x, rate: 0.5, noise_shape: [null, 8]}"))
    case("null for an optional argument", one("{layer: Dense, inputs: x, units: 4, activation: null, use_bias: null}"))
    case(
        "a Dense called on two tensors",
        "graphspec: 1\ninputs: {l: {shape: [8]}, r: {shape: [8]}}\nnodes:\n  a: «A»{layer: Dense, inputs: [l, r], units: 2}\noutputs: {a: {}}\n",
        errors=[("shape-mismatch", "nodes.a", "A")],
    )
    case(
        "incompatible shapes in a merge",
        "graphspec: 1\ninputs:\n  text: {shape: [16, 8]}\n  other: {shape: [4]}\nnodes:\n  text_enc: {layer: LSTM, inputs: text, units: 32}\n  q_emb: {layer: Dense, inputs: other, units: 8}\n  q_seq: {layer: RepeatVector, inputs: q_emb, n: 16}\n  merged: «A»{layer: Concatenate, inputs: [text_enc, q_seq]}\noutputs:\n  merged: {}\n",
        errors=[("shape-mismatch", "nodes.merged", "A")],
    )
    case(
        "a padding that is not one of the choices",
        one(
            "{layer: Conv1D, inputs: x, filters: 4, kernel_size: 3, padding: «A»valid_}", inputs="{x: {shape: [10, 8]}}"
        ),
        errors=[("bad-value", "nodes.h.padding", "A")],
    )
    case(
        "a Dense on a scalar input",
        one("«A»{layer: Dense, inputs: x, units: 4}", inputs="{x: {shape: []}}"),
        errors=[("shape-mismatch", "nodes.h", "A")],
    )
    case(
        "a value only Keras rejects fails at build, naming the node",
        one("«A»{layer: Dropout, inputs: x, rate: 0.5, seed: 1.5}"),
        build=True,
        errors=[("keras-error", "nodes.h", "A")],
    )
    case(
        "an object config only Keras rejects fails at build, naming the argument",
        one(
            "{layer: Dense, inputs: x, units: 4, kernel_initializer: «A»{class_name: VarianceScaling, config: {mode: sideways}}}"
        ),
        build=True,
        errors=[("keras-error", "nodes.h.kernel_initializer", "A")],
    )


# ---------------------------------------------------------------------------
def objects() -> None:
    f = "objects"

    def arg(text: str, layer: str = "Dense, units: 4") -> str:
        return one("{layer: %s, inputs: x, %s}" % (layer, text))

    group(f, "activations: a name from the allow-list, or {class_name, config}")
    case("activation by name", arg("activation: relu"))
    case(
        "every argument ending in activation",
        one(
            "{layer: LSTM, inputs: x, units: 4, activation: tanh, recurrent_activation: hard_sigmoid}",
            inputs="{x: {shape: [5, 8]}}",
        ),
    )
    case("unknown activation name", arg("activation: «A»relu2"), errors=[("unknown-object", "nodes.h.activation", "A")])
    case("wrong case", arg("activation: «A»ReLU"), errors=[("unknown-object", "nodes.h.activation", "A")])
    case("the empty string", arg('activation: «A»""'), errors=[("unknown-object", "nodes.h.activation", "A")])
    case("a number", arg("activation: «A»5"), errors=[("wrong-type", "nodes.h.activation", "A")])
    case("a list", arg("activation: «A»[relu]"), errors=[("wrong-type", "nodes.h.activation", "A")])
    case("a mapping with class_name only", arg("activation: {class_name: relu}"))
    case("a mapping with an empty config", arg("activation: {class_name: relu, config: {}}"))
    case(
        "a function activation takes no config",
        arg("activation: {class_name: relu, config: «A»{negative_slope: 0.1}}"),
        errors=[("bad-argument", "nodes.h.activation.config", "A")],
    )
    case(
        "a layer class is not an activation",
        arg("activation: {class_name: «A»LeakyReLU}"),
        errors=[("unknown-object", "nodes.h.activation.class_name", "A")],
    )
    case(
        "mapping without class_name",
        arg("activation: «A»{config: {}}"),
        errors=[("missing-key", "nodes.h.activation", "A")],
    )
    case(
        "class_name as a number",
        arg("activation: {class_name: «A»5}"),
        errors=[("wrong-type", "nodes.h.activation.class_name", "A")],
    )
    case(
        "config as a string",
        arg("activation: {class_name: relu, config: «A»x}"),
        errors=[("wrong-type", "nodes.h.activation.config", "A")],
    )
    case(
        "recurrent activation typo",
        one("{layer: GRU, inputs: x, units: 4, recurrent_activation: «A»sigmoidd}", inputs="{x: {shape: [5, 8]}}"),
        errors=[("unknown-object", "nodes.h.recurrent_activation", "A")],
    )

    group(f, "initializers")
    case("by function name", arg("kernel_initializer: he_normal"))
    case("by class name", arg("kernel_initializer: HeNormal"))
    case(
        "unknown initializer name",
        arg("kernel_initializer: «A»he_normall"),
        errors=[("unknown-object", "nodes.h.kernel_initializer", "A")],
    )
    case(
        "class with config",
        arg(
            "kernel_initializer: {class_name: VarianceScaling, config: {scale: 2.0, mode: fan_in, distribution: truncated_normal}}"
        ),
    )
    case(
        "config typo",
        arg("kernel_initializer: {class_name: VarianceScaling, config: {scale: 2.0, «A»modee: fan_in}}"),
        errors=[("unknown-argument", "nodes.h.kernel_initializer.config.modee", "A")],
    )
    case(
        "unknown class",
        arg("kernel_initializer: {class_name: «A»Glorot}"),
        errors=[("unknown-object", "nodes.h.kernel_initializer.class_name", "A")],
    )
    case(
        "a mapping inside config",
        arg("kernel_initializer: {class_name: Orthogonal, config: {seed: «A»{class_name: SeedGenerator}}}"),
        errors=[("bad-argument", "nodes.h.kernel_initializer.config.seed", "A")],
    )
    case(
        "a mapping inside a list in config",
        arg("bias_initializer: {class_name: Constant, config: {value: [0, «A»{a: 1}]}}"),
        errors=[("bad-argument", "nodes.h.bias_initializer.config.value[1]", "A")],
    )
    case(
        "config as a list",
        arg("kernel_initializer: {class_name: HeNormal, config: «A»[1]}"),
        errors=[("wrong-type", "nodes.h.kernel_initializer.config", "A")],
    )
    case(
        "every argument ending in initializer",
        one(
            "{layer: BatchNormalization, inputs: x, beta_initializer: zeros, gamma_initializer: ones, moving_mean_initializer: zeros, moving_variance_initializer: ones}"
        ),
    )
    case(
        "recurrent initializer",
        one("{layer: LSTM, inputs: x, units: 4, recurrent_initializer: orthogonal}", inputs="{x: {shape: [5, 8]}}"),
    )
    case(
        "embeddings initializer typo",
        one(
            "{layer: Embedding, inputs: x, input_dim: 10, output_dim: 4, embeddings_initializer: «A»unifrom}",
            inputs="{x: {shape: [5], dtype: int32}}",
        ),
        errors=[("unknown-object", "nodes.h.embeddings_initializer", "A")],
    )

    group(f, "regularizers and constraints")
    case("l2 by name", arg("kernel_regularizer: l2"))
    case("L1L2 with config", arg("kernel_regularizer: {class_name: L1L2, config: {l1: 0.01, l2: 0.01}}"))
    case("activity regularizer (a base argument)", arg("activity_regularizer: {class_name: L1, config: {l1: 0.001}}"))
    case(
        "unknown regularizer",
        arg("kernel_regularizer: «A»l3"),
        errors=[("unknown-object", "nodes.h.kernel_regularizer", "A")],
    )
    case(
        "regularizer config typo",
        arg("kernel_regularizer: {class_name: L2, config: {«A»l3: 0.1}}"),
        errors=[("unknown-argument", "nodes.h.kernel_regularizer.config.l3", "A")],
    )
    case(
        "unknown activity regularizer",
        arg("activity_regularizer: «A»l9"),
        errors=[("unknown-object", "nodes.h.activity_regularizer", "A")],
    )
    case("max_norm by name", arg("kernel_constraint: max_norm"))
    case(
        "MinMaxNorm with config",
        arg("kernel_constraint: {class_name: MinMaxNorm, config: {min_value: 0.0, max_value: 1.0, rate: 1.0}}"),
    )
    case(
        "unknown constraint",
        arg("kernel_constraint: «A»nonneg"),
        errors=[("unknown-object", "nodes.h.kernel_constraint", "A")],
    )
    case(
        "constraint config typo",
        arg("bias_constraint: {class_name: MaxNorm, config: {«A»max_val: 2}}"),
        errors=[("unknown-argument", "nodes.h.bias_constraint.config.max_val", "A")],
    )
    case(
        "embeddings regularizer and constraint",
        one(
            "{layer: Embedding, inputs: x, input_dim: 10, output_dim: 4, embeddings_regularizer: l1, embeddings_constraint: unit_norm}",
            inputs="{x: {shape: [5], dtype: int32}}",
        ),
    )
    case(
        "objects are built when the model is built",
        one(
            "{layer: Dense, inputs: x, units: 4, activation: {class_name: gelu}, kernel_initializer: {class_name: HeNormal, config: {seed: 7}}, kernel_regularizer: {class_name: L2, config: {l2: 0.001}}, kernel_constraint: {class_name: MaxNorm, config: {max_value: 2}}}"
        ),
        build=True,
        model={"params": 36, "inputs": ["x"], "outputs": ["h"]},
    )


# ---------------------------------------------------------------------------
def losses_metrics_optimizers() -> None:
    f = "losses_metrics_optimizers"
    group(f, "losses")
    case("by function name", out1("{h: {loss: mse}}"))
    case("by class name", out1("{h: {loss: MeanSquaredError}}"))
    case("unknown loss", out1("{h: {loss: «A»msee}}"), errors=[("unknown-object", "outputs.h.loss", "A")])
    case("loss class with config", out1("{h: {loss: {class_name: Huber, config: {delta: 2.0}}}}"))
    case(
        "loss config typo",
        out1("{h: {loss: {class_name: Huber, config: {«A»deltaa: 1.0}}}}"),
        errors=[("unknown-argument", "outputs.h.loss.config.deltaa", "A")],
    )
    case(
        "unknown loss class",
        out1("{h: {loss: {class_name: «A»Huberr}}}"),
        errors=[("unknown-object", "outputs.h.loss.class_name", "A")],
    )
    case(
        "a function loss takes no config",
        out1("{h: {loss: {class_name: huber, config: «A»{delta: 1.0}}}}"),
        errors=[("bad-argument", "outputs.h.loss.config", "A")],
    )
    case(
        "loss class_name as a number",
        out1("{h: {loss: {class_name: «A»5}}}"),
        errors=[("wrong-type", "outputs.h.loss.class_name", "A")],
    )
    case(
        "loss mapping without class_name",
        out1("{h: {loss: «A»{config: {}}}}"),
        errors=[("missing-key", "outputs.h.loss", "A")],
    )
    case(
        "loss with a module key",
        out1("{h: {loss: {class_name: Huber, «A»module: os}}}"),
        errors=[("unknown-key", "outputs.h.loss.module", "A")],
    )
    case("loss as a list", out1("{h: {loss: «A»[mse]}}"), errors=[("wrong-type", "outputs.h.loss", "A")])
    case("loss as a number", out1("{h: {loss: «A»5}}"), errors=[("wrong-type", "outputs.h.loss", "A")])
    case("null is no loss", out1("{h: {loss: null}}"))
    case(
        "a mapping in a loss config",
        out1("{h: {loss: {class_name: Huber, config: {dtype: «A»{name: float32}}}}}"),
        errors=[("bad-argument", "outputs.h.loss.config.dtype", "A")],
    )

    group(f, "metrics")
    # Classification metrics on an mse output are lint warnings (metric-on-regression), not catalogue errors.
    case(
        "the special names Keras resolves from the loss",
        out1("{h: {loss: mse, metrics: [acc, accuracy, ce, crossentropy]}}"),
        warnings=[("metric-on-regression", f"outputs.h.metrics[{i}]") for i in range(4)],
    )
    case(
        "functions and classes",
        out1("{h: {loss: mse, metrics: [mae, AUC, {class_name: TopKCategoricalAccuracy, config: {k: 2}}]}}"),
        warnings=[("metric-on-regression", "outputs.h.metrics[1]"), ("metric-on-regression", "outputs.h.metrics[2]")],
    )
    case(
        "unknown metric", out1("{h: {metrics: [«A»accurcy]}}"), errors=[("unknown-object", "outputs.h.metrics[0]", "A")]
    )
    case(
        "unknown names at their index",
        out1("{h: {metrics: [acc, «A»foo, «B»bar]}}"),
        errors=[("unknown-object", "outputs.h.metrics[1]", "A"), ("unknown-object", "outputs.h.metrics[2]", "B")],
    )
    case(
        "null and a number",
        out1("{h: {metrics: [«A»null, «B»5]}}"),
        errors=[("wrong-type", "outputs.h.metrics[0]", "A"), ("wrong-type", "outputs.h.metrics[1]", "B")],
    )
    case(
        "metric config typo",
        out1("{h: {metrics: [{class_name: AUC, config: {«A»num_threshold: 10}}]}}"),
        errors=[("unknown-argument", "outputs.h.metrics[0].config.num_threshold", "A")],
    )
    case(
        "a class with a required argument, configured",
        out1("{h: {metrics: [{class_name: MeanIoU, config: {num_classes: 3}}]}}"),
    )
    case(
        "a class with a required argument left out of config",
        out1("{h: {metrics: [{class_name: MeanIoU, config: «A»{ignore_class: 0}}]}}"),
        errors=[("missing-argument", "outputs.h.metrics[0].config", "A")],
    )
    case(
        "a class with a required argument, by name",
        out1("{h: {metrics: [«A»MeanIoU]}}"),
        errors=[("missing-argument", "outputs.h.metrics[0]", "A")],
    )
    case(
        "another class with a required argument, by name",
        out1("{h: {metrics: [«A»PrecisionAtRecall]}}"),
        errors=[("missing-argument", "outputs.h.metrics[0]", "A")],
    )
    case(
        "metric with a module key",
        out1("{h: {metrics: [{class_name: AUC, «A»module: keras.metrics}]}}"),
        errors=[("unknown-key", "outputs.h.metrics[0].module", "A")],
    )
    case("metrics without a loss", out1("{h: {metrics: [mae]}}"))

    group(f, "optimizers")
    case("default optimizer", out1("{h: {loss: mse}}", extra="compile: {}\n"))
    for name in ("adam", "Adam", "sgd", "SGD", "rmsprop", "adamw", "nadam", "lion"):
        case(f"optimizer {name}", out1("{h: {loss: mse}}", extra=f"compile: {{optimizer: {name}}}\n"))
    case(
        "unknown optimizer",
        out1("{h: {}}", extra="compile: {optimizer: «A»adamm}\n"),
        errors=[("unknown-object", "compile.optimizer", "A")],
    )
    case(
        "optimizer class with config",
        out1(
            "{h: {loss: mse}}",
            extra="compile: {optimizer: {class_name: Adam, config: {learning_rate: 0.01, beta_1: 0.8}}}\n",
        ),
    )
    case(
        "unknown optimizer class",
        out1("{h: {}}", extra="compile:\n  optimizer: {class_name: «A»Adamm, config: {learning_rate: 0.01}}\n"),
        errors=[("unknown-object", "compile.optimizer.class_name", "A")],
    )
    case(
        "optimizer config typo",
        out1("{h: {}}", extra="compile: {optimizer: {class_name: Adam, config: {«A»learning_rte: 0.01}}}\n"),
        errors=[("unknown-argument", "compile.optimizer.config.learning_rte", "A")],
    )
    case(
        "optimizer with a module key",
        out1("{h: {}}", extra="compile: {optimizer: {class_name: Adam, «A»module: os}}\n"),
        errors=[("unknown-key", "compile.optimizer.module", "A")],
    )
    case(
        "optimizer as a number",
        out1("{h: {}}", extra="compile: {optimizer: «A»5}\n"),
        errors=[("wrong-type", "compile.optimizer", "A")],
    )
    case(
        "an optimizer that wraps an inner optimizer is not on the allow-list",
        out1("{h: {}}", extra="compile: {optimizer: «A»LossScaleOptimizer}\n"),
        errors=[("unknown-object", "compile.optimizer", "A")],
    )
    case(
        "the abstract optimizer base class is not on the allow-list",
        out1("{h: {}}", extra="compile: {optimizer: «A»Optimizer}\n"),
        errors=[("unknown-object", "compile.optimizer", "A")],
    )
    case(
        "a learning-rate schedule as the optimizer's learning_rate",
        out1(
            "{h: {}}",
            extra="compile: {optimizer: {class_name: Adam, config: {learning_rate: {class_name: ExponentialDecay, config: {initial_learning_rate: 0.1, decay_steps: 10, decay_rate: 0.9}}}}}\n",
        ),
        build=True,
    )
    case(
        "an unknown schedule class",
        out1(
            "{h: {}}",
            extra="compile: {optimizer: {class_name: Adam, config: {learning_rate: {class_name: «A»ExponentialDecey, config: {}}}}}\n",
        ),
        errors=[("unknown-object", "compile.optimizer.config.learning_rate.class_name", "A")],
    )
    case(
        "a schedule argument with a typo",
        out1(
            "{h: {}}",
            extra="compile: {optimizer: {class_name: SGD, config: {learning_rate: {class_name: CosineDecay, config: {initial_learning_rate: 0.1, «A»decay_step: 10}}}}}\n",
        ),
        errors=[
            ("unknown-argument", "compile.optimizer.config.learning_rate.config.decay_step", "A"),
            ("missing-argument", "compile.optimizer.config.learning_rate.config", "?"),
        ],
    )
    case(
        "losses, metrics and optimizer are built and compiled",
        out1(
            "{h: {loss: {class_name: Huber, config: {delta: 2.0}}, loss_weight: 0.5, metrics: [mae, {class_name: AUC, config: {num_thresholds: 50}}]}}",
            extra="compile: {optimizer: {class_name: Adam, config: {learning_rate: 0.01}}, jit_compile: false, steps_per_execution: 2}\n",
        ),
        build=True,
        model={"params": 36, "inputs": ["x"], "outputs": ["h"]},
        warnings=[("metric-on-regression", "outputs.h.metrics[1]")],
    )


# ---------------------------------------------------------------------------
def nested_layers() -> None:
    f = "nested_layers"
    seq = "{x: {shape: [5, 8]}}"

    def w(node: str) -> str:
        return one(node, inputs=seq)

    group(f, "wrappers take a nested layer: wraps (Keras' layer), backward_layer, cell, cells, layers")
    case("TimeDistributed", w("{layer: TimeDistributed, inputs: x, wraps: {layer: Dense, units: 4, activation: relu}}"))
    case("Bidirectional", w("{layer: Bidirectional, inputs: x, wraps: {layer: LSTM, units: 4}, merge_mode: sum}"))
    case(
        "Bidirectional with a backward layer",
        w(
            "{layer: Bidirectional, inputs: x, wraps: {layer: LSTM, units: 4, return_sequences: true}, backward_layer: {layer: LSTM, units: 4, return_sequences: true, go_backwards: true}}"
        ),
    )
    case(
        "Bidirectional with backward_layer: null",
        w("{layer: Bidirectional, inputs: x, wraps: {layer: LSTM, units: 4}, backward_layer: null}"),
    )
    case("RNN with one cell", w("{layer: RNN, inputs: x, cell: {layer: LSTMCell, units: 4}}"))
    case(
        "RNN with a list of cells",
        w("{layer: RNN, inputs: x, cell: [{layer: LSTMCell, units: 4}, {layer: GRUCell, units: 4}]}"),
    )
    case(
        "RNN with StackedRNNCells",
        w("{layer: RNN, inputs: x, cell: {layer: StackedRNNCells, cells: [{layer: SimpleRNNCell, units: 4}]}}"),
    )
    case(
        "Pipeline",
        one(
            "{layer: Pipeline, inputs: x, layers: [{layer: Rescaling, scale: 0.5}, {layer: RandomFlip}]}",
            inputs="{x: {shape: [8, 8, 3]}}",
        ),
    )
    case("SpectralNormalization", one("{layer: SpectralNormalization, inputs: x, wraps: {layer: Dense, units: 4}}"))
    case(
        "a wrapper in a wrapper",
        w(
            "{layer: TimeDistributed, inputs: x, wraps: {layer: Dense, units: 4, kernel_initializer: {class_name: HeNormal, config: {seed: 1}}}}"
        ),
    )
    case(
        "wrappers build",
        "graphspec: 1\ninputs:\n  frames: {shape: [10, 16]}\nnodes:\n  per_step: {layer: TimeDistributed, inputs: frames, wraps: {layer: Dense, units: 8, activation: relu}}\n  context:\n    layer: Bidirectional\n    inputs: per_step\n    merge_mode: sum\n    wraps: {layer: LSTM, units: 6, return_sequences: true}\n    backward_layer: {layer: LSTM, units: 6, return_sequences: true, go_backwards: true}\n  pooled: {layer: GlobalAveragePooling1D, inputs: context}\n  label: {layer: Dense, inputs: pooled, units: 3, activation: softmax}\noutputs:\n  label: {loss: sparse_categorical_crossentropy, metrics: [accuracy]}\ncompile:\n  optimizer: {class_name: Adam, config: {learning_rate: 0.001}}\n",
        build=True,
        model={"params": 877, "inputs": ["frames"], "outputs": ["label"]},
    )
    case(
        "an RNN over cells builds",
        w("{layer: RNN, inputs: x, cell: [{layer: LSTMCell, units: 4}, {layer: GRUCell, units: 2}]}"),
        build=True,
        model={"params": 256, "inputs": ["x"], "outputs": ["h"]},
    )

    group(f, "nested layers are checked like nodes")
    case("missing wraps", w("«A»{layer: Bidirectional, inputs: x}"), errors=[("missing-argument", "nodes.h", "A")])
    case(
        "wraps as a class name",
        w("{layer: Bidirectional, inputs: x, wraps: «A»LSTM}"),
        errors=[("wrong-type", "nodes.h.wraps", "A")],
    )
    case(
        "wraps without layer",
        w("{layer: Bidirectional, inputs: x, wraps: «A»{units: 4}}"),
        errors=[("wrong-type", "nodes.h.wraps", "A")],
    )
    case(
        "wraps as a list",
        w("{layer: Bidirectional, inputs: x, wraps: «A»[{layer: LSTM, units: 4}]}"),
        errors=[("wrong-type", "nodes.h.wraps", "A")],
    )
    case(
        "wraps: null",
        w("{layer: Bidirectional, inputs: x, wraps: «A»null}"),
        errors=[("wrong-type", "nodes.h.wraps", "A")],
    )
    case(
        "nested layer missing an argument",
        w("{layer: Bidirectional, inputs: x, wraps: «A»{layer: LSTM}}"),
        errors=[("missing-argument", "nodes.h.wraps", "A")],
    )
    case(
        "nested layer with inputs",
        w("{layer: Bidirectional, inputs: x, wraps: {layer: LSTM, units: 4, «A»inputs: x}}"),
        errors=[("unknown-key", "nodes.h.wraps.inputs", "A")],
    )
    case(
        "nested layer with share",
        w("{layer: Bidirectional, inputs: x, wraps: {layer: LSTM, units: 4, «A»share: h}}"),
        errors=[("unknown-key", "nodes.h.wraps.share", "A")],
    )
    case(
        "nested layer with a name",
        w("{layer: Bidirectional, inputs: x, wraps: {layer: LSTM, units: 4, «A»name: f}}"),
        errors=[("unknown-argument", "nodes.h.wraps.name", "A")],
    )
    case(
        "nested unknown layer",
        w("{layer: Bidirectional, inputs: x, wraps: {layer: «A»LSTMM, units: 4}}"),
        errors=[("unknown-layer", "nodes.h.wraps.layer", "A")],
    )
    case(
        "nested layer: null",
        w("{layer: Bidirectional, inputs: x, wraps: {layer: «A»null, units: 4}}"),
        errors=[("wrong-type", "nodes.h.wraps.layer", "A")],
    )
    case(
        "nested argument typo",
        w("{layer: Bidirectional, inputs: x, wraps: {layer: LSTM, units: 4, «A»activaton: relu}}"),
        errors=[("unknown-argument", "nodes.h.wraps.activaton", "A")],
    )
    case(
        "nested argument value",
        w("{layer: TimeDistributed, inputs: x, wraps: {layer: Dense, units: «A»0}}"),
        errors=[("bad-value", "nodes.h.wraps.units", "A")],
    )
    case(
        "nested unknown object",
        w("{layer: Bidirectional, inputs: x, wraps: {layer: LSTM, units: 4, recurrent_initializer: «A»orthogonall}}"),
        errors=[("unknown-object", "nodes.h.wraps.recurrent_initializer", "A")],
    )
    case(
        "backward layer checked too",
        w(
            "{layer: Bidirectional, inputs: x, wraps: {layer: LSTM, units: 4}, backward_layer: {layer: LSTM, «A»unit: 4, go_backwards: true}}"
        ),
        errors=[
            ("unknown-argument", "nodes.h.backward_layer.unit", "A"),
            ("missing-argument", "nodes.h.backward_layer", "?"),
        ],
    )
    case("empty list of cells", w("{layer: RNN, inputs: x, cell: «A»[]}"), errors=[("wrong-type", "nodes.h.cell", "A")])
    case(
        "a cell given by name in a list",
        w("{layer: RNN, inputs: x, cell: [{layer: LSTMCell, units: 4}, «A»LSTMCell]}"),
        errors=[("wrong-type", "nodes.h.cell[1]", "A")],
    )
    case(
        "Pipeline layers as a mapping",
        one("{layer: Pipeline, inputs: x, layers: «A»{layer: Dense, units: 4}}"),
        errors=[("wrong-type", "nodes.h.layers", "A")],
    )
    case(
        "three levels deep",
        w(
            "{layer: Bidirectional, inputs: x, wraps: {layer: RNN, cell: {layer: LSTMCell, units: 4, kernel_initializer: «A»glorot}}}"
        ),
        errors=[("unknown-object", "nodes.h.wraps.cell.kernel_initializer", "A")],
    )
    case(
        "errors in two cells",
        w("{layer: RNN, inputs: x, cell: [{layer: «A»LSTMCel, units: 4}, {layer: GRUCell, «B»unit: 4, units: 2}]}"),
        errors=[("unknown-layer", "nodes.h.cell[0].layer", "A"), ("unknown-argument", "nodes.h.cell[1].unit", "B")],
    )
    case(
        "a wrapper needs a layer, not a node reference",
        "graphspec: 1\ninputs: {x: {shape: [5, 8]}}\nnodes:\n  enc: {layer: LSTM, inputs: x, units: 4}\n  h: {layer: Bidirectional, inputs: x, wraps: «A»enc}\noutputs: {h: {}, enc: {}}\n",
        errors=[("wrong-type", "nodes.h.wraps", "A")],
    )


# ---------------------------------------------------------------------------
def deserialization_payloads() -> None:
    f = "deserialization_payloads"
    group(
        f,
        "Keras deserializer payload shapes (CVE-2024-3660, CVE-2025-1550, CVE-2025-8747, CVE-2025-9906 and kin) never reach Keras",
    )
    case(
        "Lambda node with source code",
        one("{layer: «A»Lambda, inputs: x, function: \"lambda t: __import__('os').system('id') or t\"}"),
        errors=[("refused-layer", "nodes.h.layer", "A")],
    )
    case(
        "Lambda with a serialized __lambda__ function",
        one(
            '{layer: «A»Lambda, inputs: x, function: {class_name: __lambda__, config: {code: "4wEAAAAAAAAA", defaults: null, closure: null}}}'
        ),
        errors=[("refused-layer", "nodes.h.layer", "A")],
    )
    case(
        "Lambda nested in TimeDistributed",
        one(
            '{layer: TimeDistributed, inputs: x, wraps: {layer: «A»Lambda, function: "lambda t: t"}}',
            inputs="{x: {shape: [5, 8]}}",
        ),
        errors=[("refused-layer", "nodes.h.wraps.layer", "A")],
    )
    case(
        "Lambda as an RNN cell",
        one('{layer: RNN, inputs: x, cell: [{layer: «A»Lambda, function: "x"}]}', inputs="{x: {shape: [5, 8]}}"),
        errors=[("refused-layer", "nodes.h.cell[0].layer", "A")],
    )
    case(
        "TFSMLayer loading a SavedModel",
        one("{layer: «A»TFSMLayer, inputs: x, filepath: /tmp/evil, call_endpoint: serve}"),
        errors=[("refused-layer", "nodes.h.layer", "A")],
    )
    case(
        "TFSMLayer inside a Pipeline",
        one("{layer: Pipeline, inputs: x, layers: [{layer: Identity}, {layer: «A»TFSMLayer, filepath: /tmp/evil}]}"),
        errors=[("refused-layer", "nodes.h.layers[1].layer", "A")],
    )
    case(
        "TorchModuleWrapper",
        one("{layer: «A»TorchModuleWrapper, inputs: x, module: torch.nn.Linear}"),
        errors=[("refused-layer", "nodes.h.layer", "A")],
    )
    case(
        "JaxLayer",
        one("{layer: «A»JaxLayer, inputs: x, call_fn: os.system, init_fn: os.getcwd}"),
        errors=[("refused-layer", "nodes.h.layer", "A")],
    )
    case(
        "FlaxLayer",
        one("{layer: «A»FlaxLayer, inputs: x, module: flax.linen.Dense}"),
        errors=[("refused-layer", "nodes.h.layer", "A")],
    )
    case(
        "a layer named by import path",
        one("{layer: «A»keras.src.layers.core.lambda_layer.Lambda, inputs: x}"),
        errors=[("unknown-layer", "nodes.h.layer", "A")],
    )
    case(
        "a layer named by registered name",
        one('{layer: «A»"keras.layers>Lambda", inputs: x}'),
        errors=[("unknown-layer", "nodes.h.layer", "A")],
    )

    group(f, "module / registered_name / function payloads in object mappings")
    case(
        "activation calling keras.config.set_epsilon",
        one(
            "{layer: Dense, inputs: x, units: 4, activation: {class_name: «C»function, «A»module: keras.config, config: «B»set_epsilon}}"
        ),
        errors=[
            ("unknown-object", "nodes.h.activation.class_name", "C"),
            ("unknown-key", "nodes.h.activation.module", "A"),
            ("wrong-type", "nodes.h.activation.config", "B"),
        ],
    )
    case(
        "activation naming a config function",
        one("{layer: Dense, inputs: x, units: 4, activation: {class_name: «A»set_epsilon}}"),
        errors=[("unknown-object", "nodes.h.activation.class_name", "A")],
    )
    case(
        "activation by dotted name",
        one('{layer: Dense, inputs: x, units: 4, activation: «A»"keras.config.set_epsilon"}'),
        errors=[("unknown-object", "nodes.h.activation", "A")],
    )
    case(
        "activation builtins eval",
        one(
            '{layer: Dense, inputs: x, units: 4, activation: {class_name: «C»eval, «A»module: builtins, config: «B»"1"}}'
        ),
        errors=[
            ("unknown-object", "nodes.h.activation.class_name", "C"),
            ("unknown-key", "nodes.h.activation.module", "A"),
            ("wrong-type", "nodes.h.activation.config", "B"),
        ],
    )
    case(
        "registered_name key",
        one('{layer: Dense, inputs: x, units: 4, activation: {class_name: relu, «A»registered_name: "os>system"}}'),
        errors=[("unknown-key", "nodes.h.activation.registered_name", "A")],
    )
    case(
        "initializer with module",
        one("{layer: Dense, inputs: x, units: 4, bias_initializer: {class_name: Zeros, «A»module: os}}"),
        errors=[("unknown-key", "nodes.h.bias_initializer.module", "A")],
    )
    case(
        "a full Keras-serialized initializer",
        one(
            "{layer: Dense, inputs: x, units: 4, kernel_initializer: {«A»module: keras.initializers, class_name: VarianceScaling, config: {scale: 1.0}, «B»registered_name: null}}"
        ),
        errors=[
            ("unknown-key", "nodes.h.kernel_initializer.module", "A"),
            ("unknown-key", "nodes.h.kernel_initializer.registered_name", "B"),
        ],
    )
    case(
        "initializer by registered name",
        one('{layer: Dense, inputs: x, units: 4, kernel_initializer: «A»"keras.src.ops>system"}'),
        errors=[("unknown-object", "nodes.h.kernel_initializer", "A")],
    )
    case(
        "__lambda__ as an activation name",
        one("{layer: Dense, inputs: x, units: 4, activation: «A»__lambda__}"),
        errors=[("unknown-object", "nodes.h.activation", "A")],
    )
    case(
        "__lambda__ as an activation class",
        one(
            '{layer: Dense, inputs: x, units: 4, activation: {class_name: «A»__lambda__, config: {code: "x", defaults: null, closure: null}}}'
        ),
        errors=[("unknown-object", "nodes.h.activation.class_name", "A")],
    )
    case(
        "__lambda__ mapping in a plain argument",
        one("{layer: Dense, inputs: x, units: 4, lora_rank: «A»{class_name: __lambda__, config: {code: x}}}"),
        errors=[("bad-argument", "nodes.h.lora_rank", "A")],
    )
    case(
        "metric with module",
        out1("{h: {metrics: [{class_name: «C»function, «A»module: keras.config, config: «B»set_epsilon}]}}"),
        errors=[
            ("unknown-object", "outputs.h.metrics[0].class_name", "C"),
            ("unknown-key", "outputs.h.metrics[0].module", "A"),
            ("wrong-type", "outputs.h.metrics[0].config", "B"),
        ],
    )
    case(
        "loss with module",
        out1("{h: {loss: {class_name: «C»function, «A»module: keras.config, config: «B»set_epsilon}}}"),
        errors=[
            ("unknown-object", "outputs.h.loss.class_name", "C"),
            ("unknown-key", "outputs.h.loss.module", "A"),
            ("wrong-type", "outputs.h.loss.config", "B"),
        ],
    )
    case(
        "optimizer with module",
        out1(
            "{h: {}}",
            extra="compile: {optimizer: {class_name: Adam, «A»module: keras.optimizers, registered_name: null}}\n",
        ),
        errors=[
            ("unknown-key", "compile.optimizer.module", "A"),
            ("unknown-key", "compile.optimizer.registered_name", "?"),
        ],
    )
    case(
        "a serialized object inside optimizer config",
        out1(
            "{h: {}}",
            extra="compile: {optimizer: {class_name: SGD, config: {momentum: «A»{class_name: function, module: keras.config, config: set_epsilon}}}}\n",
        ),
        errors=[("bad-argument", "compile.optimizer.config.momentum", "A")],
    )
    case(
        "a quantization config mapping",
        one(
            "{layer: Dense, inputs: x, units: 4, quantization_config: «A»{class_name: Int8QuantizationConfig, module: keras.quantizers}}"
        ),
        errors=[("bad-argument", "nodes.h.quantization_config", "A")],
    )
    case(
        "a Keras-serialized node",
        one(
            "«A»{class_name: Dense, config: {units: 4}, inbound_nodes: [[[x, 0, 0, {}]]]}",
            name="«C»h",
            outputs="{«D»h: {}}",
        ),
        errors=[
            ("missing-key", "nodes.h", "A"),
            ("no-inputs", "nodes.h", "C"),
            ("unreachable-output", "outputs.h", "D"),
        ],
    )

    group(f, "dtype-policy dicts")
    case(
        "DTypePolicy mapping as dtype",
        one("{layer: Dense, inputs: x, units: 4, dtype: «A»{class_name: DTypePolicy, config: {name: mixed_float16}}}"),
        errors=[("bad-argument", "nodes.h.dtype", "A")],
    )
    case(
        "fully serialized dtype policy",
        one(
            "{layer: Dense, inputs: x, units: 4, dtype: «A»{module: keras, class_name: FloatDTypePolicy, config: {name: float32}, registered_name: null}}"
        ),
        errors=[("bad-argument", "nodes.h.dtype", "A")],
    )
    case(
        "dtype policy mapping in a nested layer",
        one(
            "{layer: TimeDistributed, inputs: x, wraps: {layer: Dense, units: 4, dtype: «A»{class_name: DTypePolicy, config: {name: float32}}}}",
            inputs="{x: {shape: [5, 8]}}",
        ),
        errors=[("bad-argument", "nodes.h.wraps.dtype", "A")],
    )
    case(
        "dtype policy mapping in an object config",
        one(
            "{layer: Dense, inputs: x, units: 4, kernel_regularizer: {class_name: L2, config: {l2: 0.1, «A»dtype: «B»{class_name: DTypePolicy}}}}"
        ),
        errors=[
            ("unknown-argument", "nodes.h.kernel_regularizer.config.dtype", "A"),
            ("bad-argument", "nodes.h.kernel_regularizer.config.dtype", "B"),
        ],
    )
    case(
        "dtype policy mapping in a metric config",
        out1(
            "{h: {metrics: [{class_name: AUC, config: {dtype: «A»{class_name: DTypePolicy, config: {name: float32}}}}]}}"
        ),
        errors=[("bad-argument", "outputs.h.metrics[0].config.dtype", "A")],
    )
    case("a dtype policy by name is fine", one("{layer: Dense, inputs: x, units: 4, dtype: mixed_bfloat16}"))

    group(f, "lookup layers may not read vocabulary files")
    lookup = "{x: {shape: [1], dtype: string}}"
    case(
        "StringLookup vocabulary path",
        one("{layer: StringLookup, inputs: x, vocabulary: «A»/etc/passwd}", inputs=lookup),
        errors=[("bad-argument", "nodes.h.vocabulary", "A")],
    )
    case(
        "StringLookup vocabulary URL",
        one("{layer: StringLookup, inputs: x, vocabulary: «A»gs://bucket/vocab.txt}", inputs=lookup),
        errors=[("bad-argument", "nodes.h.vocabulary", "A")],
    )
    case(
        "IntegerLookup vocabulary path",
        one("{layer: IntegerLookup, inputs: x, vocabulary: «A»vocab.txt}", inputs="{x: {shape: [1], dtype: int64}}"),
        errors=[("bad-argument", "nodes.h.vocabulary", "A")],
    )
    case(
        "TextVectorization vocabulary path",
        one("{layer: TextVectorization, inputs: x, vocabulary: «A»vocab.txt}", inputs=lookup),
        errors=[("bad-argument", "nodes.h.vocabulary", "A")],
    )
    case(
        "StringLookup idf_weights path",
        one(
            "{layer: StringLookup, inputs: x, output_mode: tf_idf, vocabulary: [a], idf_weights: «A»weights.txt}",
            inputs=lookup,
        ),
        errors=[("bad-argument", "nodes.h.idf_weights", "A")],
    )
    case(
        "vocabulary path in a nested lookup",
        one(
            "{layer: TimeDistributed, inputs: x, wraps: {layer: StringLookup, vocabulary: «A»/etc/passwd}}",
            inputs="{x: {shape: [5, 1], dtype: string}}",
        ),
        errors=[("bad-argument", "nodes.h.wraps.vocabulary", "A")],
    )
    case(
        "vocabulary path through a merge key",
        "graphspec: 1\ninputs: {x: {shape: [1], dtype: string}}\nnodes:\n  h: {<<: {vocabulary: /etc/passwd}, layer: StringLookup, inputs: x}\noutputs: {h: {}}\n",
        errors=[("bad-argument", "nodes.h.vocabulary", "?")],
    )
    case(
        "vocabulary as a mapping",
        one("{layer: StringLookup, inputs: x, vocabulary: «A»{path: /etc/passwd}}", inputs=lookup),
        errors=[("bad-argument", "nodes.h.vocabulary", "A")],
    )
    case(
        "an inline vocabulary is fine",
        one("{layer: StringLookup, inputs: x, vocabulary: [a, b, /etc/passwd]}", inputs=lookup),
    )
    case(
        "an inline integer vocabulary is fine",
        one("{layer: IntegerLookup, inputs: x, vocabulary: [1, 2, 3]}", inputs="{x: {shape: [1], dtype: int64}}"),
    )
    case(
        "a string standardize callable mapping",
        one(
            "{layer: TextVectorization, inputs: x, standardize: «A»{class_name: function, module: os, config: system}}",
            inputs=lookup,
        ),
        errors=[("bad-argument", "nodes.h.standardize", "A"), ("wrong-type", "nodes.h.standardize", "A")],
    )

    group(f, "payloads in data handed in from Python")
    payload = {"class_name": "function", "module": "keras.config", "config": "set_epsilon"}
    case(
        "activation payload in data",
        data=mlp_data(nodes__h__activation=payload),
        errors=[
            ("unknown-object", "nodes.h.activation.class_name", None),
            ("unknown-key", "nodes.h.activation.module", None),
            ("wrong-type", "nodes.h.activation.config", None),
        ],
    )
    case(
        "Lambda in data",
        data=mlp_data(nodes__h={"layer": "Lambda", "inputs": "x", "function": "lambda t: t"}, nodes__y__units=2),
        errors=[("refused-layer", "nodes.h.layer", None)],
    )
    case(
        "dtype policy in data",
        data=mlp_data(nodes__h__dtype={"class_name": "DTypePolicy", "config": {"name": "float32"}}),
        errors=[("bad-argument", "nodes.h.dtype", None)],
    )
    case(
        "vocabulary file in data",
        data=mlp_data(nodes__h={"layer": "StringLookup", "inputs": "x", "vocabulary": "/etc/passwd"}),
        errors=[("bad-argument", "nodes.h.vocabulary", None)],
    )


# ---------------------------------------------------------------------------
def limits() -> None:
    f = "limits"
    bomb = "".join(f"{a}: &{a} [{', '.join(['*' + p] * 9)}]\n" for p, a in zip("abcdefgh", "bcdefghi", strict=True))
    group(f, "alias bombs are refused before anything walks the data")
    case(
        "billion laughs",
        'graphspec: 1\na: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
        + bomb.replace("i: &i [", "i: &i [«A»"),
        errors=[("yaml-alias", "", "A")],
    )
    case(
        "a bomb inside a layer argument",
        "graphspec: 1\ninputs: {x: {shape: [8]}}\nnodes:\n  h:\n    layer: Normalization\n    inputs: x\n    variance: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n    mean: [&b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a], &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b], &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c], [«A»*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]]\noutputs: {h: {}}\n",
        errors=[("yaml-alias", "", "A")],
    )
    case(
        "a small amount of aliasing is fine",
        "graphspec: 1\ninputs: {x: {shape: [8]}}\nnodes:\n  h:\n    layer: Normalization\n    inputs: x\n    variance: &a [1, 1, 1, 1, 1, 1, 1, 1, 1]\n    mean: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n  g: {layer: Normalization, inputs: h, mean: [*b, *b, *b, *b, *b, *b, *b, *b, *b]}\noutputs: {g: {}}\n",
    )
    case(
        "a list that contains itself",
        out1("{h: {}}", extra="description: &a [«A»*a]\n"),
        errors=[("yaml-alias", "", "A")],
    )
    case(
        "a mapping that contains itself",
        out1("{h: {}}", extra="description: &a {k: «A»*a}\n"),
        errors=[("yaml-alias", "", "A")],
    )
    case(
        "an alias before its anchor",
        "graphspec: 1\ninputs: {x: {shape: [8]}}\nnodes:\n  h: {layer: Dense, inputs: x, units: «A»*u}\n  g: {layer: Dense, inputs: h, units: &u 4}\noutputs: {g: {}}\n",
        errors=[("yaml-alias", "", "A")],
    )
    case(
        "anchors and merge keys share argument sets",
        "graphspec: 1\ninputs:\n  x: {shape: [32]}\nnodes:\n  h1: &dense {layer: Dense, inputs: x, units: 16, activation: relu}\n  h2: {<<: *dense, inputs: h1}\n  h3: {<<: *dense, inputs: h2, units: 8}\noutputs:\n  h3: {loss: mse}\n",
    )
    case(
        "deep nesting without any alias is not an alias bomb",
        "graphspec: 1\ninputs: {x: {shape: [8]}}\nnodes:\n  h: {layer: Normalization, inputs: x, mean: [[[[[[[[[[[[@ZEROS@0]]]]]]]]]]]]}\noutputs: {h: {}}\n",
        expand={"@ZEROS@": ["0, ", 1000]},
    )

    group(f, "nesting depth is bounded (64 levels by default)")
    case(
        "64 levels are fine",
        "graphspec: 1\ninputs: {x: {shape: [8]}}\nnodes:\n  h: {layer: Normalization, inputs: x, mean: @OPEN@1@CLOSE@}\noutputs: {h: {}}\n",
        expand={"@OPEN@": ["[", 61], "@CLOSE@": ["]", 61]},
    )
    case(
        "65 levels are too deep",
        "graphspec: 1\ninputs: {x: {shape: [8]}}\nnodes:\n  h: {layer: Normalization, inputs: x, mean: @OPEN@«A»[1]@CLOSE@}\noutputs: {h: {}}\n",
        expand={"@OPEN@": ["[", 61], "@CLOSE@": ["]", 61]},
        errors=[("too-deep", "", "A")],
    )
    case(
        "deep nesting under an unknown key",
        out1("{h: {}}", extra="pad: @OPEN@«A»[]@CLOSE@\n"),
        expand={"@OPEN@": ["[", 63], "@CLOSE@": ["]", 63]},
        errors=[("too-deep", "", "A")],
    )
    case(
        "a JSON text nested 100,000 deep",
        '{"graphspec": 1, "pad": @OPEN@«A»@MORE@@CLOSE@}\n',
        expand={"@OPEN@": ["[", 63], "@MORE@": ["[", 99937], "@CLOSE@": ["]", 100000]},
        errors=[("too-deep", "", "A")],
    )
    case(
        "deep JSON after escaped brackets in strings is reported where it passes the limit",
        '{"graphspec": 1, "a": "\\"[[[{{", "b": "]\\\\", "pad": @OPEN@«A»@MORE@@CLOSE@}\n',
        expand={"@OPEN@": ["[", 63], "@MORE@": ["[", 9937], "@CLOSE@": ["]", 10000]},
        errors=[("too-deep", "", "A")],
    )
    case(
        "aliases do not multiply the nesting limit",
        "graphspec: 1\ninputs: {x: {shape: [8]}}\nnodes:\n  h: {layer: Normalization, inputs: x, mean: &a0 @OPEN@1@CLOSE@, variance: [&a1 @OPEN@*a0@CLOSE@]}\noutputs: {h: {}}\n",
        expand={"@OPEN@": ["[", 55], "@CLOSE@": ["]", 55]},
        errors=[("too-deep", "", "?")],
    )
    anchors = "".join(f"    - &a{i} @OPEN@{'*a%d' % (i - 1) if i else '1'}@CLOSE@\n" for i in range(18))
    case(
        "nesting built from aliases deeper than Python's recursion limit",
        "graphspec: 1\ninputs: {x: {shape: [8]}}\nnodes:\n  n:\n    layer: Normalization\n    inputs: x\n    mean: [@ZEROS@0]\n    variance:\n"
        + anchors
        + "  h: {layer: Dense, inputs: n, units: *a17}\noutputs: {h: {}}\n",
        expand={"@OPEN@": ["[", 60], "@CLOSE@": ["]", 60], "@ZEROS@": ["0,", 250000]},
        recursion_limit=1000,
        errors=[("too-deep", "", "?")],
    )
    case(
        "a lower depth limit",
        "graphspec: 1\ninputs: {x: {shape: [8]}}\nnodes:\n  h: {layer: Normalization, inputs: x, mean: [«A»[1]]}\noutputs: {h: {}}\n",
        limits={"max_depth": 4},
        errors=[("too-deep", "", "A")],
    )
    deep: Any = []
    cur = deep
    for _ in range(61):
        nxt: list[Any] = []
        cur.append(nxt)
        cur = nxt
    case(
        "65 nested containers in data are too deep, as in text",
        data=mlp_data(
            nodes__h__mean=deep, nodes__h__layer="Normalization", nodes__h__units=_DELETE, nodes__h__activation=_DELETE
        ),
        errors=[("too-deep", "nodes.h.mean" + "[0]" * 61, None)],
    )

    group(f, "text size is bounded (1 MiB by default)")
    base = out1("{h: {}}")
    size = len(base.encode()) + 2
    case("exactly 1 MiB", base + "#@PAD@\n", expand={"@PAD@": ["x", (1 << 20) - size]})
    case(
        "1 MiB and one byte",
        base + "#@PAD@\n",
        expand={"@PAD@": ["x", (1 << 20) - size + 1]},
        errors=[("file-too-large", "", None)],
    )
    case(
        "the limit counts bytes, not characters",
        base + "#@PAD@\n",
        expand={"@PAD@": ["é", ((1 << 20) - size) // 2 + 1]},
        errors=[("file-too-large", "", None)],
    )
    case("a lower size limit", base, limits={"max_bytes": 64}, errors=[("file-too-large", "", None)])
    case(
        "a JSON text over the limit",
        '{"graphspec": 1, "description": "@PAD@"}\n',
        expand={"@PAD@": ["x", 1 << 20]},
        errors=[("file-too-large", "", None)],
    )


# ---------------------------------------------------------------------------
def json_format() -> None:
    f = "json_format"
    ok = '{\n  "graphspec": 1,\n  "inputs": {"x": {"shape": [8]}},\n  "nodes": {"h": {"layer": "Dense", "inputs": "x", "units": 4}},\n  "outputs": {"h": {}}%s\n}\n'

    def j(extra: str) -> str:
        return ok % extra

    group(f, "JSON text is held to JSON's own rules and read with positions")
    case("a valid JSON spec", j(""))
    case(
        "a one-line JSON spec",
        '{"graphspec": 1, "inputs": {"x": {"shape": [8]}}, "nodes": {"h": {"layer": "Dense", "inputs": "x", "units": 4}}, "outputs": {"h": {}}}\n',
    )
    case(
        "compact JSON without spaces",
        '{"graphspec":1,"inputs":{"x":{"shape":[8]}},"nodes":{"h":{"layer":"Dense","inputs":"x","units":4}},"outputs":{"h":{}}}\n',
    )
    case(
        "tabs as JSON whitespace",
        '{\n\t"graphspec": 1,\n\t"inputs": {"x": {"shape": [8]}},\n\t"nodes": {"h": {"layer": "Dense", "inputs": "x", "units": 4}},\n\t"outputs": {"h": {}}\n}\n',
    )
    case("CRLF line ends", j("").replace("\n", "\r\n"))
    case("leading blank lines", "\n\n" + j(""))
    case(
        "duplicate key",
        '{\n\t"graphspec": 1,\n\t"inputs": {"x": {"shape": [8]}},\n\t"nodes": {"h": {"layer": "Dense", "inputs": "x", "units": 10, «A»"units": 99999}},\n\t"outputs": {"h": {}}\n}\n',
        errors=[("duplicate-key", "nodes.h.units", "A")],
    )
    case(
        "duplicate top-level key",
        j(',\n  «A»"inputs": {"y": {"shape": [4]}}'),
        errors=[("duplicate-key", "inputs", "A")],
    )
    case(
        "duplicate key with CRLF line ends",
        j(',\n  «A»"graphspec": 1').replace("\n", "\r\n"),
        errors=[("duplicate-key", "graphspec", "A")],
    )
    case(
        "duplicate key spelt with a unicode escape",
        j(',\n  «A»"\\u0067raphspec": 1'),
        errors=[("duplicate-key", "graphspec", "A")],
    )
    case(
        "a key spelt with a unicode escape",
        '{"graphspec": 1, "inputs": {"x": {"shape": [8]}}, "nodes": {"h": {"layer": "Dense", "inputs": "x", "\\u0075nits": 4}}, "outputs": {"h": {}}}\n',
        loaded=[(["nodes", "h", "units"], 4)],
    )
    case("NaN", j(',\n  "description": «A»NaN'), errors=[("bad-value", "description", "A")])
    case("Infinity", j(',\n  "description": «A»Infinity'), errors=[("bad-value", "description", "A")])
    case(
        "-Infinity as units",
        '{"graphspec": 1, "inputs": {"x": {"shape": [8]}}, "nodes": {"h": {"layer": "Dense", "inputs": "x", "units": «A»-Infinity}}, "outputs": {"h": {}}}\n',
        errors=[("bad-value", "nodes.h.units", "A")],
    )
    case(
        "a number too large for a float",
        '{"graphspec": 1, "inputs": {"x": {"shape": [8]}}, "nodes": {"h": {"layer": "Normalization", "inputs": "x", "mean": «A»1e400}}, "outputs": {"h": {}}}\n',
        errors=[("bad-value", "nodes.h.mean", "A")],
    )
    case(
        "trailing comma in an object",
        '{"graphspec": 1, "inputs": {"x": {"shape": [8]},«A»}}\n',
        errors=[("syntax", "", "A")],
    )
    case(
        "trailing comma in an array",
        '{"graphspec": 1, "inputs": {"x": {"shape": [8,«A»]}}}\n',
        errors=[("syntax", "", "A")],
    )
    case("a comment", '{\n  «A»// the version\n  "graphspec": 1\n}\n', errors=[("syntax", "", "A")])
    # Text that opens like JSON ({") is held to JSON's rules; other text is YAML (see below).
    case("single quotes after a JSON key", "{\"graphspec\": 1, «A»'name': 'm'}\n", errors=[("syntax", "", "A")])
    case("unquoted keys after a JSON key", '{"graphspec": 1, «A»name: m}\n', errors=[("syntax", "", "A")])
    case("a raw tab inside a string", '{"graphspec": 1, "description": "a«A»\tb"}\n', errors=[("syntax", "", "A")])
    case(
        "a missing closing brace", '{"graphspec": 1, "inputs": {"x": {"shape": [8]}}\n«A»', errors=[("syntax", "", "A")]
    )
    case("a YAML alias inside JSON", '{"graphspec": 1, "name": «A»*a}\n', errors=[("syntax", "", "A")])
    case(
        "a YAML tag inside JSON",
        '{"graphspec": 1, "name": «A»!!python/object/apply:os.system ["id"]}\n',
        errors=[("syntax", "", "A")],
    )
    case("a JSON array at the top", "«A»[1, 2]\n", errors=[("wrong-type", "", "A")])

    group(f, "text that opens with a brace but is not JSON is YAML flow style")
    flow = (
        "{graphspec: 1, inputs: {x: {shape: [8]}}, nodes: {h: {layer: %s, inputs: x, units: 4%s}}, outputs: {h: {}}}\n"
    )
    case("YAML flow style with unquoted keys", flow % ("Dense", ""), loaded=[(["nodes", "h", "units"], 4)])
    case(
        "YAML flow style with single quotes",
        "{'graphspec': 1, 'inputs': {'x': {'shape': [8]}}, 'nodes': {'h': {'layer': 'Dense', 'inputs': 'x', 'units': 4}}, 'outputs': {'h': {}}}\n",
        loaded=[(["nodes", "h", "layer"], "Dense")],
    )
    case(
        "YAML flow style on several lines",
        "{\n  graphspec: 1,\n  inputs: {x: {shape: [8]}},\n  nodes: {h: {layer: Dense, inputs: x, units: 4}},\n  outputs: {h: {}},\n}\n",
    )
    case(
        "YAML flow style with a comment",
        "{  # a model\n  graphspec: 1, inputs: {x: {shape: [8]}}, nodes: {h: {layer: Dense, inputs: x, units: 4}}, outputs: {h: {}}}\n",
    )
    case(
        "YAML flow style keeps YAML positions",
        flow % ("«A»Dence", ""),
        errors=[("unknown-layer", "nodes.h.layer", "A")],
    )
    case(
        "YAML flow style reads YAML 1.2 scalars",
        flow % ("Dense", ", use_bias: «A»no"),
        errors=[("wrong-type", "nodes.h.use_bias", "A")],
    )
    case(
        "YAML flow style with an alias",
        "{graphspec: 1, inputs: {x: {shape: &s [8]}}, nodes: {h: {layer: Reshape, inputs: x, target_shape: *s}}, outputs: {h: {}}}\n",
    )
    case(
        "YAML flow style with a refused tag",
        flow % ("Dense", ", use_bias: «A»!!python/object/apply:os.system [id]"),
        errors=[("yaml-tag", "", "A")],
    )

    group(f, "JSON strings mean what JSON says")
    case("an escaped slash", j(',\n  "description": "a\\/b"'), loaded=[(["description"], "a/b")])
    case("an escaped tab", j(',\n  "description": "a\\tb"'), loaded=[(["description"], "a\tb")])
    case(
        "an emoji written as a surrogate pair escape",
        j(',\n  "description": "\\ud83d\\ude00"'),
        loaded=[(["description"], "\U0001f600")],
    )
    case("an emoji written raw", j(',\n  "description": "\U0001f600"'), loaded=[(["description"], "\U0001f600")])
    case("a raw DEL character", j(',\n  "description": "a\x7fb"'), loaded=[(["description"], "a\x7fb")])
    case("a raw C1 control character", j(',\n  "description": "a\x80b"'), loaded=[(["description"], "a\x80b")])
    case("a raw NEL character", j(',\n  "description": "a\x85 b"'), loaded=[(["description"], "a\x85 b")])
    case("a raw line separator", j(',\n  "description": "a\u2028 b"'), loaded=[(["description"], "a\u2028 b")])
    case("a raw no-break space", j(',\n  "description": "a\u00a0 b"'), loaded=[(["description"], "a\u00a0 b")])
    case("an escaped NEL", j(',\n  "description": "a\\u0085 b"'), loaded=[(["description"], "a\x85 b")])

    group(f, "JSON numbers keep their type")
    case(
        "1.0 is not an integer",
        '{"graphspec": 1, "inputs": {"x": {"shape": [8]}}, "nodes": {"h": {"layer": "Dense", "inputs": "x", "units": «A»4.0}}, "outputs": {"h": {}}}\n',
        errors=[("wrong-type", "nodes.h.units", "A")],
    )
    case(
        "1E2 is not an integer",
        '{"graphspec": 1, "inputs": {"x": {"shape": [8]}}, "nodes": {"h": {"layer": "Dense", "inputs": "x", "units": «A»1E2}}, "outputs": {"h": {}}}\n',
        errors=[("wrong-type", "nodes.h.units", "A")],
    )
    case(
        "a string is not a number",
        '{"graphspec": 1, "inputs": {"x": {"shape": [«A»"8"]}}, "nodes": {"h": {"layer": "Dense", "inputs": "x", "units": 4}}, "outputs": {"h": {}}}\n',
        errors=[("wrong-type", "inputs.x.shape[0]", "A")],
    )
    case(
        "true is a boolean",
        '{"graphspec": 1, "inputs": {"x": {"shape": [8]}}, "nodes": {"h": {"layer": "Dense", "inputs": "x", "units": 4, "use_bias": true}}, "outputs": {"h": {}}}\n',
        loaded=[(["nodes", "h", "use_bias"], True)],
    )
    case(
        "JSON null",
        '{"graphspec": 1, "inputs": {"x": {"shape": [null, 8]}}, "nodes": {"h": {"layer": "Dense", "inputs": "x", "units": 4, "activation": null}}, "outputs": {"h": null}}\n',
    )
    case(
        "strings that YAML 1.1 would read as booleans stay strings",
        '{"graphspec": 1, "inputs": {"x": {"shape": [8]}}, "nodes": {"h": {"layer": "Dense", "inputs": "x", "units": 4, "use_bias": «A»"no"}}, "outputs": {"h": {}}}\n',
        errors=[("wrong-type", "nodes.h.use_bias", "A")],
    )
    case(
        "-0 is an integer",
        '{"graphspec": 1, "inputs": {"x": {"shape": [8]}}, "nodes": {"h": {"layer": "Normalization", "inputs": "x", "mean": -0}}, "outputs": {"h": {}}}\n',
        loaded=[(["nodes", "h", "mean"], 0)],
    )
    case(
        "a big integer",
        '{"graphspec": 1, "inputs": {"x": {"shape": [8]}}, "nodes": {"h": {"layer": "Normalization", "inputs": "x", "mean": 123456789012345678901234567890}}, "outputs": {"h": {}}}\n',
        loaded=[(["nodes", "h", "mean"], 123456789012345678901234567890)],
    )
    case(
        "JSON errors in several places at once",
        '{\n  "graphspec": «A»2,\n  "inputs": {"x": {"shape": [8]}},\n  "nodes": {"h": {"layer": «B»"Dence", "inputs": «C»"xx", "units": 4}},\n  "outputs": {"h": {}}\n}\n',
        errors=[
            ("bad-version", "graphspec", "A"),
            ("unknown-layer", "nodes.h.layer", "B"),
            ("unknown-reference", "nodes.h.inputs", "C"),
        ],
    )


# ---------------------------------------------------------------------------
def outputs_compile() -> None:
    f = "outputs_compile"
    two = "graphspec: 1\ninputs: {x: {shape: [8]}}\nnodes:\n  h: {layer: Dense, inputs: x, units: 4}\n  g: {layer: Dense, inputs: h, units: 2}\n"
    group(f, "outputs name the model's outputs; losses, weights and metrics live on them")
    case(
        "an output named after its node",
        two + "outputs: {g: {loss: mse}}\n",
        build=True,
        model={"params": 46, "inputs": ["x"], "outputs": ["g"]},
    )
    case(
        "an output renamed with from",
        two + "outputs: {score: {from: g, loss: mse}}\n",
        build=True,
        model={"params": 46, "inputs": ["x"], "outputs": ["score"]},
    )
    case(
        "outputs keep the spec's order",
        two + "outputs: {g: {loss: mse}, h: {loss: mae, loss_weight: 0.5}}\n",
        build=True,
        model={"params": 46, "inputs": ["x"], "outputs": ["g", "h"]},
    )
    case(
        "a loss on only one of two outputs",
        two + "outputs: {g: {loss: mse}, h: {}}\n",
        build=True,
        model={"params": 46, "inputs": ["x"], "outputs": ["g", "h"]},
    )
    case(
        "a node output twice under two names",
        two + "outputs: {g: {loss: mse}, g2: {from: g, loss: mae}}\n",
        build=True,
        model={"params": 46, "inputs": ["x"], "outputs": ["g", "g2"]},
    )
    case(
        "no loss and no compile section builds an uncompiled model",
        two + "outputs: {g: {}}\n",
        build=True,
        model={"params": 46, "inputs": ["x"], "outputs": ["g"]},
    )
    case("a loss weight without a loss", two + "outputs: {g: {loss_weight: 0.5}}\n")
    case("a zero loss weight", two + "outputs: {g: {loss: mse, loss_weight: 0}}\n")
    case(
        "names with hyphens survive into Keras",
        "graphspec: 1\ninputs: {in-1: {shape: [8]}}\nnodes:\n  c-d: {layer: Dense, inputs: in-1, units: 2}\noutputs: {c-d: {loss: mse}, e-f: {from: c-d}}\n",
        build=True,
        model={"params": 18, "inputs": ["in-1"], "outputs": ["c-d", "e-f"]},
    )
    case(
        "several inputs keep the spec's order",
        "graphspec: 1\ninputs: {b: {shape: [4]}, a: {shape: [4]}}\nnodes:\n  s: {layer: Subtract, inputs: [b, a]}\noutputs: {s: {}}\n",
        build=True,
        model={"params": 0, "inputs": ["b", "a"], "outputs": ["s"]},
    )
    case(
        "output from a node that does not exist",
        two + "outputs: {g: {}, missing: «A»{}}\n",
        errors=[("unknown-reference", "outputs.missing", "A")],
    )
    case(
        "output with an unknown key",
        two + "outputs: {g: {«A»weight: 0.5}}\n",
        errors=[("unknown-key", "outputs.g.weight", "A")],
    )
    case(
        "output with loss_weights (plural)",
        two + "outputs: {g: {«A»loss_weights: 0.5}}\n",
        errors=[("unknown-key", "outputs.g.loss_weights", "A")],
    )
    case(
        "output with a metric string",
        two + "outputs: {g: {metrics: «A»mae}}\n",
        errors=[("wrong-type", "outputs.g.metrics", "A")],
    )
    case(
        "loss weight not finite",
        two + "outputs: {g: {loss: mse, loss_weight: «A»1e400}}\n",
        errors=[("bad-value", "outputs.g.loss_weight", "A")],
    )

    group(f, "compile")
    case(
        "every compile setting",
        two
        + "outputs: {g: {loss: mse}}\ncompile: {optimizer: sgd, jit_compile: false, run_eagerly: true, steps_per_execution: 8}\n",
        build=True,
        model={"params": 46, "inputs": ["x"], "outputs": ["g"]},
    )
    case("jit_compile: auto", two + "outputs: {g: {loss: mse}}\ncompile: {jit_compile: auto}\n")
    case(
        "jit_compile: Auto",
        two + "outputs: {g: {loss: mse}}\ncompile: {jit_compile: «A»Auto}\n",
        errors=[("bad-value", "compile.jit_compile", "A")],
    )
    case(
        "run_eagerly as a string",
        two + 'outputs: {g: {}}\ncompile: {run_eagerly: «A»"false"}\n',
        errors=[("wrong-type", "compile.run_eagerly", "A")],
    )
    case(
        "steps_per_execution as a float",
        two + "outputs: {g: {}}\ncompile: {steps_per_execution: «A»2.0}\n",
        errors=[("wrong-type", "compile.steps_per_execution", "A")],
    )
    case(
        "metrics in compile",
        two + "outputs: {g: {}}\ncompile: {«A»metrics: [mae]}\n",
        errors=[("unknown-key", "compile.metrics", "A")],
    )
    case(
        "loss_weights in compile",
        two + "outputs: {g: {}}\ncompile: {«A»loss_weights: [1]}\n",
        errors=[("unknown-key", "compile.loss_weights", "A")],
    )


# ---------------------------------------------------------------------------
def valid_models() -> None:
    f = "valid_models"
    group(f, "the walkthrough models, written in full")
    case("functional MLP", MLP, build=True, model={"params": 3466, "inputs": ["x"], "outputs": ["probabilities"]})
    case(
        "sequential MLP on 10,000 features",
        "graphspec: 1\nname: sequential_mlp\ninputs:\n  features: {shape: [10000]}\nnodes:\n  dense_1: {layer: Dense, inputs: features, units: 16, activation: relu}\n  dense_2: {layer: Dense, inputs: dense_1, units: 16, activation: relu}\n  prediction: {layer: Dense, inputs: dense_2, units: 1, activation: sigmoid}\noutputs:\n  prediction: {loss: binary_crossentropy, metrics: [acc]}\ncompile:\n  optimizer: rmsprop\n",
        build=True,
        model={"params": 160305, "inputs": ["features"], "outputs": ["prediction"]},
    )
    case(
        "question answering with two inputs",
        "graphspec: 1\nname: question_answering\ninputs:\n  text:     {shape: [null], dtype: int32}\n  question: {shape: [null], dtype: int32}\nnodes:\n  text_emb: {layer: Embedding, inputs: text, input_dim: 10000, output_dim: 64}\n  text_enc: {layer: LSTM, inputs: text_emb, units: 32}\n  q_emb:    {layer: Embedding, inputs: question, input_dim: 10000, output_dim: 64}\n  q_enc:    {layer: LSTM, inputs: q_emb, units: 32}\n  merged:   {layer: Concatenate, inputs: [text_enc, q_enc]}\n  answer:   {layer: Dense, inputs: merged, units: 500, activation: softmax}\noutputs:\n  answer: {loss: categorical_crossentropy, metrics: [acc]}\ncompile:\n  optimizer: rmsprop\n",
        build=True,
        model={"params": 1337332, "inputs": ["text", "question"], "outputs": ["answer"]},
    )
    case(
        "IMDB embedding",
        "graphspec: 1\nname: imdb_embedding\ninputs:\n  review: {shape: [20], dtype: int32}\nnodes:\n  embedded:  {layer: Embedding, inputs: review, input_dim: 10000, output_dim: 8}\n  flat:      {layer: Flatten, inputs: embedded}\n  sentiment: {layer: Dense, inputs: flat, units: 1, activation: sigmoid}\noutputs:\n  sentiment: {loss: binary_crossentropy, metrics: [acc]}\ncompile:\n  optimizer: rmsprop\n",
        build=True,
        model={"params": 80161, "inputs": ["review"], "outputs": ["sentiment"]},
    )
    case(
        "multi-output with loss weights",
        "graphspec: 1\nname: post_profile\ninputs:\n  posts: {shape: [null], dtype: int32}\nnodes:\n  embedded: {layer: Embedding, inputs: posts, input_dim: 50000, output_dim: 256}\n  conv_1:   {layer: Conv1D, inputs: embedded, filters: 128, kernel_size: 5, activation: relu}\n  pool_1:   {layer: MaxPooling1D, inputs: conv_1, pool_size: 5}\n  conv_2:   {layer: Conv1D, inputs: pool_1, filters: 256, kernel_size: 5, activation: relu}\n  pooled:   {layer: GlobalMaxPooling1D, inputs: conv_2}\n  features: {layer: Dense, inputs: pooled, units: 128, activation: relu}\n  age:      {layer: Dense, inputs: features, units: 1}\n  income:   {layer: Dense, inputs: features, units: 10, activation: softmax}\n  gender:   {layer: Dense, inputs: features, units: 1, activation: sigmoid}\noutputs:\n  age:    {loss: mse, loss_weight: 0.25}\n  income: {loss: categorical_crossentropy, loss_weight: 1.0}\n  gender: {loss: binary_crossentropy, loss_weight: 10.0}\ncompile:\n  optimizer: rmsprop\n",
    )
    case(
        "inception module",
        "graphspec: 1\nname: inception_module\ninputs:\n  image: {shape: [224, 224, 3]}\nnodes:\n  branch_a:   {layer: Conv2D, inputs: image, filters: 128, kernel_size: 1, activation: relu, strides: 2}\n  branch_b_1: {layer: Conv2D, inputs: image, filters: 128, kernel_size: 1, activation: relu}\n  branch_b:   {layer: Conv2D, inputs: branch_b_1, filters: 128, kernel_size: 3, activation: relu, strides: 2, padding: same}\n  branch_c_1: {layer: AveragePooling2D, inputs: image, pool_size: 3, strides: 2, padding: same}\n  branch_c:   {layer: Conv2D, inputs: branch_c_1, filters: 128, kernel_size: 3, activation: relu, padding: same}\n  mixed:\n    layer: Concatenate\n    inputs: [branch_a, branch_b, branch_c]\n    axis: -1\noutputs:\n  mixed: {}\n",
    )
    case(
        "separable convnet",
        "graphspec: 1\nname: separable_convnet\ninputs:\n  image: {shape: [64, 64, 3]}\nnodes:\n  sep_1:  {layer: SeparableConv2D, inputs: image, filters: 32, kernel_size: 3, activation: relu}\n  pool_1: {layer: MaxPooling2D, inputs: sep_1, pool_size: 2}\n  sep_2:  {layer: SeparableConv2D, inputs: pool_1, filters: 64, kernel_size: 3, activation: relu}\n  pooled: {layer: GlobalAveragePooling2D, inputs: sep_2}\n  classes: {layer: Dense, inputs: pooled, units: 10, activation: softmax}\noutputs:\n  classes: {loss: categorical_crossentropy}\ncompile:\n  optimizer: rmsprop\n",
    )
    case(
        "attention block with a residual",
        "graphspec: 1\ninputs:\n  seq: {shape: [12, 16]}\nnodes:\n  attended: {layer: MultiHeadAttention, inputs: [seq, seq], num_heads: 2, key_dim: 8}\n  residual: {layer: Add, inputs: [seq, attended]}\n  normed: {layer: LayerNormalization, inputs: residual, epsilon: 1.0e-6}\n  pooled: {layer: GlobalAveragePooling1D, inputs: normed}\n  logits: {layer: Dense, inputs: pooled, units: 4, kernel_initializer: {class_name: HeNormal, config: {seed: 7}}, kernel_regularizer: {class_name: L2, config: {l2: 0.001}}}\noutputs:\n  logits: {loss: {class_name: CategoricalCrossentropy, config: {from_logits: true}}, metrics: [{class_name: TopKCategoricalAccuracy, config: {k: 2}}]}\n",
    )
    case(
        "an encoder with two heads and a skip connection",
        "graphspec: 1\ninputs:\n  image: {shape: [32, 32, 3]}\n  meta: {shape: [5]}\nnodes:\n  conv: {layer: Conv2D, inputs: image, filters: 8, kernel_size: [3, 3], padding: same, activation: relu}\n  pool: {layer: MaxPooling2D, inputs: conv, pool_size: 2}\n  up: {layer: UpSampling2D, inputs: pool, size: 2}\n  skip: {layer: Concatenate, inputs: [up, conv]}\n  mask: {layer: Conv2D, inputs: skip, filters: 1, kernel_size: 1, activation: sigmoid}\n  flat: {layer: GlobalAveragePooling2D, inputs: pool}\n  both: {layer: Concatenate, inputs: [flat, meta]}\n  label: {layer: Dense, inputs: both, units: 10, activation: softmax}\noutputs:\n  label: {loss: categorical_crossentropy, loss_weight: 1.0, metrics: [acc]}\n  mask: {loss: binary_crossentropy, loss_weight: 0.5}\ncompile: {optimizer: adam}\n",
        build=True,
        model={"params": 381, "inputs": ["image", "meta"], "outputs": ["label", "mask"]},
    )
    case(
        "nodes written in any order",
        "graphspec: 1\ninputs: {x: {shape: [8]}}\nnodes:\n  out: {layer: Dense, inputs: mid, units: 1}\n  mid: {layer: Dense, inputs: first, units: 4}\n  first: {layer: Dense, inputs: x, units: 4}\noutputs: {out: {loss: mse}}\n",
        build=True,
        model={"params": 61, "inputs": ["x"], "outputs": ["out"]},
    )
    case(
        "a comment-heavy block-style spec",
        "# a model\ngraphspec: 1   # version\n\nname: commented  # the name\ninputs:\n  # the only input\n  x:\n    shape: [8]    # features\n    dtype: float32\nnodes:\n  h:\n    layer: Dense  # a dense layer\n    inputs: x\n    units: 4\noutputs:\n  h:\n    loss: mse\n",
    )
    case(
        "block sequences",
        "graphspec: 1\ninputs:\n  a: {shape: [4]}\n  b: {shape: [4]}\nnodes:\n  s:\n    layer: Add\n    inputs:\n      - a\n      - b\noutputs:\n  s:\n    metrics:\n      - mae\n",
    )
    case(
        "quoted strings everywhere",
        'graphspec: 1\ninputs:\n  "x": {"shape": [8]}\nnodes:\n  "h": {"layer": "Dense", "inputs": "x", "units": 4, "activation": \'relu\'}\noutputs:\n  "h": {"loss": "mse"}\n',
    )
    case("the MLP as data", data=MLP_DATA)
    case(
        "the MLP as data with every section",
        data=mlp_data(
            name="full",
            description="all sections",
            compile={"optimizer": {"class_name": "Adam", "config": {"learning_rate": 0.01}}, "jit_compile": False},
        ),
        build=True,
        model={"params": 154, "inputs": ["x"], "outputs": ["y"]},
    )


def untrusted() -> None:
    f = "untrusted"
    group(
        f, "strings and numbers that would crash what prints or converts them are refused where they enter (issue 19)"
    )
    case(
        "a JSON escape that makes a lone surrogate",
        '{"graphspec": 1, "description": «A»"\\ud800", "inputs": {"x": {"shape": [4]}}, "nodes": {"h": {"layer": "Dense", "inputs": "x", "units": 2}}, "outputs": {"h": {}}}\n',
        errors=[("bad-value", "description", "A")],
    )
    case(
        "a key with a lone surrogate is reported at the key of its mapping",
        '{"graphspec": 1, «A»"inputs": {"x\\udc80": {"shape": [4]}}, "nodes": {}, "outputs": {}}\n',
        errors=[("bad-value", "inputs", "A")],
    )
    case(
        "a surrogate pair is one real character",
        '{"graphspec": 1, "description": "\\ud83d\\ude00", "inputs": {"x": {"shape": [4]}}, "nodes": {"h": {"layer": "Dense", "inputs": "x", "units": 2}}, "outputs": {"h": {}}}\n',
    )
    case(
        "a reference index of 5,000 digits",
        one("{layer: Dense, inputs: «A»'x:@DIGITS@', units: 2}"),
        expand={"@DIGITS@": ["9", 5000]},
        errors=[("bad-output-index", "nodes.h.inputs", "A")],
    )
    case(
        "an override key of 5,000 digits",
        '{"graphspec": 1, "inputs": {"x": {"shape": [8]}}, "blocks": {"b": {"nodes": {"d": {"layer": "Dense", "inputs": "x", "units": 8}}, "outputs": "d"}}, "nodes": {"r": {"block": "b", "inputs": "x", "repeat": 2, "override": {«A»"@DIGITS@": {}}}}, "outputs": {"r": {}}}\n',
        expand={"@DIGITS@": ["9", 5000]},
        errors=[("bad-value", "nodes.r.override.@DIGITS@".replace("@DIGITS@", "9" * 5000), "A")],
    )

    group(f, "expressions bound the work inside every call, not only their results")
    case(
        "round() with digits of -10**8",
        one("{layer: Dense, inputs: x, units: '${«A»round(2, -10**8) + 2}'}"),
        errors=[("bad-expression", "nodes.h.units", "A")],
    )
    case("round() with digits within ±64 works", one("{layer: Dense, inputs: x, units: '${round(1234, -2) // 100}'}"))
    case(
        "string defaults that double the one before",
        "graphspec: 1\nparams:\n  p0: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
        + "".join(f"  p{i}: '${{p{i - 1}}}${{p{i - 1}}}'\n" for i in range(1, 14))
        + "  p14: «A»'${p13}${p13}'\n"  # 100 × 2**14 characters: past the 1 MiB a string may have
        + "".join(f"  p{i}: '${{p{i - 1}}}${{p{i - 1}}}'\n" for i in range(15, 31))
        + "inputs: {x: {shape: [8]}}\nnodes:\n  h: {layer: Dense, inputs: x, units: 2}\noutputs: {h: {}}\n",
        errors=[("bad-expression", "params.p14", "A")],
    )

    group(f, "expansion counts every copy it makes")
    case(
        "a repeated block's list counted per copy",
        "graphspec: 1\ninputs: {x: {shape: [8]}}\nblocks:\n  b: {nodes: {d: «A»{layer: Normalization, inputs: x, mean: [@ITEMS@0]}}, outputs: d}\nnodes:\n  r: {block: b, inputs: x, repeat: 1000}\noutputs: {r: {}}\n",
        expand={"@ITEMS@": ["0, ", 999]},
        errors=[("too-many-nodes", "nodes.r/block997/d", "A")],
    )

    group(f, "Keras builds an object per metric and callback: they are counted")
    case(
        "1,001 metrics",
        "graphspec: 1\ninputs: {x: {shape: [8]}}\nnodes:\n  h: {layer: Dense, inputs: x, units: 2}\noutputs:\n  h: {loss: mse, metrics: «A»[@M@mae]}\n",
        expand={"@M@": ["mae, ", 1000]},
        errors=[("bad-value", "outputs.h.metrics", "A")],
    )
    case(
        "101 callbacks",
        "graphspec: 1\ninputs: {x: {shape: [8]}}\nnodes:\n  h: {layer: Dense, inputs: x, units: 2}\noutputs:\n  h: {loss: mse}\nfit: {callbacks: «A»[@C@TerminateOnNaN]}\n",
        expand={"@C@": ["TerminateOnNaN, ", 100]},
        errors=[("bad-value", "fit.callbacks", "A")],
    )

    group(f, "ModelCheckpoint templates: only the fields Keras fills with numbers")
    ck = "graphspec: 1\ninputs: {x: {shape: [8]}}\nnodes:\n  h: {layer: Dense, inputs: x, units: 2}\noutputs:\n  h: {loss: mse}\nfit: {callbacks: [{class_name: ModelCheckpoint, config: {filepath: %s}}]}\n"
    case(
        "attribute and index access",
        ck % "«A»'{epoch.__class__.__doc__[5]}x.keras'",
        errors=[("unsafe-path", "fit.callbacks[0].config.filepath", "A")],
    )
    case(
        "a fill character",
        ck % "«A»'{epoch:/>9}.keras'",
        errors=[("unsafe-path", "fit.callbacks[0].config.filepath", "A")],
    )
    case("the documented fields", ck % "'ck/{epoch:02d}-{val_loss:.2f}.keras'")


def main() -> None:
    for fn in (
        yaml_safety,
        duplicate_keys,
        yaml12_scalars,
        structure,
        names,
        references,
        cycles,
        reachability,
        sharing,
        layers,
        arguments,
        objects,
        losses_metrics_optimizers,
        nested_layers,
        deserialization_payloads,
        limits,
        json_format,
        outputs_compile,
        valid_models,
        untrusted,
    ):
        fn()
    for name, groups in FILES.items():
        text = json.dumps(groups, indent=1, ensure_ascii=False) + "\n"
        (HERE / f"{name}.json").write_text(text, encoding="utf-8")
    total = sum(len(g["cases"]) for gs in FILES.values() for g in gs)
    invalid = sum(not c["valid"] for gs in FILES.values() for g in gs for c in g["cases"])
    print(f"{total} cases ({invalid} invalid) in {len(FILES)} files")


if __name__ == "__main__":
    main()
