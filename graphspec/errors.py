"""Diagnostics and the one exception family every pipeline stage raises.

A stage collects every problem it finds as a :class:`Diagnostic` (a stable code,
the spec path of the culprit, a message and a hint), then raises one
:class:`SpecError` holding them all. Stages know spec paths, not file positions:
the caller that owns the source text fills those in (:func:`graphspec.source.locate`),
the way jsonschema lets errors bubble up and prefixes their paths.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from enum import Enum

__all__ = ["Code", "Diagnostic", "Related", "Severity", "SpecError", "format_path", "printable"]

PathPart = str | int
Path = tuple[PathPart, ...]


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


class Code(str, Enum):
    """Stable diagnostic codes. Never rename one: tools match on them.

    Each member's docstring-like description lives in :data:`CODE_DOCS`; a test
    checks that ``docs/errors.md`` lists exactly these codes.
    """

    IO_ERROR = "io-error"
    FILE_TOO_LARGE = "file-too-large"
    SYNTAX = "syntax"
    YAML_TAG = "yaml-tag"
    YAML_ALIAS = "yaml-alias"
    TOO_DEEP = "too-deep"
    DUPLICATE_KEY = "duplicate-key"
    BAD_VERSION = "bad-version"
    UNKNOWN_KEY = "unknown-key"
    MISSING_KEY = "missing-key"
    WRONG_TYPE = "wrong-type"
    BAD_VALUE = "bad-value"
    BAD_NAME = "bad-name"
    DUPLICATE_NAME = "duplicate-name"
    UNKNOWN_REFERENCE = "unknown-reference"
    CYCLE = "cycle"
    NO_INPUTS = "no-inputs"
    UNUSED_INPUT = "unused-input"
    UNREACHABLE_OUTPUT = "unreachable-output"
    DEAD_NODE = "dead-node"
    BAD_SHARE = "bad-share"
    UNKNOWN_LAYER = "unknown-layer"
    REFUSED_LAYER = "refused-layer"
    UNKNOWN_ARGUMENT = "unknown-argument"
    MISSING_ARGUMENT = "missing-argument"
    BAD_ARGUMENT = "bad-argument"
    UNKNOWN_OBJECT = "unknown-object"
    BAD_OUTPUT_INDEX = "bad-output-index"
    SHAPE_MISMATCH = "shape-mismatch"
    TOO_MANY_NODES = "too-many-nodes"
    TOO_MANY_PARAMS = "too-many-params"
    KERAS_ERROR = "keras-error"
    # sub-models and ops
    NODE_KIND = "node-kind"
    BAD_SUBMODEL = "bad-submodel"
    UNKNOWN_OP = "unknown-op"
    REFUSED_OP = "refused-op"
    # expansion (blocks, params, includes)
    BAD_EXPRESSION = "bad-expression"
    UNKNOWN_BLOCK = "unknown-block"
    UNKNOWN_PARAM = "unknown-param"
    MISSING_PARAM = "missing-param"
    RECURSIVE_BLOCK = "recursive-block"
    BAD_INCLUDE = "bad-include"
    INCLUDE_CYCLE = "include-cycle"
    # training and data
    BAD_DATA_FILE = "bad-data-file"
    MISSING_ARRAY = "missing-array"
    UNEXPECTED_ARRAY = "unexpected-array"
    ARRAY_MISMATCH = "array-mismatch"
    UNSAFE_PATH = "unsafe-path"
    TRAINING_FAILED = "training-failed"
    RUN_EXISTS = "run-exists"
    RUN_IN_USE = "run-in-use"
    CANNOT_RESUME = "cannot-resume"
    # import and diff
    BAD_MODEL = "bad-model"
    UNREGISTERED_LAYER = "unregistered-layer"
    UNSUPPORTED_MODEL = "unsupported-model"
    UNREGISTERED_OBJECT = "unregistered-object"
    # export
    EXPORT_FAILED = "export-failed"
    EXPORT_MISMATCH = "export-mismatch"
    MISSING_EXTRA = "missing-extra"
    # lint (graphspec.lint): training bugs a spec builds fine with; rules of the checked graph
    UNKNOWN_RULE = "unknown-rule"
    ONE_CLASS_LOSS = "one-class-loss"
    SOFTMAX_SIZE_ONE = "softmax-size-one"
    SOFTMAX_AXIS_MISMATCH = "softmax-axis-mismatch"
    SQUASHED_TWICE = "squashed-twice"
    OUTPUT_NOT_PROBABILITY = "output-not-probability"
    ACTIVATION_LOSS_MISMATCH = "activation-loss-mismatch"
    ACTIVATION_AFTER_SOFTMAX = "activation-after-softmax"
    NEGATIVE_POISSON_RATE = "negative-poisson-rate"
    METRIC_ON_REGRESSION = "metric-on-regression"
    METRIC_LABEL_MISMATCH = "metric-label-mismatch"
    THRESHOLD_ON_LOGITS = "threshold-on-logits"
    CLASS_WEIGHT_LENGTH = "class-weight-length"
    CLASS_WEIGHT_ON_REGRESSION = "class-weight-on-regression"
    INTEGER_FEATURES = "integer-features"
    FLOAT_INTO_EMBEDDING = "float-into-embedding"
    HIGH_LEARNING_RATE = "high-learning-rate"
    # lint, data rules: the arrays given to fit, evaluate and predict, before TensorFlow loads
    LABEL_OUT_OF_RANGE = "label-out-of-range"
    LABEL_ENCODING = "label-encoding"
    BINARY_TARGET_RANGE = "binary-target-range"
    UNREACHABLE_TARGET = "unreachable-target"
    NON_FINITE_DATA = "non-finite-data"
    EMBEDDING_INDEX_RANGE = "embedding-index-range"
    # search and tuning
    UNKNOWN_OBJECTIVE = "unknown-objective"
    INFEASIBLE_SEARCH = "infeasible-search"
    BAD_TUNING_FOLDER = "bad-tuning-folder"


CODE_DOCS: dict[Code, str] = {
    Code.IO_ERROR: (
        "A file could not be read: missing, not a regular file (a folder, "
        "a FIFO, a device), unreadable, or its path holds a NUL byte."
    ),
    Code.FILE_TOO_LARGE: (
        "The spec text is larger than the configured limit (1 MiB by default, "
        "for a spec file with its includes and model files together), a Keras JSON file is larger "
        "than `Limits.max_model_bytes`, or data from Python holds more than `Limits.max_values` values."
    ),
    Code.SYNTAX: (
        "The text is not well-formed YAML or JSON, "
        "is not UTF-8 (reported at the first bad byte), or holds a lone surrogate."
    ),
    Code.YAML_TAG: "An explicit YAML tag such as `!!python/object` was used; only plain data is accepted.",
    Code.YAML_ALIAS: (
        "Anchors and aliases (or shared references in data from Python) expand to too much data, "
        "or refer to themselves."
    ),
    Code.TOO_DEEP: "Mappings and lists are nested deeper than the limit.",
    Code.DUPLICATE_KEY: "A mapping has the same key twice; YAML and JSON would silently keep the last.",
    Code.BAD_VERSION: "The `graphspec` format version is missing or not supported.",
    Code.UNKNOWN_KEY: "A structural key the format does not define (a typo, or a misplaced section).",
    Code.MISSING_KEY: "A required key is missing.",
    Code.WRONG_TYPE: "A value has the wrong type (for example a string where a number is expected).",
    Code.BAD_VALUE: (
        "A value has the right type but is out of range or not one of the allowed choices (a string holding "
        "a lone surrogate, too many metrics or callbacks, synthetic data past `Limits.max_data_bytes`)."
    ),
    Code.BAD_NAME: "A name is not a valid identifier for an input, node or output.",
    Code.DUPLICATE_NAME: "Two inputs, nodes or outputs would get the same Keras name.",
    Code.UNKNOWN_REFERENCE: "`inputs`, `share` or `from` names something that does not exist.",
    Code.CYCLE: "The nodes form a cycle; a model must be a directed acyclic graph.",
    Code.NO_INPUTS: "A node has no `inputs`, so nothing flows into it.",
    Code.UNUSED_INPUT: "A declared input feeds no output.",
    Code.UNREACHABLE_OUTPUT: "An output does not depend on any declared input.",
    Code.DEAD_NODE: "A node feeds no output; it will not be part of the model (warning).",
    Code.BAD_SHARE: "`share` is used wrongly (with layer arguments, or on a node that is not a layer).",
    Code.UNKNOWN_LAYER: "`layer` names no class in the Keras layer catalogue or the registered layers.",
    Code.REFUSED_LAYER: "The layer carries or loads code or files (`Lambda`, `TFSMLayer`, ...) and is refused.",
    Code.UNKNOWN_ARGUMENT: "A node passes an argument its layer's constructor does not take.",
    Code.MISSING_ARGUMENT: "A node omits an argument its layer's constructor requires.",
    Code.BAD_ARGUMENT: (
        "An argument value has a form the layer cannot take safely (a mapping where a plain value is expected, ...)."
    ),
    Code.UNKNOWN_OBJECT: (
        "An activation, initializer, regularizer, constraint, loss, metric or optimizer name is not known."
    ),
    Code.BAD_OUTPUT_INDEX: "`node:i` selects an output the layer does not produce.",
    Code.SHAPE_MISMATCH: (
        "Static shape inference proves a node's inputs cannot fit its layer (found without TensorFlow)."
    ),
    Code.TOO_MANY_NODES: (
        "The spec has, or expands to, more nodes than the node budget (every copy counted), expansion makes more "
        "values than `Limits.max_values`, or building would make more Keras layers than `Budget.max_build_nodes`."
    ),
    Code.TOO_MANY_PARAMS: (
        "The model would have more parameters than the configured budget, or building it would need more "
        "than `Budget.max_build_bytes`; refused before any weight is allocated (for model files too)."
    ),
    Code.KERAS_ERROR: "Keras rejected the node while building (for example incompatible shapes).",
    # sub-models and ops
    Code.NODE_KIND: (
        "A node gives more than one of `layer`, `model` and `op` (a node is exactly one kind), or `share`s an op."
    ),
    Code.BAD_SUBMODEL: (
        "A `model:` node is used wrongly: it feeds its sub-model a different number of tensors "
        "than the sub-model has inputs, a `sequential: true` sub-model is not a chain, "
        "a sub-model output sets a loss or metrics, or sub-models nest deeper than the limit (8)."
    ),
    Code.UNKNOWN_OP: "`op` names no operation in graphspec's allow-list of `keras.ops` functions.",
    Code.REFUSED_OP: (
        "The op takes a Python function (`map`, `cond`, `while_loop`, ...), which is code, and is refused."
    ),
    # expansion (blocks, params, includes)
    Code.BAD_EXPRESSION: (
        "A `${...}` parameter expression is malformed, names an unknown parameter or function, "
        "divides by zero, exceeds the evaluator's bounds, "
        "or the strings expressions make grow past `Limits.max_bytes` (one) or ten times that (all)."
    ),
    Code.UNKNOWN_BLOCK: "`block:` names no block defined in the spec or its includes.",
    Code.UNKNOWN_PARAM: (
        "A value is given for a parameter the block or spec does not declare (in the spec, `--set` or `params=`)."
    ),
    Code.MISSING_PARAM: "A block instance or the spec leaves out a parameter that has no default.",
    Code.RECURSIVE_BLOCK: "A block instantiates itself, directly or through other blocks, or blocks nest too deep.",
    Code.BAD_INCLUDE: (
        "An include or `model:` path is absolute, leaves the spec's folder tree, "
        "holds a NUL byte, is missing, or is not a spec; or a spec names more than 64 files."
    ),
    Code.INCLUDE_CYCLE: "Spec files include each other in a cycle.",
    # training and data
    Code.BAD_DATA_FILE: (
        "A `--data` file cannot be read as a NumPy `.npz` archive of plain arrays: missing, "
        "corrupt, holding pickled objects (refused), past the read limits (inflated size, "
        "compression ratio, members), or with an array header that declares more than its member holds."
    ),
    Code.MISSING_ARRAY: "The data has no array for an input, or for an output that has a loss.",
    Code.UNEXPECTED_ARRAY: "The data holds an array named after no input or output of the model.",
    Code.ARRAY_MISMATCH: "An array's shape, dtype or number of samples does not fit the input or output it feeds.",
    Code.UNSAFE_PATH: (
        "A callback's file argument is absolute, leaves the run folder (`..`, or a symlink in a reused folder), "
        "or is a ModelCheckpoint template with fields other than the numbers Keras fills in; "
        "training writes only inside its run folder."
    ),
    Code.TRAINING_FAILED: (
        "Keras stopped with an error while training, evaluating or predicting; the message gives its reason."
    ),
    Code.RUN_EXISTS: (
        "The run folder holds a finished run, an interrupted run that cannot be continued, "
        "a run of another spec or data, or files this run would write; "
        "`fit` never reuses it silently (`--resume`, `--overwrite`, or a new `--run-dir`)."
    ),
    Code.RUN_IN_USE: "Another process is training in the run folder (it holds the folder's lock).",
    Code.CANNOT_RESUME: (
        "`--resume` was given but there is nothing to continue: "
        "no interrupted run in the folder, or no `BackupAndRestore` in the spec."
    ),
    # import and diff
    Code.BAD_MODEL: (
        "A `.keras` file or Keras JSON config given to `import`, `diff`, `evaluate` or `predict` cannot "
        "be loaded by Keras (corrupt, not a model, or refused by its safe mode), or breaks a read limit "
        "(`config.json` inflated past `Limits.max_model_bytes`, nesting past `Limits.max_model_depth`)."
    ),
    Code.UNREGISTERED_LAYER: (
        "The imported model uses a custom layer class that is not registered; "
        "call `graphspec.register_layer(TheClass)` first."
    ),
    Code.UNSUPPORTED_MODEL: (
        "The imported model holds something a spec cannot express: a subclassed model, a `Lambda` layer, "
        "a config that does not rebuild the layer; the message names the layer or object and what cannot be written."
    ),
    Code.UNREGISTERED_OBJECT: (
        "The imported model uses a custom activation, initializer, regularizer, constraint, loss, metric, "
        "optimizer or schedule that is not registered; call `graphspec.register_object(TheClassOrFunction)` first."
    ),
    # export
    Code.EXPORT_FAILED: (
        "An export could not convert or run the model in the chosen format (an operation "
        "the format has no kernel for), or the artefact's signature lost the spec's names."
    ),
    Code.EXPORT_MISMATCH: (
        "The exported artefact's outputs differ from the Keras model's on "
        "the same inputs beyond the format's tolerance; nothing was written."
    ),
    Code.MISSING_EXTRA: (
        "A feature needs an optional dependency that is not installed "
        "(for example `pip install 'graphspec[onnx]'` for ONNX export)."
    ),
    # lint (each rule has its own section below the table in docs/errors.md)
    Code.UNKNOWN_RULE: "A `lint: {ignore: [...]}` list names something that is not a lint rule.",
    Code.ONE_CLASS_LOSS: (
        "A categorical loss is put on an output with one unit: "
        "the loss is constant and the model learns nothing (error)."
    ),
    Code.SOFTMAX_SIZE_ONE: "A softmax normalises over an axis of size 1, so it always outputs 1.0 (error).",
    Code.SOFTMAX_AXIS_MISMATCH: (
        "An output's softmax normalises over another axis than the "
        "one its categorical loss reads the classes from (warning)."
    ),
    Code.SQUASHED_TWICE: (
        "A loss has `from_logits: true` but the output already ends in a softmax or sigmoid (warning)."
    ),
    Code.OUTPUT_NOT_PROBABILITY: (
        "A loss reads probabilities from an output that is not squashed into [0, "
        "1] and has no `from_logits: true` (warning)."
    ),
    Code.ACTIVATION_LOSS_MISMATCH: (
        "binary_crossentropy on a softmax over several classes, or a categorical loss on sigmoid outputs (warning)."
    ),
    Code.ACTIVATION_AFTER_SOFTMAX: "An activation is applied to the output of a softmax (warning).",
    Code.NEGATIVE_POISSON_RATE: (
        "The poisson loss is put on an output that can be negative, whose logarithm is NaN (error)."
    ),
    Code.METRIC_ON_REGRESSION: (
        "A classification metric (accuracy, precision, AUC, ...) is put on a regression output (warning)."
    ),
    Code.METRIC_LABEL_MISMATCH: (
        "A metric expects labels in another form (class ids, one-hot rows, yes/no) than the output's loss (warning)."
    ),
    Code.THRESHOLD_ON_LOGITS: (
        "A metric thresholds at 0.5 an output the loss reads as logits (`from_logits: true`) (warning)."
    ),
    Code.CLASS_WEIGHT_LENGTH: (
        "`fit.class_weight` gives a different number of weights than the output has classes (warning)."
    ),
    Code.CLASS_WEIGHT_ON_REGRESSION: (
        "`fit.class_weight` is given for a regression output, whose targets are not class ids (warning)."
    ),
    Code.INTEGER_FEATURES: (
        "An integer tensor (token ids) reaches a Dense, "
        "convolution or recurrent layer as numbers instead of an Embedding (warning)."
    ),
    Code.FLOAT_INTO_EMBEDDING: (
        "A floating-point tensor is fed to an Embedding, which truncates it to integer ids (warning)."
    ),
    Code.HIGH_LEARNING_RATE: (
        "An adaptive optimizer (Adam, RMSprop, ...) is given a learning rate of 0.1 or more, "
        "which makes training diverge (warning)."
    ),
    Code.LABEL_OUT_OF_RANGE: (
        "Data: class-id labels of a sparse loss are negative, "
        "not whole numbers, or not below the output's number of classes."
    ),
    Code.LABEL_ENCODING: (
        "Data: labels are one-hot where the loss takes class ids, "
        "class ids where it takes one-hot rows, or rows that are not one-hot."
    ),
    Code.BINARY_TARGET_RANGE: "Data: targets of binary_crossentropy lie outside [0, 1].",
    Code.UNREACHABLE_TARGET: (
        "Data: regression targets lie outside the range of the output's activation (a sigmoid output cannot reach 950)."
    ),
    Code.NON_FINITE_DATA: "Data: an input or target array holds NaN or infinite values.",
    Code.EMBEDDING_INDEX_RANGE: "Data: ids fed to an Embedding are negative or not below its `input_dim`.",
    # search and tuning
    Code.UNKNOWN_OBJECTIVE: (
        "The search's `objective` names a metric the model does not log (a typo, "
        "an output or metric it lacks, or `val_` with no validation data)."
    ),
    Code.INFEASIBLE_SEARCH: (
        "Every point of the search space that was checked is over the search's constraints (or the budget): "
        "every trial would be refused."
    ),
    Code.BAD_TUNING_FOLDER: (
        "A tuning folder cannot be resumed as asked: it holds another spec's search, "
        "was started with another seed, or its state is unreadable."
    ),
}


# A source line is shown whole up to this width, else as a window around the caret: a
# one-line 1 MiB JSON spec with 100,000 errors would otherwise print 100 GB.
_LINE_SHOWN = 400
# Diagnostics rendered as text (SpecError.render, what the CLI prints); all stay in .diagnostics.
RENDERED = 1_000


def _window(line: str, caret: int) -> tuple[str, int]:
    """``line`` cut to a window around ``caret`` when it is long, and where the caret falls in it."""
    if len(line) <= _LINE_SHOWN:
        return line, caret
    start = max(0, min(caret - _LINE_SHOWN // 2, len(line) - _LINE_SHOWN))
    head = "…" if start else ""
    tail = "…" if start + _LINE_SHOWN < len(line) else ""
    return head + line[start : start + _LINE_SHOWN] + tail, caret - start + len(head)


def printable(text: str) -> str:
    """``text`` with lone surrogates (undecodable file-name bytes) written as backslash escapes."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def format_path(path: Sequence[PathPart]) -> str:
    """Render a spec path the way users write it: ``nodes.merged.inputs[1]``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif out:
            out += f".{part}"
        else:
            out = str(part)
    return out


@dataclass(frozen=True)
class Related:
    """A further place a diagnostic concerns: the block instance it arose in, the block's definition."""

    label: str
    file: str | None = None
    line: int | None = None
    column: int | None = None

    def render(self) -> str:
        where = ":".join(str(p) for p in (self.file or "<spec>", self.line, self.column) if p is not None)
        return f"  {self.label} at {where}"


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in a spec.

    Attributes:
        code: stable identifier of the kind of problem.
        message: what happened and what was expected, in one sentence or two.
        path: where in the spec, as keys and list indices.
        hint: how to fix it, when there is something to say.
        severity: errors stop the pipeline; warnings are reported only.
        at_key: the position to show is the key at ``path`` rather than its value.
        file, line, column: the source position (1-based), once located.
        source_line: the text of that line, for the caret display.
        related: for a problem inside a block instance, the instances it is
            nested in (outermost first) and the block definition it was written in.
    """

    code: Code
    message: str
    path: Path = ()
    hint: str | None = None
    severity: Severity = Severity.ERROR
    at_key: bool = False
    file: str | None = None
    line: int | None = None
    column: int | None = None
    source_line: str | None = field(default=None, repr=False)
    related: tuple[Related, ...] = ()

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def located(self, file: str | None, line: int | None, column: int | None, source_line: str | None) -> Diagnostic:
        return replace(self, file=file, line=line, column=column, source_line=source_line)

    def prefixed(self, prefix: Sequence[PathPart]) -> Diagnostic:
        return replace(self, path=(*prefix, *self.path))

    def where(self) -> str:
        """``file:line:col``, or as much of it as is known."""
        parts = [self.file or "<spec>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def render(self) -> str:
        """The compiler-style text the CLI prints: position, code, message, source, caret, hint.

        Always encodable as UTF-8: a file name with undecodable bytes (or any
        lone surrogate) is shown as a backslash escape.
        """
        return printable(self._render())

    def _render(self) -> str:
        head = f"{self.where()}: {self.severity.value}[{self.code.value}]: "
        path = format_path(self.path)
        lines = [head + (f"{path}: " if path else "") + self.message]
        if self.source_line is not None and self.line is not None:
            gutter = f"{self.line:>4} | "
            shown, caret_at = _window(self.source_line.rstrip("\n"), (self.column or 1) - 1)
            lines.append(gutter + shown)
            lines.append(" " * (len(gutter) - 2) + "| " + " " * caret_at + "^")
        lines.extend(r.render() for r in self.related)
        if self.hint:
            lines.append(f"  hint: {self.hint}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        """The diagnostic as JSON-ready data; every string encodable as UTF-8 (see :meth:`render`)."""
        data = asdict(self)
        for key in ("message", "hint", "file"):
            if isinstance(data[key], str):
                data[key] = printable(data[key])
        data["code"] = self.code.value
        data["severity"] = self.severity.value
        data["path"] = printable(format_path(self.path))
        data.pop("at_key")
        data.pop("source_line")
        if self.related:
            data["related"] = [
                {k: printable(v) if isinstance(v, str) else v for k, v in asdict(r).items()} for r in self.related
            ]
        else:  # present only where there is something to say, like the rendered lines
            data.pop("related")
        return data


class SpecError(Exception):
    """A spec is invalid. Holds every :class:`Diagnostic` found, errors first.

    ``str(error)`` renders all of them; ``error.diagnostics`` gives them as data.
    """

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        diags = sorted(diagnostics, key=lambda d: (not d.is_error, d.line or 0, d.column or 0))
        if not diags:
            raise ValueError("SpecError needs at least one diagnostic")
        self.diagnostics: list[Diagnostic] = diags
        super().__init__(self.render())

    @classmethod
    def single(cls, code: Code, message: str, path: Path = (), hint: str | None = None) -> SpecError:
        return cls([Diagnostic(code, message, path, hint)])

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def codes(self) -> list[str]:
        return [d.code.value for d in self.diagnostics]

    def render(self) -> str:
        """Every diagnostic as text, the first :data:`RENDERED` (1,000) of them; the rest are counted."""
        text = "\n".join(d.render() for d in self.diagnostics[:RENDERED])
        more = len(self.diagnostics) - RENDERED
        return (
            text
            if more <= 0
            else text + f"\n... and {more:,} more diagnostics (all are in SpecError.diagnostics and --format json)"
        )

    def to_json(self) -> str:
        return json.dumps([d.to_dict() for d in self.diagnostics], indent=2)


def raise_if_errors(diagnostics: Sequence[Diagnostic]) -> list[Diagnostic]:
    """Raise a :class:`SpecError` if any diagnostic is an error; return the warnings."""
    if any(d.is_error for d in diagnostics):
        raise SpecError(diagnostics)
    return [d for d in diagnostics if not d.is_error]
