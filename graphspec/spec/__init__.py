"""Stage 2, data → Spec: the format as pydantic models, and structural validation.

The models are strict (no ``"10"`` → 10, no ``True`` → 1) and closed (an unknown
structural key is an error, never dropped). A node's layer arguments sit beside
its structural keys (``{layer: Dense, inputs: x, units: 32}``); the models keep
them apart in ``NodeSpec.args`` and put them back side by side when dumping.

Pydantic's errors are translated into graphspec diagnostics with stable codes,
spec paths and did-you-mean hints (:func:`parse_spec`).
"""

from __future__ import annotations

import functools
import json
import math
import sys
from collections.abc import Callable, Iterator
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from graphspec._util.names import MAX_NAME, MAX_NODE_NAME, NAME_RE, NODE_NAME_RE, REFERENCE_RE
from graphspec._util.suggest import did_you_mean
from graphspec.errors import Code, Diagnostic, Path, SpecError
from graphspec.expand import AUTHORING_KEYS
from graphspec.source import YAML11_BOOLS, Document, bool_hint, locate, number_hint

__all__ = [
    "FORMAT_VERSION",
    "CompileSpec",
    "DistributeSpec",
    "FitSpec",
    "InputSpec",
    "InterfaceSpec",
    "LintSpec",
    "ModelSpec",
    "NodeSpec",
    "ObjectSpec",
    "OutputSpec",
    "Spec",
    "SpecBody",
    "StructureSpec",
    "call_references",
    "keras_name",
    "layer_name",
    "node_name",
    "parse_model",
    "parse_ref",
    "parse_spec",
    "wrapped_models",
]

FORMAT_VERSION = 1


DTYPES = (
    "float16",
    "bfloat16",
    "float32",
    "float64",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "bool",
    "string",
    "complex64",
    "complex128",
)


def _name(value: Any) -> Any:
    if isinstance(value, str) and (not NAME_RE.fullmatch(value) or len(value) > MAX_NAME):
        raise PydanticCustomError(
            "bad_name",
            "{value} is not a valid name: use letters, digits, '_' and '-', "
            "starting with a letter or '_' (at most 128)",
            {"value": repr(value)},
        )
    return value


def _node_name(value: Any) -> Any:
    # (a segment can only be over 128 characters in a name that is)
    if isinstance(value, str) and (
        not NODE_NAME_RE.fullmatch(value)
        or len(value) > MAX_NODE_NAME
        or (len(value) > MAX_NAME and any(len(s) > MAX_NAME for s in value.split("/")))
    ):
        raise PydanticCustomError(
            "bad_name",
            "{value} is not a valid name: use letters, digits, '_' and '-', starting with a letter or '_' "
            "(at most 128), scoped with '/' after block expansion (`stage2/block1/conv1`)",
            {"value": repr(value)},
        )
    return value


def keras_name(node: str) -> str:
    """The Keras layer name of a node: scopes joined by ``.`` (Keras forbids ``/`` in names).

    Injective and reversible (:func:`node_name`), because ``.`` never occurs in a
    graphspec name: ``stage2/block1/conv1`` ↔ ``stage2.block1.conv1``.
    """
    return node.replace("/", ".")


def node_name(layer_name: str) -> str:
    """The node name of a Keras layer name made by :func:`keras_name`."""
    return layer_name.replace(".", "/")


def layer_name(node: str, spec: NodeSpec | InputSpec) -> str:
    """The Keras name a node's layer (or an input) gets: its ``keras_name``, else :func:`keras_name` of the node."""
    return spec.keras_name if spec.keras_name is not None else keras_name(node)


def _ref(value: Any) -> Any:
    if isinstance(value, str) and not REFERENCE_RE.fullmatch(value):
        raise PydanticCustomError(
            "bad_name",
            "{value} is not a valid reference: write a name, or 'name:i' for a layer's i-th output",
            {"value": repr(value)},
        )
    return value


Name = Annotated[str, BeforeValidator(_name)]
NodeName = Annotated[str, BeforeValidator(_node_name)]
Ref = Annotated[str, BeforeValidator(_ref)]


@functools.lru_cache(
    maxsize=1 << 16
)  # every stage parses every reference; a search loop meets the same names again and again
def parse_ref(ref: str) -> tuple[str, int | None]:
    """Split ``'enc:1'`` into ``('enc', 1)`` and ``'enc'`` into ``('enc', None)``."""
    m = REFERENCE_RE.fullmatch(ref)
    if not m:
        raise ValueError(f"bad reference {ref!r}")
    index = m.group(2)
    # Past 18 digits no tensor index exists; int() of thousands of digits raises (Python's int-string limit).
    return m.group(1), (None if index is None else int(index) if len(index) <= 18 else sys.maxsize)


def call_references(value: Any, path: Path) -> Iterator[tuple[str, Path]]:
    """The tensor references a call argument holds, with their paths: a string is one
    (``enc:1``), a list holds them (``[enc:1, enc:2]``, nested lists too); other values are plain."""
    if isinstance(value, str):
        yield value, path
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from call_references(item, (*path, i))


def _version(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int) or value != FORMAT_VERSION:
        raise PydanticCustomError("bad_version", "unsupported format version {value}", {"value": repr(value)})
    return value


def _jit(value: Any) -> Any:
    if isinstance(value, bool) or value == "auto":
        return value
    if isinstance(value, str) and value.lower() not in YAML11_BOOLS:
        raise PydanticCustomError(
            "bad_value", "jit_compile must be true, false or 'auto'; got {value}", {"value": repr(value)}
        )
    raise PydanticCustomError(
        "wrong_type", "jit_compile must be true, false or 'auto'; got {value}", {"value": repr(value)}
    )


def _dtype(value: Any) -> Any:
    if isinstance(value, str) and value not in DTYPES:
        hint = did_you_mean(value, DTYPES, otherwise="use " + ", ".join(DTYPES))
        raise PydanticCustomError("bad_value", "unknown dtype {value}; {hint}", {"value": repr(value), "hint": hint})
    return value


def _finite_nonnegative(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool) and (not math.isfinite(value) or value < 0):
        raise PydanticCustomError("bad_value", "must be a finite number ≥ 0; got {value}", {"value": value})
    return value


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True, validate_assignment=True)


class ObjectSpec(_Model):
    """A Keras object with arguments, in Keras' own ``{class_name, config}`` form.

    ``class_name`` is looked up in graphspec's allow-list for its kind (activation,
    initializer, loss, optimizer, ...); it is never imported by path.
    """

    class_name: str
    config: dict[str, Any] = Field(default_factory=dict)


def _object_ref(value: Any) -> Any:
    # Mappings are checked field by field against the allow-lists by the catalogue
    # stage, which knows the kind (loss, metric, optimizer) and names the culprit.
    if isinstance(value, ObjectSpec):
        return value.model_dump()
    if isinstance(value, str | dict):
        return value
    raise PydanticCustomError(
        "wrong_type", "expected a name or a mapping with class_name and config; got {kind}", {"kind": _kind(value)}
    )


ObjectRef = Annotated[str | dict[str, Any], Field(union_mode="left_to_right"), BeforeValidator(_object_ref)]


def _keras_name(value: Any) -> Any:
    # Keras accepts any name without '/'; graphspec bounds its length like other text.
    if isinstance(value, str) and (not value or "/" in value or len(value) > 512 or not value.isprintable()):
        raise PydanticCustomError(
            "bad_name",
            "{value} is not a Keras name: Keras names are non-empty and hold no '/' (graphspec: printable, "
            "at most 512 characters)",
            {"value": repr(value)},
        )
    return value


KerasName = Annotated[str, BeforeValidator(_keras_name)]


class InputSpec(_Model):
    """A model input: ``{shape: [null, 128], dtype: float32}``. ``null`` dims are unknown.

    ``optional: true`` lets callers pass ``None`` for it (``keras.Input(optional=True)``);
    ``keras_name`` is the Keras name when it is not a valid graphspec name.
    """

    shape: list[Annotated[int, Field(ge=1)] | None] = Field(max_length=16)
    dtype: Annotated[Literal[DTYPES], BeforeValidator(_dtype)] = "float32"  # type: ignore[valid-type]
    batch_size: Annotated[int, Field(ge=1)] | None = None
    sparse: bool = False
    optional: bool = False
    keras_name: KerasName | None = None


_STRUCTURAL = ("layer", "share", "model", "op", "inputs", "call", "keras_name", "lint")
_NODE_KEYS = (*_STRUCTURAL, "args")  # `args` is the Python spelling only (see split_node_args)
_NODE_KEY_SET = frozenset(_NODE_KEYS)


class LintSpec(_Model):
    """Lint settings of a node, an output or the whole spec: ``lint: {ignore: [squashed-twice]}``.

    ``ignore`` lists the lint rules (by code) that are silenced there: written on a
    node or output, for the findings about it; at the top of a spec, everywhere.
    Codes are checked against the rules (``graphspec.lint``), with did-you-mean.
    """

    ignore: list[str] = Field(default_factory=list)


# What a node is: exactly one of these (catalog.check_nodes says so otherwise).
NODE_KINDS = ("layer", "share", "model", "op")
# How deep `model:` nodes may nest inside one another.
MAX_MODEL_DEPTH = 8


class NodeSpec(_Model):
    """One node of the graph: a layer applied to ``inputs``, a reuse of another node's layer
    (``share``), a nested model (``model``: an inline :class:`ModelSpec`), or a Keras
    operation (``op``: a function of ``keras.ops`` by name, such as ``add``).

    In a spec the layer's (or op's) constructor arguments are written beside ``layer`` and
    ``inputs``; here they are collected in ``args``. Both
    ``NodeSpec(layer="Dense", inputs="x", units=4)`` and
    ``NodeSpec(layer="Dense", inputs=["x"], args={"units": 4})`` work.
    """

    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True, validate_assignment=True)

    layer: str | None = None
    share: NodeName | None = None
    model: ModelSpec | None = None
    op: str | None = None
    inputs: list[Ref] = Field(default_factory=list)
    call: dict[str, Any] = Field(default_factory=dict)  # call-time arguments: references to tensors, or plain values
    keras_name: KerasName | None = None  # the Keras layer name, where it is not a valid node name
    lint: LintSpec | None = None
    args: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _split_args(cls, data: Any) -> Any:
        if not isinstance(data, dict) or data.keys() <= _NODE_KEY_SET:
            return data  # already split (what parse_spec hands over), or not a node
        extra = {k: v for k, v in data.items() if k not in _NODE_KEYS}
        if not extra:
            return data
        out = {k: v for k, v in data.items() if k in _NODE_KEYS}
        args = out.get("args", {})
        if not isinstance(args, dict):
            return data
        out["args"] = {**args, **extra}
        return out

    @field_validator("inputs", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    def to_data(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.layer is not None:
            out["layer"] = self.layer
        if self.share is not None:
            out["share"] = self.share
        if self.model is not None:
            out["model"] = self.model.to_data()
        if self.op is not None:
            out["op"] = self.op
        if self.inputs:
            out["inputs"] = self.inputs[0] if len(self.inputs) == 1 else list(self.inputs)
        if self.call:
            out["call"] = dict(self.call)
        if self.keras_name is not None:
            out["keras_name"] = self.keras_name
        if self.lint is not None:
            out["lint"] = self.lint.model_dump()
        out.update(self.args)
        return out


class OutputSpec(_Model):
    """A named model output. Without ``from`` it is the node of the same name."""

    from_: Ref | None = Field(default=None, alias="from")
    loss: ObjectRef | None = None
    loss_weight: Annotated[float, BeforeValidator(_finite_nonnegative)] | None = None
    metrics: list[ObjectRef] = Field(default_factory=list)
    weighted_metrics: list[ObjectRef] = Field(default_factory=list)  # metrics weighted by sample weights
    lint: LintSpec | None = None

    def to_data(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, exclude_defaults=True)


class CompileSpec(_Model):
    """How to compile the model; losses, loss weights and metrics live on the outputs."""

    optimizer: ObjectRef = "rmsprop"
    jit_compile: Annotated[bool | str, BeforeValidator(_jit)] = "auto"
    run_eagerly: bool = False
    steps_per_execution: Annotated[int, Field(ge=1)] = 1


# training: how `graphspec fit` trains the model (graphspec.train reads these)


def _split(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool) and not 0 <= value < 1:
        raise PydanticCustomError(
            "bad_value", "validation_split must be a number in [0, 1); got {value}", {"value": value}
        )
    return value


class FitSpec(_Model):
    """How to train: ``model.fit``'s settings and callbacks (``graphspec fit``).

    Callbacks are classes of ``keras.callbacks`` (or registered with
    :func:`graphspec.register_callback`) given like other objects: a name, or
    ``{class_name: ReduceLROnPlateau, config: {factor: 0.5}}``. File paths in their
    arguments are relative to the run folder and may not leave it.
    """

    epochs: Annotated[int, Field(ge=1)] = 1
    batch_size: Annotated[int, Field(ge=1)] | None = None
    validation_split: Annotated[float, BeforeValidator(_split)] = 0.0
    shuffle: bool = True
    class_weight: list[Annotated[float, BeforeValidator(_finite_nonnegative)]] | None = None  # one weight per class id
    steps_per_epoch: Annotated[int, Field(ge=1)] | None = None
    callbacks: list[ObjectRef] = Field(default_factory=list)


class DistributeSpec(_Model):
    """Where to train: a ``tf.distribute`` strategy. ``devices`` are for ``mirrored`` only
    (default: every GPU, else the CPU); ``multi-worker`` reads the cluster from ``TF_CONFIG``."""

    strategy: Literal["mirrored", "multi-worker"]
    devices: list[str] | None = None


def _outputs(value: Any) -> Any:
    # `answer:` with nothing after it is an output with all defaults, like `answer: {}`.
    if isinstance(value, dict):
        return {k: ({} if v is None else v) for k, v in value.items()}
    return value


def _tree(value: Any) -> Any:
    # The names and nesting are checked by graph.resolve, which reports each leaf by its path.
    if value is not None and not isinstance(value, str | list | dict):
        raise PydanticCustomError(
            "wrong_type", "expected a name, a list or a mapping; got {kind}", {"kind": _kind(value)}
        )
    return _named_leaves(value)


def _named_leaves(value: Any) -> Any:
    """``{image: null}`` (YAML's ``{image}``) as ``{image: image}``:
    a mapping's null value is the leaf its key names."""
    if isinstance(value, dict):
        return {k: (k if v is None else _named_leaves(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_named_leaves(v) for v in value]
    return value


Tree = Annotated[Any, BeforeValidator(_tree)]


class StructureSpec(_Model):
    """How a model takes its inputs and returns its outputs, as Keras sees them.

    Each side is a tree: a name, a list of trees, or a mapping whose keys are the
    names of its leaves (``{image: image, meta: meta}``; ``{image, meta}`` in YAML
    flow style, whose values are null, says the same) or of nested trees. By
    default one input or output is passed alone and several as a list in spec order.
    An output leaf names an output of ``outputs:``, or else is a reference (``enc:1``)
    to a tensor returned as it is: no layer of its own, no loss, and Keras names it
    after the layer that makes it.
    """

    inputs: Tree = None
    outputs: Tree = None


class InterfaceSpec(_Model):
    """One more model over the same graph (``models:``): its input names and the tensors it returns.

    ``inputs`` is a tree of input names, ``outputs`` a tree of references
    (``node``, ``node:i`` or an input), shaped as for :class:`StructureSpec`.
    The models share the graph's layers, and so their weights.
    """

    inputs: Tree
    outputs: Tree


class SpecBody(_Model):
    """The graph a spec describes: what a whole :class:`Spec` and a nested :class:`ModelSpec` share."""

    name: Name | None = None
    description: str | None = None
    inputs: dict[Name, InputSpec] = Field(min_length=1)
    nodes: dict[NodeName, NodeSpec] = Field(default_factory=dict)
    # At least one output or `structure.outputs` (graph.resolve checks; outputs that are references have no entry here).
    outputs: Annotated[dict[Name, OutputSpec], BeforeValidator(_outputs)]
    structure: StructureSpec | None = None

    def output_source(self, name: str) -> str:
        """The reference (``node`` or ``node:i``) an output takes its value from."""
        out = self.outputs[name]
        return out.from_ if out.from_ is not None else name

    def node_count(self) -> int:
        """The nodes of this graph and of every model nested in it, for the node budget."""
        return len(self.nodes) + sum(n.model.node_count() for n in self.nodes.values() if n.model is not None)

    def _body_data(self, head: dict[str, Any]) -> dict[str, Any]:
        data = dict(head)
        if self.description is not None:
            data["description"] = self.description
        data["inputs"] = {k: v.model_dump(exclude_defaults=True) | {"shape": v.shape} for k, v in self.inputs.items()}
        data["nodes"] = {k: v.to_data() for k, v in self.nodes.items()}
        data["outputs"] = {k: v.to_data() for k, v in self.outputs.items()}
        if self.structure is not None:
            data["structure"] = self.structure.model_dump(exclude_none=True)
        return data


class ModelSpec(SpecBody):
    """A model used as a layer (a ``model:`` node): inputs, nodes and outputs, like a spec.

    The Keras model is named after its node; ``name`` only records where the
    sub-model came from. With ``sequential: true`` (one input, a chain of
    single-input nodes) it is built as a ``keras.Sequential``, else as a
    functional model.
    """

    sequential: bool = False

    def to_data(self) -> dict[str, Any]:
        head: dict[str, Any] = {} if self.name is None else {"name": self.name}
        if self.sequential:
            head["sequential"] = True
        return self._body_data(head)


NodeSpec.model_rebuild()  # `model:` holds a ModelSpec, which holds nodes


class Spec(SpecBody):
    """A whole model spec. Build one from data with :func:`graphspec.load`, or directly::

    Spec(name="mlp", inputs={"x": InputSpec(shape=[64])},
         nodes={"h": NodeSpec(layer="Dense", inputs="x", units=32)},
         outputs={"h": OutputSpec(loss="mse")})
    """

    graphspec: Annotated[Literal[1], BeforeValidator(_version)] = 1
    name: Name = "model"
    trainable: bool = True  # false: the model and every layer that does not say otherwise are frozen
    models: dict[Name, InterfaceSpec] = Field(default_factory=dict)
    compile: CompileSpec | None = None
    fit: FitSpec | None = None
    distribute: DistributeSpec | None = None
    lint: LintSpec | None = None

    _source: Document | None = PrivateAttr(default=None)

    @property
    def source(self) -> Document | None:
        """Where this spec was loaded from, for error positions (``None`` if built in Python)."""
        return self._source

    def to_data(self) -> dict[str, Any]:
        """The spec as plain data, in the written form (arguments beside ``layer``)."""
        data = self._body_data({"graphspec": self.graphspec, "name": self.name})
        if not self.trainable:
            data["trainable"] = False
        if self.models:
            data["models"] = {k: v.model_dump() for k, v in self.models.items()}
        if self.compile is not None:
            data["compile"] = self.compile.model_dump(exclude_defaults=True)
        for key, section in (("fit", self.fit), ("distribute", self.distribute)):
            if section is not None:
                data[key] = section.model_dump(exclude_defaults=True)
        if self.lint is not None:
            data["lint"] = self.lint.model_dump()
        return data

    def to_yaml(self) -> str:
        """The spec as YAML that graphspec reads back to an equal spec."""
        return yaml.dump(
            self.to_data(), Dumper=_Dumper, sort_keys=False, default_flow_style=None, width=100, allow_unicode=True
        )

    def to_json(self) -> str:
        return json.dumps(self.to_data(), indent=2, ensure_ascii=False)


class _Dumper(yaml.SafeDumper):
    """Quotes every string graphspec's YAML 1.2 reading would not read back as that string.

    PyYAML decides quoting by YAML 1.1: it writes ``1e3`` or ``0o17`` bare, which
    YAML 1.2 reads as numbers. It also writes no anchors or aliases, even where two
    values are one Python object, so every value reads where it applies.
    """

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    from graphspec.source import resolve_plain

    if resolve_plain(value) != value or value != value.strip() or value == "":
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    return dumper.represent_str(value)


_Dumper.add_representer(str, _represent_str)


# ---------------------------------------------------------------------------
# pydantic errors → diagnostics

_TYPE_CODES: dict[str, Code] = {
    "missing": Code.MISSING_KEY,
    "extra_forbidden": Code.UNKNOWN_KEY,
    "bad_name": Code.BAD_NAME,
    "bad_version": Code.BAD_VERSION,
    "wrong_type": Code.WRONG_TYPE,
    "bad_value": Code.BAD_VALUE,
    "literal_error": Code.BAD_VALUE,
    "greater_than_equal": Code.BAD_VALUE,
    "greater_than": Code.BAD_VALUE,
    "less_than": Code.BAD_VALUE,
    "less_than_equal": Code.BAD_VALUE,
    "too_short": Code.BAD_VALUE,
    "too_long": Code.BAD_VALUE,
    "finite_number": Code.BAD_VALUE,
}

# Fields each structural mapping accepts, for did-you-mean on unknown keys.
_FIELDS: dict[str, list[str]] = {
    # The authoring keys are consumed by expansion before a spec is parsed, yet belong in a file's top level.
    "spec": [*Spec.model_fields, *AUTHORING_KEYS],
    "input": list(InputSpec.model_fields),
    "output": ["from", *[f for f in OutputSpec.model_fields if f != "from_"]],
    "compile": list(CompileSpec.model_fields),
    "model": list(ModelSpec.model_fields),
    "structure": list(StructureSpec.model_fields),
    "interface": list(InterfaceSpec.model_fields),
    "fit": list(FitSpec.model_fields),
    "distribute": list(DistributeSpec.model_fields),
    "object": list(ObjectSpec.model_fields),
    "lint": list(LintSpec.model_fields),
}


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a mapping",
    }.get(type(value), type(value).__name__)


# Keys people write where Keras' `compile()` or `fit()` takes them, but which the format keeps elsewhere:
# what to write instead (given an output's name).
_MISPLACED: dict[tuple[str, str], Callable[[str], str]] = {
    ("compile", "loss_weights"): lambda out: f"a loss weight belongs to its output: `outputs.{out}.loss_weight: 2.0`",
    ("compile", "loss"): lambda out: f"a loss belongs to its output: `outputs.{out}.loss: mse`",
    ("compile", "metrics"): lambda out: f"metrics belong to their output: `outputs.{out}.metrics: [acc]`",
    ("compile", "learning_rate"): lambda out: (
        "the learning rate is the optimizer's: `optimizer: {class_name: Adam, config: {learning_rate: 0.001}}`"
    ),
    ("fit", "learning_rate"): lambda out: (
        "the learning rate is the optimizer's: "
        "`compile: {optimizer: {class_name: Adam, config: {learning_rate: 0.001}}}`"
    ),
    ("fit", "loss_weights"): lambda out: f"a loss weight belongs to its output: `outputs.{out}.loss_weight: 2.0`",
}


def _output_name(data: Any) -> str:
    outputs = data.get("outputs") if isinstance(data, dict) else None
    return str(next(iter(outputs))) if isinstance(outputs, dict) and outputs else "<name>"


def _section(path: Path) -> str | None:
    """Which structural mapping a path points into (for unknown-key suggestions)."""
    if len(path) == 1:
        return "spec"
    if len(path) > 3 and path[0] == "nodes" and path[2] == "model":
        inner = _section(path[3:])  # inside a nested model, as at the top of a spec
        return "model" if inner == "spec" else inner
    head = path[0]
    if head == "inputs" and len(path) == 3:
        return "input"
    if head == "outputs" and len(path) == 3:
        return "output"
    if head in ("compile", "fit", "distribute", "structure") and len(path) == 2:
        return str(head)
    if head == "models" and len(path) == 3:
        return "interface"
    if path[-2] == "lint":
        return "lint"
    if path[-2] in ("loss", "optimizer") or (len(path) >= 3 and path[-3] == "metrics"):
        return "object"
    return None


def _clean_loc(loc: tuple[Any, ...], data: Any) -> Path:
    """Drop pydantic's union-member and validator tags from a location, keeping real keys."""
    path: list[str | int] = []
    cur = data
    for part in loc:
        if (isinstance(cur, dict) and part in cur) or (
            isinstance(cur, list) and isinstance(part, int) and 0 <= part < len(cur)
        ):
            path.append(part)
            cur = cur[part]
        elif isinstance(cur, dict) and isinstance(part, str) and not _is_tag(part):
            path.append(part)  # a missing or unknown key: it is still the culprit's name
            cur = None
    return tuple(path)


def _is_tag(part: str) -> bool:
    return "[" in part or part in ("str", "int", "float", "bool", "ObjectSpec", "dict", "list", "none", "literal")


def _diagnostic(err: Any, data: Any) -> Diagnostic:
    etype = err["type"]
    path = _clean_loc(err["loc"], data)
    value = err.get("input")
    code = _TYPE_CODES.get(etype, Code.WRONG_TYPE)
    hint = None
    if etype == "extra_forbidden":
        key = str(path[-1]) if path else ""
        section = _section(path) or ""
        options = _FIELDS.get(section, [])
        message = f"unknown key {key!r}"
        hint = did_you_mean(key, options, otherwise=f"allowed here: {', '.join(options)}" if options else None)
        moved = _MISPLACED.get((section, key))
        if moved is not None:
            hint = moved(_output_name(data))
        return Diagnostic(code, message, path, hint, at_key=True)
    if etype == "missing":
        key = str(path[-1]) if path else "?"
        return Diagnostic(code, f"missing required key {key!r}", path[:-1], _missing_hint(path))
    if path == ("graphspec",):
        return Diagnostic(
            Code.BAD_VERSION, f"unsupported format version {value!r}", path, f"write `graphspec: {FORMAT_VERSION}`"
        )
    if "[key]" in err["loc"]:
        return Diagnostic(code, err["msg"], path, at_key=True)
    if code is Code.WRONG_TYPE:
        expected = err["msg"].replace("Input should be ", "expected ")
        message = f"{expected}; got {_kind(value)}" + (
            f" {value!r}" if isinstance(value, str | int | float) and not isinstance(value, bool) else ""
        )
        if etype.startswith("function") or etype == "wrong_type":
            message = err["msg"]
        hint = _coercion_hint(value, etype)
        if etype == "list_type" and isinstance(value, str | int | float):
            hint = f"write a list: [{value}]"
        return Diagnostic(code, message, path, hint)
    return Diagnostic(code, err["msg"].replace("Input should be", "must be"), path)


def _missing_hint(path: Path) -> str | None:
    key = path[-1] if path else None
    return {
        "graphspec": f"start the spec with `graphspec: {FORMAT_VERSION}`",
        "inputs": "declare at least one input: `inputs: {x: {shape: [64]}}`",
        "outputs": "declare at least one output: `outputs: {y: {}}` takes node `y`",
        "shape": "give the shape without the batch dimension, e.g. `shape: [null, 128]`",
        "class_name": "write {class_name: Name, config: {...}}",
    }.get(str(key))


def _coercion_hint(value: Any, etype: str) -> str | None:
    if etype.startswith("bool"):
        return bool_hint(value)
    if etype.startswith(("int", "float")):
        return number_hint(value, integer=etype.startswith("int"))
    return None


def split_node_args(data: Any) -> Any:
    """Move each node's layer arguments under ``args``, as the models hold them.

    Done on the data before validation, so in a file every key other than
    ``layer``, ``share``, ``model``, ``op`` and ``inputs`` is an argument, ``args``
    included (``NodeSpec(args=...)`` is the Python spelling only); nested models'
    nodes likewise.
    """
    if not isinstance(data, dict) or not isinstance(data.get("nodes"), dict):
        return data
    nodes = {}
    for name, node in data["nodes"].items():
        if isinstance(node, dict):
            node = {
                **{k: v for k, v in node.items() if k in _STRUCTURAL},
                "args": {k: v for k, v in node.items() if k not in _STRUCTURAL},
            }
            if "model" in node:
                node["model"] = split_node_args(node["model"])
        nodes[name] = node
    return {**data, "nodes": nodes}


def parse_spec(doc: Document) -> Spec:
    """Validate loaded data against the format.

    Raises:
        SpecError: with one diagnostic per structural problem, located in the source.
    """
    data = doc.data
    if not isinstance(data, dict):
        raise SpecError(
            locate(
                [
                    *doc.problems,
                    Diagnostic(Code.WRONG_TYPE, f"a spec is a mapping at the top level; got {_kind(data)}", ()),
                ],
                doc,
            )
        )
    # The version defaults for specs built in Python, but a file must say which format it is in.
    missing = (
        []
        if "graphspec" in data
        else [
            Diagnostic(
                Code.MISSING_KEY,
                "missing required key 'graphspec' (the format version)",
                (),
                _missing_hint(("graphspec",)),
            )
        ]
    )
    try:
        spec = Spec.model_validate(split_node_args(data))
    except ValidationError as exc:
        diags = _dedupe(_diagnostic(e, data) for e in exc.errors(include_url=False))
        seen = {d.path for d in doc.problems}
        raise SpecError(locate([*doc.problems, *missing, *(d for d in diags if d.path not in seen)], doc)) from None
    if doc.problems or missing:
        raise SpecError(locate([*doc.problems, *missing], doc))
    spec._source = doc
    return spec


def parse_model(data: Any) -> tuple[ModelSpec | None, list[Diagnostic]]:
    """A nested model written as data (a wrapper's ``wraps: {model: ...}``), or the problems with it
    (paths relative to the model's mapping)."""
    if not isinstance(data, dict):
        return None, [
            Diagnostic(Code.WRONG_TYPE, f"a model is a mapping with inputs, nodes and outputs; got {_kind(data)}", ())
        ]
    try:
        return ModelSpec.model_validate(split_node_args(data)), []
    except ValidationError as exc:
        return None, _dedupe(_diagnostic(e, data) for e in exc.errors(include_url=False))


def wrapped_models(args: dict[str, Any], path: Path = ()) -> Iterator[tuple[Path, Any]]:
    """The models a layer wraps (``wraps: {model: {...}}``, also inside wrapped wrappers),
    with the path to each mapping."""
    value = args.get("wraps")
    if isinstance(value, dict):
        if "model" in value and "layer" not in value:
            yield (*path, "wraps"), value
        else:
            yield from wrapped_models(value, (*path, "wraps"))


def repair(data: Any, broken: list[Path]) -> tuple[Spec | None, list[Path]]:
    """A best-effort spec with the broken parts of ``data`` left out.

    Each path that failed validation is removed (a whole entry where the path
    is an entry, else the single key) and validation is retried, so checks of
    the other parts can still run and report in the same pass. Returns the spec
    (or ``None`` if it cannot be repaired) and the paths removed.
    """
    import copy

    if not isinstance(data, dict):
        return None, []
    current = copy.deepcopy(data)
    removed: list[Path] = []
    for _ in range(4):
        for path in broken:
            if _remove(current, path):
                removed.append(path)
        try:
            return Spec.model_validate(split_node_args(current)), removed
        except ValidationError as exc:
            broken = [_clean_loc(e["loc"], current) for e in exc.errors(include_url=False)]
            broken = [p for p in broken if p and p not in removed]
            if not broken:
                return None, removed
    return None, removed


def parse_nodes_leniently(data: Any) -> dict[str, NodeSpec]:
    """The nodes of raw spec data that are well-formed on their own (broken keys left out).

    Used after a structural error, so per-node checks can still report in the
    same pass instead of one error at a time.
    """
    nodes = split_node_args(data).get("nodes") if isinstance(data, dict) else None
    out: dict[str, NodeSpec] = {}
    if not isinstance(nodes, dict):
        return out
    for name, raw in nodes.items():
        try:
            out[name] = NodeSpec.model_validate(raw)
        except ValidationError as exc:
            if not isinstance(raw, dict):
                continue
            bad = {e["loc"][0] for e in exc.errors(include_url=False) if e["loc"]}
            if "model" in bad:
                continue  # without its broken nested model the node would only echo "needs a layer"
            try:
                out[name] = NodeSpec.model_validate({k: v for k, v in raw.items() if k not in bad})
            except ValidationError:
                continue
    return out


def _has(container: Any, part: str | int) -> bool:
    if isinstance(container, dict):
        return part in container
    return isinstance(container, list) and isinstance(part, int) and 0 <= part < len(container)


def _remove(data: Any, path: Path) -> bool:
    """Delete the innermost existing mapping key on ``path`` (a list item removes its list's key)."""
    parents: list[tuple[Any, Any]] = []
    cur: Any = data
    for part in path:
        if not _has(cur, part):
            break
        parents.append((cur, part))
        cur = cur[part]
    while parents:
        container, key = parents.pop()
        if isinstance(container, dict) and not (len(parents) == 0 and key in ("inputs", "outputs")):
            del container[key]
            return True
    return False


def _dedupe(diags: Any) -> list[Diagnostic]:
    seen: set[tuple[Code, Path]] = set()
    out = []
    for d in diags:
        if (d.code, d.path) in seen:
            continue
        seen.add((d.code, d.path))
        out.append(d)
    return out
