"""The ``graphspec`` command: validate specs without TensorFlow, build them with it.

Exit codes: 0 success (``diff``: the same model), 1 invalid spec or data, training
error (``diff``: they differ), 2 usage or I/O error or a run folder that may not be
used, 130 interrupted (Ctrl-C, SIGINT), 143 terminated (SIGTERM).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import re
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn

from graphspec._util.console import print_keras_summary, quiet_tensorflow_start
from graphspec._util.files import replace_atomically, write_text_atomically
from graphspec._util.suggest import did_you_mean
from graphspec._version import __version__
from graphspec.budget import Budget
from graphspec.errors import Code, Diagnostic, SpecError
from graphspec.expand import parse_override
from graphspec.pipeline import build_report, expand, validate, validate_loaded
from graphspec.source import Limits, parse_file

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED, EXIT_TERMINATED = 128 + signal.SIGINT, 128 + signal.SIGTERM

_EPILOG = """\
examples:
  graphspec validate specs/seed/*.yaml
  graphspec validate --format json model.yaml
  graphspec build specs/seed/multi_input_qa.yaml --summary
  graphspec summary specs/seed/multi_output.yaml
  graphspec build model.yaml -o model.keras
  graphspec schema > graphspec.schema.json
  graphspec expand specs/zoo/resnet50.yaml
  graphspec summary specs/zoo/mobilenet_v2.yaml --set alpha=0.5
  graphspec fit specs/seed/multi_input_qa.yaml --synthetic 256 --epochs 10
  graphspec predict runs/question_answering-*/model.keras --data new.npz -o preds.npz
  graphspec tune specs/tuned/post_profile.yaml --synthetic 512 --max-trials 20
  graphspec import --application ResNet50 -o resnet50.yaml
  graphspec diff old.yaml new.yaml
  graphspec lsp
  graphspec export specs/seed/multi_output.yaml -o multi_output.onnx
  graphspec draw specs/zoo/resnet50.yaml -o resnet50.svg
  graphspec draw specs/zoo/inception_v3.yaml -o inception.html --expand all

specs may come from pipes: `graphspec diff a.yaml <(git show HEAD:a.yaml)`, `... | graphspec validate -`

exit codes: 0 valid/built/trained (diff: same model), 1 invalid spec or data, training error (diff: they differ),
            2 usage or I/O error, or a run folder fit may not use, 130 interrupted (Ctrl-C), 143 terminated (SIGTERM)
TensorFlow's start-up log lines are hidden; GRAPHSPEC_TF_LOGS=1 shows them.
"""


class _Parser(argparse.ArgumentParser):
    """argparse with did-you-mean for a mistyped command or choice, and each command's own usage on its errors."""

    commands: dict[str, _Parser]

    def error(self, message: str) -> NoReturn:
        found = re.search(r"invalid choice: '?([^' ]*)'? \(choose from (.*)\)", message)
        if found:  # Python < 3.12.8 quotes the choices, later ones do not
            choices = [c.strip().strip("'") for c in found.group(2).split(",")]
            hint = did_you_mean(found.group(1), choices)
            if hint:
                message += f"; {hint}"
        super().error(message)

    def unrecognized(self, extra: Sequence[str]) -> NoReturn:
        """Report arguments this (sub)command does not take, suggesting its option nearest each."""
        options = [o for action in self._actions for o in action.option_strings if o.startswith("--")]
        notes = []
        for arg in extra:
            hint = did_you_mean(arg.split("=", 1)[0], options) if arg.startswith("--") else None
            notes.append(f"{arg} ({hint})" if hint else arg)
        self.error("unrecognized arguments: " + " ".join(notes))


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def _tolerance(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0, got {text}")
    return value


def _limits_parser() -> _Parser:
    """The read limits and budgets every command that reads a spec takes."""
    limits = _Parser(add_help=False)
    limits.add_argument(
        "--max-bytes",
        type=_positive,
        default=Limits().max_bytes,
        metavar="N",
        help="largest spec text: a file with its includes and model files (default: 1 MiB)",
    )
    limits.add_argument(
        "--max-params",
        type=_positive,
        default=Budget().max_params,
        metavar="N",
        help=f"refuse models with more parameters (default: {Budget().max_params:,})",
    )
    limits.add_argument(
        "--max-nodes",
        type=_positive,
        default=Budget().max_nodes,
        metavar="N",
        help=f"refuse specs with more nodes (default: {Budget().max_nodes:,})",
    )
    limits.add_argument(
        "--max-build-nodes",
        type=_positive,
        default=Budget().max_build_nodes,
        metavar="N",
        help=f"refuse building more Keras layers (default: {Budget().max_build_nodes:,})",
    )
    limits.add_argument(
        "--max-build-bytes",
        type=_positive,
        default=Budget().max_build_bytes,
        metavar="N",
        help="refuse builds estimated to need more memory (default: 12 GB)",
    )
    limits.add_argument(
        "--max-data-bytes",
        type=_positive,
        default=Limits().max_data_bytes,
        metavar="N",
        help="largest data: .npz arrays or synthetic data (default: 4 GiB)",
    )
    return limits


def _parser() -> _Parser:
    parser = _Parser(
        prog="graphspec",
        description="Compile declarative YAML/JSON model specs into Keras 3 functional models.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"graphspec {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    limits = _limits_parser()

    setting = _Parser(add_help=False)
    setting.add_argument(
        "--set",
        action="append",
        type=_assignment,
        default=[],
        metavar="NAME=VALUE",
        dest="params",
        help="set a parameter declared under the spec's `params:` (repeatable)",
    )
    setting.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no progress bars, per-epoch lines or notices; errors, warnings and results only",
    )

    v = sub.add_parser(
        "validate",
        parents=[limits, setting],
        help="check specs (structure, graph, layer arguments) without importing TensorFlow",
        description="Check specs: structure, references, cycles, reachability, "
        "layer names and arguments. Never imports TensorFlow.",
    )
    v.add_argument("specs", nargs="+", metavar="SPEC", help="YAML or JSON spec files (- reads standard input)")
    v.add_argument(
        "--format", choices=("text", "json"), default="text", help="text for people, json for tools (default: text)"
    )
    v.add_argument("--strict", action="store_true", help="treat warnings (dead nodes, lint warnings) as errors")

    b = sub.add_parser(
        "build",
        parents=[limits, setting],
        help="build (and compile) the Keras model of a spec",
        description="Validate a spec, build its keras.Model, compile it, and optionally save it.",
    )
    b.add_argument("spec", metavar="SPEC", help="YAML or JSON spec file (- reads standard input)")
    b.add_argument("-o", "--output", metavar="MODEL.keras", help="save the model here (written atomically)")
    b.add_argument(
        "--summary", action="store_true", help="print the Keras model summary (the whole table when not on a terminal)"
    )
    b.add_argument("--no-compile", action="store_true", help="build without compiling")

    s = sub.add_parser(
        "summary",
        parents=[limits, setting],
        help="print node, layer, output shape, params and FLOPs without TensorFlow",
        description="Validate a spec and print a Keras-like summary inferred statically: no TensorFlow, no weights.",
    )
    s.add_argument("spec", metavar="SPEC", help="YAML or JSON spec file")

    e = sub.add_parser(
        "expand",
        parents=[limits, setting],
        help="print the flat spec: blocks, repeats, parameters and includes expanded",
        description="Expand a spec's blocks, repeats, parameters and includes and print the flat spec it stands for. "
        "Never imports TensorFlow.",
    )
    e.add_argument("spec", metavar="SPEC", help="YAML or JSON spec file")
    e.add_argument("--format", choices=("yaml", "json"), default="yaml", help="output format (default: yaml)")

    sub.add_parser(
        "schema",
        help="print the JSON Schema of the spec format (for editors)",
        description="Print the JSON Schema of the format, with every layer's argument names. "
        "Save it and point yaml-language-server at it: `# yaml-language-server: $schema=graphspec.schema.json`.",
    )
    _training_parsers(sub, limits, setting)
    _tuning_parser(sub, limits, setting)
    _interchange_parsers(sub)
    lsp = sub.add_parser(
        "lsp",
        help="run the language server (stdio): validate's diagnostics, shapes on hover, completion, definitions",
        description="Serve the Language Server Protocol over stdin/stdout for editors. Never imports TensorFlow.",
    )
    lsp.add_argument(
        "--stdio", action="store_true", help="accepted for editors that pass it; stdio is the only transport"
    )
    _export_parser(sub, limits, setting)
    _draw_parser(sub, limits, setting)
    parser.commands = dict(sub.choices)
    return parser


def _draw_parser(sub: Any, limits: argparse.ArgumentParser, setting: argparse.ArgumentParser) -> None:
    from graphspec.render import FORMATS, SHOW_FIELDS

    d = sub.add_parser(
        "draw",
        parents=[limits, setting],
        help="draw the spec's graph: SVG, DOT, Mermaid, JSON or an interactive HTML page (no TensorFlow, no Graphviz)",
        description="Draw the checked graph of a spec (or of a .keras file or Keras JSON, imported first): shapes, "
        "parameters, shared layers, blocks and repeats as clusters, sub-models with their ports. An invalid spec "
        "still draws, with what is wrong marked (exit 1). The format comes from the -o suffix "
        "(.svg .dot .mmd .html .json) or --format; without -o the drawing goes to standard output.",
    )
    d.add_argument("spec", metavar="SPEC", help="spec (.yaml, .json), or model (.keras, Keras JSON)")
    d.add_argument("-o", "--output", metavar="FILE", help="write here (atomically); the suffix picks the format")
    d.add_argument(
        "--format", choices=tuple(FORMATS), help="svg, dot, mermaid, html or json (default: from -o, else svg)"
    )
    d.add_argument(
        "--show",
        default="shapes,params",
        metavar="FIELDS",
        help=f"what boxes show, comma-separated: {','.join(SHOW_FIELDS)} (default: shapes,params)",
    )
    d.add_argument(
        "--expand",
        action="append",
        default=[],
        metavar="NAME",
        help="draw this repeat (or cluster) open; `all` opens every one (repeatable)",
    )
    d.add_argument("--depth", type=int, metavar="N", help="draw clusters nested deeper than N collapsed")
    d.add_argument("--rankdir", choices=("TB", "LR"), default="TB", help="top to bottom (default) or left to right")
    d.add_argument(
        "--from", dest="start", metavar="NODE", help="draw only what lies downstream of NODE (a node or block instance)"
    )
    d.add_argument(
        "--to", dest="end", metavar="NODE", help="draw only what lies upstream of NODE (a node or block instance)"
    )
    d.add_argument(
        "--engine",
        choices=("builtin", "dot"),
        default="builtin",
        help="layout for SVG: builtin (default) or Graphviz's dot, if installed",
    )
    d.add_argument(
        "--diff",
        metavar="OLD",
        help="colour what changed since OLD (a spec or model): added, removed, changed, rewired",
    )


def _tuning_parser(sub: Any, limits: argparse.ArgumentParser, setting: argparse.ArgumentParser) -> None:
    t = sub.add_parser(
        "tune",
        parents=[limits, setting],
        help="search the spec's search: space with Keras Tuner; the best trial's spec goes to best.yaml",
        description="Search the parameters a spec's `search:` section declares with Keras Tuner, "
        "checking each trial statically first (refused trials cost no training). The tuning folder gets a journal, "
        "trials.csv, trials.png, best.yaml and best.keras; the same command on the same folder continues. "
        "Needs the tune extra: pip install 'graphspec[tune]'.",
    )
    t.add_argument("spec", metavar="SPEC", help="YAML or JSON spec file with a search: section")
    source = t.add_mutually_exclusive_group(required=True)
    source.add_argument("--data", metavar="FILE.npz", help="arrays keyed by the spec's input and output names")
    source.add_argument(
        "--synthetic",
        type=_positive,
        metavar="N",
        help="train each trial on N random samples shaped like its inputs and outputs",
    )
    t.add_argument(
        "--max-trials",
        type=_positive,
        required=True,
        metavar="K",
        help="trials to train; trials refused by the constraints do not count",
    )
    t.add_argument(
        "--tuner",
        choices=("random", "bayesian", "hyperband", "grid"),
        default="random",
        help="Keras Tuner's search algorithm (default: random)",
    )
    t.add_argument(
        "--dir",
        metavar="DIR",
        help="the tuning folder (default: tuning/<spec name>); the same folder again continues the search",
    )
    t.add_argument(
        "--seed", type=int, metavar="S", help="seed the tuner, the synthetic data and the training (default: 0)"
    )
    t.add_argument(
        "--executions",
        type=_positive,
        default=1,
        metavar="E",
        help="trainings per trial from fresh weights; the objective is their mean (default: 1)",
    )
    t.add_argument(
        "--keep",
        type=_positive,
        default=3,
        metavar="N",
        help="trials whose trained models are kept, best first (default: 3)",
    )
    t.add_argument(
        "--in-process",
        action="store_true",
        help="train trials in this process, not in a child process replaced as its memory grows",
    )


def _training_parsers(sub: Any, limits: argparse.ArgumentParser, setting: argparse.ArgumentParser) -> None:
    f = sub.add_parser(
        "fit",
        parents=[limits, setting],
        help="train a spec's model as its fit: section says, into a run folder",
        description="Validate a spec and its data, build the model (inside the tf.distribute strategy's scope, "
        "if any) and train it. The run folder gets spec.yaml, model.keras, history.json, history.csv, history.png, "
        "model.svg (and logs/ for TensorBoard).",
    )
    f.add_argument("spec", metavar="SPEC", help="YAML or JSON spec file")
    source = f.add_mutually_exclusive_group(required=True)
    source.add_argument("--data", metavar="FILE.npz", help="arrays keyed by the spec's input and output names")
    source.add_argument(
        "--synthetic", type=_positive, metavar="N", help="train on N random samples shaped like the inputs and outputs"
    )
    f.add_argument("--epochs", type=_positive, metavar="E", help="override fit.epochs")
    f.add_argument("--batch-size", type=_positive, metavar="B", help="override fit.batch_size")
    f.add_argument(
        "--run-dir",
        metavar="DIR",
        help="the run folder (default: runs/<name>-<timestamp>); "
        "an interrupted run there resumes (with BackupAndRestore), a finished one is refused",
    )
    reuse = f.add_mutually_exclusive_group()
    reuse.add_argument(
        "--resume",
        action="store_true",
        help="continue the interrupted run in --run-dir; "
        "an error if there is none to continue (or no BackupAndRestore)",
    )
    reuse.add_argument(
        "--overwrite",
        action="store_true",
        help="remove the run in --run-dir (the files it wrote; others stay) and start again",
    )
    f.add_argument(
        "--strategy",
        choices=("mirrored", "multi-worker"),
        help="train under this tf.distribute strategy (overrides distribute:)",
    )
    f.add_argument("--seed", type=int, metavar="S", help="seed Python, NumPy, TensorFlow and the synthetic data")
    f.add_argument(
        "--tensorboard", action="store_true", help="write TensorBoard logs (with histograms) to the run folder's logs/"
    )

    e = sub.add_parser(
        "evaluate",
        parents=[limits, setting],
        help="evaluate a .keras model (or a spec, built fresh) on data",
        description="Evaluate on arrays keyed by input and output names.",
    )
    e.add_argument("model", metavar="MODEL_OR_SPEC", help="a .keras file (loaded in safe mode) or a spec")
    e.add_argument("--data", required=True, metavar="FILE.npz", help="arrays keyed by input and output names")
    e.add_argument("--batch-size", type=_positive, metavar="B")
    e.add_argument(
        "--format", choices=("text", "json"), default="text", help="text for people, json for tools (default: text)"
    )

    pr = sub.add_parser(
        "predict",
        parents=[limits, setting],
        help="predict with a .keras model; predictions saved keyed by output name",
        description="Predict on arrays keyed by input name.",
    )
    pr.add_argument("model", metavar="MODEL", help="a .keras file (loaded in safe mode) or a spec")
    pr.add_argument(
        "--data",
        required=True,
        metavar="FILE.npz",
        help="arrays keyed by input names; arrays named after outputs are ignored "
        "(one file serves evaluate and predict), any other is an error",
    )
    pr.add_argument(
        "-o", "--output", required=True, metavar="PREDS.npz", help="write the predictions here (atomically)"
    )
    pr.add_argument("--batch-size", type=_positive, metavar="B")


def _interchange_parsers(sub: Any) -> None:
    i = sub.add_parser(
        "import",
        help="import a Keras model (.keras, Keras JSON, or a keras.applications model) as a minimal spec",
        description="Turn a Keras model into a spec: Keras layer names become node names, only non-default arguments "
        "are written. .keras files load with Keras' safe mode on; "
        "custom layers must be registered with graphspec.register_layer.",
    )
    i.add_argument(
        "source", nargs="?", metavar="SOURCE", help="a .keras file, or a .json file written by model.to_json()"
    )
    i.add_argument(
        "--application", metavar="NAME", help="import keras.applications.NAME(weights=None) instead of a file"
    )
    i.add_argument("-o", "--output", metavar="SPEC", help="write the spec here (atomically) instead of printing it")
    i.add_argument("--format", choices=("yaml", "json"), help="output format (default: from the -o suffix, else yaml)")

    d = sub.add_parser(
        "diff",
        help="semantic diff of two specs or models: nodes added/removed/renamed, arguments changed, edges rewired",
        description="Compare two specs (or .keras files and Keras JSON, imported first), ignoring key order, "
        "formatting and arguments written at their default. Exit 0 when they describe the same model, "
        "1 when they differ, 2 on usage errors.",
    )
    d.add_argument("a", metavar="A", help="spec (.yaml, .json) or model (.keras, Keras JSON)")
    d.add_argument("b", metavar="B", help="spec (.yaml, .json) or model (.keras, Keras JSON)")
    d.add_argument(
        "--format", choices=("text", "json"), default="text", help="text for people, json for tools (default: text)"
    )


def _export_parser(sub: Any, limits: argparse.ArgumentParser, setting: argparse.ArgumentParser) -> None:
    x = sub.add_parser(
        "export",
        parents=[limits, setting],
        help="write a serving artefact (SavedModel, TFLite, ONNX) keyed by the spec's names, after a parity check",
        description="Build a spec's model (or load a .keras file of one) and write it as a SavedModel folder, "
        "a .tflite or an .onnx file whose serving signature takes and returns the spec's input and output names. "
        "Random inputs go through Keras and through the artefact, loaded by the runtime that serves it; "
        "an output that differs beyond the format's tolerance fails the export and nothing is written. "
        "A manifest (names, shapes, dtypes, the spec's hash, the parity measured) is written with it.",
    )
    x.add_argument(
        "source", metavar="SPEC|MODEL.keras", help="a YAML or JSON spec, or a .keras file of one (loaded in safe mode)"
    )
    x.add_argument(
        "-o", "--output", required=True, metavar="PATH", help="a folder (saved_model), a .tflite or an .onnx file"
    )
    x.add_argument(
        "--format",
        choices=("saved_model", "tflite", "onnx"),
        help="default: from the -o suffix (.tflite, .onnx; else saved_model)",
    )
    x.add_argument("--batch-size", type=_positive, metavar="N", help="fix the batch dimension (default: dynamic)")
    x.add_argument(
        "--samples", type=_positive, default=4, metavar="N", help="random samples the parity check runs (default: 4)"
    )
    x.add_argument("--seed", type=int, default=0, metavar="S", help="seed of the parity check's inputs (default: 0)")
    x.add_argument(
        "--atol", type=_tolerance, metavar="X", help="absolute tolerance of the parity check (default: the format's)"
    )
    x.add_argument(
        "--rtol", type=_tolerance, metavar="X", help="relative tolerance of the parity check (default: the format's)"
    )
    x.add_argument("--json", action="store_true", help="print what was written and measured as JSON")


def main(argv: Sequence[str] | None = None) -> int:
    _printable_output()
    parser = _parser()
    args, extra = parser.parse_known_args(argv)
    if args.command is None:
        if extra:
            parser.unrecognized(extra)
        parser.print_help()
        return EXIT_USAGE
    if extra:
        parser.commands[args.command].unrecognized(extra)  # its own usage, not the top level's
    quiet_tensorflow_start()  # only takes effect if the command imports TensorFlow
    with _terminate_as_interrupt() as terminated:
        try:
            return _COMMANDS[args.command](args)
        except KeyboardInterrupt as exc:
            # fit says what the run folder kept and how to go on; other commands leave nothing behind.
            describe = getattr(exc, "describe", None)
            print(f"graphspec: {describe() if describe else 'interrupted'}", file=sys.stderr)
            return EXIT_TERMINATED if terminated else EXIT_INTERRUPTED
        except BrokenPipeError:
            return EXIT_OK


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[list[int]]:
    """Handle SIGTERM (a scheduler's stop, ``kill``) as Ctrl-C, so an interrupted run cleans up and says what it kept.

    Yields a list that holds the signal once one arrived.
    """
    got: list[int] = []

    def stop(signum: int, frame: Any) -> None:
        got.append(signum)
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread: leave signals alone
        yield got
        return
    try:
        yield got
    finally:
        signal.signal(signal.SIGTERM, previous)


# A run folder that may not be used is a usage error, like a file that cannot be read: the spec is fine.
_USAGE_CODES = {Code.IO_ERROR, Code.RUN_EXISTS, Code.RUN_IN_USE, Code.CANNOT_RESUME}


def _printable_output() -> None:
    """Never fail on printing: a file name with undecodable bytes (a lone surrogate in Python) is written escaped."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


def _exit_for(error: SpecError) -> int:
    return EXIT_USAGE if all(d.code in _USAGE_CODES for d in error.errors) else EXIT_INVALID


def _spec_path(text: str) -> Path:
    """A spec argument as a path: ``-`` is standard input (read once, within --max-bytes, like any pipe)."""
    return Path("/dev/stdin") if text == "-" else Path(text)


def _assignment(text: str) -> tuple[str, Any]:
    try:
        return parse_override(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _budget(args: argparse.Namespace) -> tuple[Limits, Budget]:
    limits = Limits(max_bytes=args.max_bytes, max_data_bytes=args.max_data_bytes)
    return limits, Budget(
        max_params=args.max_params,
        max_nodes=args.max_nodes,
        max_build_nodes=args.max_build_nodes,
        max_build_bytes=args.max_build_bytes,
    )


def _validate(args: argparse.Namespace) -> int:
    limits, budget = _budget(args)
    worst = EXIT_OK
    records: list[dict[str, Any]] = []
    for path in args.specs:
        diags: list[Diagnostic]
        search = None
        try:
            loaded = parse_file(
                _spec_path(path), limits, pipes=True
            )  # read once: a pipe (`-`) cannot be read again for the survey
            report = validate_loaded(loaded, limits=limits, budget=budget, params=dict(args.params))
            diags = report.warnings
            status = EXIT_INVALID if args.strict and diags else EXIT_OK
            summary = (
                f"{len(report.spec.inputs)} inputs, {len(report.graph.order)} nodes, {len(report.spec.outputs)} outputs"
            )
            search = _search_survey(loaded, args, limits, budget)
            if search is not None and search.errors:
                diags, status, summary = (
                    [*search.diagnostics, *diags],
                    EXIT_INVALID,
                    f"{len(search.errors)} error(s) in the search space",
                )
        except SpecError as exc:
            diags = exc.diagnostics
            status = _exit_for(exc)
            summary = f"{len(exc.errors)} error(s)"
        worst = max(worst, status)
        if args.format == "json":
            records.append(
                {
                    "file": path,
                    "valid": status == EXIT_OK,
                    "diagnostics": [d.to_dict() for d in diags],
                    **({"search": search.to_dict()} if search else {}),
                }
            )
            continue
        for d in diags:
            print(d.render())
        for line in search.lines() if search is not None else ():
            print(f"{path}: {line}")
        state = "ok" if status == EXIT_OK else "invalid"
        print(f"{path}: {state} ({summary})")
    if args.format == "json":
        print(json.dumps(records, indent=2))
    return worst


def _search_survey(loaded: Any, args: argparse.Namespace, limits: Limits, budget: Budget) -> Any:
    """The survey of a spec's search space (``graphspec.tune.survey``), for a spec with a ``search:`` section."""
    if not isinstance(loaded.data, dict) or "search" not in loaded.data:
        return None
    from graphspec.tune.survey import check_search

    return check_search(loaded, params=dict(args.params), limits=limits, budget=budget)


def _build(args: argparse.Namespace) -> int:
    limits, budget = _budget(args)
    if args.output and not args.output.endswith(".keras"):
        hint = (
            "; for SavedModel, TFLite or ONNX use `graphspec export`"
            if args.output.endswith((".onnx", ".tflite")) or "." not in Path(args.output).name
            else ""
        )
        print(f"graphspec: --output must end in .keras (got {args.output}){hint}", file=sys.stderr)
        return EXIT_USAGE
    try:
        report = validate(_spec_path(args.spec), limits=limits, budget=budget, params=dict(args.params))
        for d in report.warnings:
            print(d.render())
        model = build_report(report, compile=not args.no_compile, budget=budget)
    except SpecError as exc:
        print(exc.render(), file=sys.stderr)
        return _exit_for(exc)
    if args.summary:
        print_keras_summary(model)
    if args.output:
        try:
            save_atomically(model, Path(args.output))
        except OSError as exc:
            print(f"graphspec: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_USAGE
        print(f"saved {args.output}")
    print(f"{args.spec}: built {model.name!r}: {model.count_params():,} parameters")
    return EXIT_OK


def _summary(args: argparse.Namespace) -> int:
    from graphspec.summary import render_summary

    limits, budget = _budget(args)
    try:
        report = validate(_spec_path(args.spec), limits=limits, budget=budget, params=dict(args.params))
    except SpecError as exc:
        print(exc.render(), file=sys.stderr)
        return _exit_for(exc)
    for d in report.warnings:
        print(d.render())
    sys.stdout.write(render_summary(report))
    return EXIT_OK


def _expand(args: argparse.Namespace) -> int:
    limits, budget = _budget(args)
    try:
        spec = expand(_spec_path(args.spec), limits=limits, budget=budget, params=dict(args.params))
    except SpecError as exc:
        print(exc.render(), file=sys.stderr)
        return _exit_for(exc)
    sys.stdout.write(spec.to_yaml() if args.format == "yaml" else spec.to_json() + "\n")
    return EXIT_OK


def _schema(args: argparse.Namespace) -> int:
    from graphspec.schema import render_schema

    sys.stdout.write(render_schema())
    return EXIT_OK


def _fit(args: argparse.Namespace) -> int:
    from graphspec.train import fit

    limits, budget = _budget(args)
    settings = {
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "run_dir": args.run_dir,
        "strategy": args.strategy,
        "seed": args.seed,
        "tensorboard": args.tensorboard,
    }
    source = Path(args.data) if args.data else None
    flags = {"resume": args.resume, "overwrite": args.overwrite, "verbose": 0 if args.quiet else "auto"}
    result = fit(
        _spec_path(args.spec),
        source,
        synthetic=args.synthetic,
        limits=limits,
        budget=budget,
        params=dict(args.params),
        **settings,
        **flags,
    )
    for line in fit_summary(args.spec, result):
        print(line)
    return EXIT_OK


def fit_summary(spec: str, result: Any) -> list[str]:
    """What ``graphspec fit`` prints at the end: what was trained,
    which epoch's weights were saved (with their metrics), where."""
    done = f"stopped early after epoch {result.epochs}" if result.stopped_early else f"trained {result.epochs} epoch(s)"
    resumed = (
        f" (resumed after epoch {result.resumed_from}; {len(result.history.epoch)} in this run)"
        if result.resumed_from
        else ""
    )
    lines = [f"{spec}: {done}{resumed}"]
    if result.saved_epoch:
        how = f" (restored by {result.restored_by})" if result.restored_by else " (the last)"
        metrics = ", ".join(f"{k} {v:.4g}" for k, v in result.saved_metrics.items())
        lines.append(f"model.keras: weights of epoch {result.saved_epoch}{how}: {metrics}")
    lines.append(
        f"run folder: {result.run_dir}"
        if result.wrote_run_dir
        else "run folder: left to the chief (this worker kept nothing)"
    )
    return lines


def _tune(args: argparse.Namespace) -> int:
    from graphspec.tune.run import tune

    limits, budget = _budget(args)
    source = Path(args.data) if args.data else None
    settings = {
        "tuner": args.tuner,
        "directory": args.dir,
        "seed": args.seed,
        "executions": args.executions,
        "keep": args.keep,
        "isolate": not args.in_process,
    }
    tune(
        _spec_path(args.spec),
        source,
        synthetic=args.synthetic,
        max_trials=args.max_trials,
        params=dict(args.params),
        limits=limits,
        budget=budget,
        **settings,
    )
    return EXIT_OK


def _evaluate(args: argparse.Namespace) -> int:
    from graphspec.train import evaluate

    limits, budget = _budget(args)
    results = evaluate(
        _spec_path(args.model),
        Path(args.data),
        batch_size=args.batch_size,
        limits=limits,
        budget=budget,
        params=dict(args.params),
    )
    if args.format == "json":
        print(json.dumps(results, indent=2))
    else:
        for name, value in results.items():
            print(f"{name}: {value:.6g}")
    return EXIT_OK


def _predict(args: argparse.Namespace) -> int:
    from graphspec.data import save_npz
    from graphspec.train import predict

    limits, budget = _budget(args)
    output = Path(args.output)
    if output.is_dir() or not output.parent.is_dir():
        # Checked before predicting; the error of the write itself would name its temporary file.
        print(f"graphspec: cannot write {args.output}: it is a folder, or its folder does not exist", file=sys.stderr)
        return EXIT_USAGE
    preds = predict(
        _spec_path(args.model),
        Path(args.data),
        batch_size=args.batch_size,
        limits=limits,
        budget=budget,
        params=dict(args.params),
    )
    save_npz(preds, args.output)
    print(f"saved {args.output}: " + ", ".join(f"{k} {v.shape}" for k, v in preds.items()))
    return EXIT_OK


def _reported(command: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Run a training command, turning its SpecError and file errors into messages and exit codes."""

    def run(args: argparse.Namespace) -> int:
        try:
            return command(args)
        except SpecError as exc:
            print(exc.render(), file=sys.stderr)
            return _exit_for(exc)
        except OSError as exc:
            print(f"graphspec: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_USAGE

    return run


def _import(args: argparse.Namespace) -> int:
    from graphspec.importer import application, from_keras

    if (args.source is None) == (args.application is None):
        print("graphspec import: give either SOURCE or --application NAME", file=sys.stderr)
        return EXIT_USAGE
    fmt = args.format or ("json" if args.output and args.output.endswith(".json") else "yaml")
    try:
        spec = from_keras(application(args.application) if args.application else Path(args.source))
    except SpecError as exc:
        print(exc.render(), file=sys.stderr)
        return EXIT_USAGE if all(d.code in (Code.IO_ERROR, Code.BAD_MODEL) for d in exc.errors) else EXIT_INVALID
    text = spec.to_yaml() if fmt == "yaml" else spec.to_json() + "\n"
    if not args.output:
        sys.stdout.write(text)
        return EXIT_OK
    try:
        write_text_atomically(args.output, text)
    except OSError as exc:
        print(f"graphspec: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"wrote {args.output}: {len(spec.nodes)} nodes")
    return EXIT_OK


def _diff(args: argparse.Namespace) -> int:
    from graphspec.diff import diff_specs
    from graphspec.importer import load_any

    try:
        result = diff_specs(load_any(_spec_path(args.a)), load_any(_spec_path(args.b)))
    except SpecError as exc:
        print(exc.render(), file=sys.stderr)
        return EXIT_USAGE
    sys.stdout.write(json.dumps(result.to_dict(), indent=2) + "\n" if args.format == "json" else result.render())
    return EXIT_OK if result.equal else EXIT_INVALID


def _lsp(args: argparse.Namespace) -> int:
    from graphspec.lsp.server import main as serve

    return serve()


def _export(args: argparse.Namespace) -> int:
    from graphspec.export import TOLERANCES, Tolerance, export, format_for

    limits, budget = _budget(args)
    source = Path(args.source)
    try:
        fmt = format_for(args.output, args.format)
    except SpecError as exc:
        print(exc.render(), file=sys.stderr)
        return EXIT_USAGE
    default = TOLERANCES[fmt]
    tolerance = Tolerance(
        default.atol if args.atol is None else args.atol, default.rtol if args.rtol is None else args.rtol
    )
    settings = {
        "format": fmt,
        "batch_size": args.batch_size,
        "samples": args.samples,
        "seed": args.seed,
        "tolerance": tolerance,
    }
    try:
        result = export(source, Path(args.output), **settings, limits=limits, budget=budget, params=dict(args.params))
    except SpecError as exc:
        print(exc.render(), file=sys.stderr)
        return EXIT_USAGE if all(d.code in (Code.IO_ERROR, Code.MISSING_EXTRA) for d in exc.errors) else EXIT_INVALID
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
        return EXIT_OK

    def tensors(infos: Any) -> str:
        return ", ".join(f"{t.name} {tuple(t.shape)} {t.dtype}" for t in infos)

    diffs = ", ".join(f"{k} {v:.2g}" for k, v in result.parity.items())
    print(f"exported {args.source} to {args.output} ({result.format}, {result.seconds:.1f} s)")
    print(f"  inputs:   {tensors(result.inputs)}")
    print(f"  outputs:  {tensors(result.outputs)}")
    print(
        f"  parity:   {result.samples} samples, max |diff| {diffs} (atol {result.tolerance.atol:g}, "
        f"rtol {result.tolerance.rtol:g})"
    )
    print(f"  manifest: {result.manifest}")
    return EXIT_OK


def _draw(args: argparse.Namespace) -> int:
    from graphspec.render import DrawOptions, format_for, render_scene, scene_of

    limits, budget = _budget(args)
    fmt = args.format or (format_for(args.output) if args.output else "svg")
    if fmt is None:
        print(
            f"graphspec draw: cannot tell the format of {args.output}; "
            "give --format or a .svg .dot .mmd .html .json name",
            file=sys.stderr,
        )
        return EXIT_USAGE
    for given, role in ((args.spec, "being drawn"), (args.diff, "diffed against")) if args.output else ():
        # A JSON spec drawn to -o model.json would be replaced by its own drawing.
        if given is not None and _same_file(given, args.output):
            print(f"graphspec draw: {args.output} is the spec {role}; give another -o", file=sys.stderr)
            return EXIT_USAGE
    show = tuple(s.strip() for s in args.show.split(",") if s.strip())
    options = DrawOptions(show, tuple(args.expand), args.depth, args.rankdir, args.start, args.end, args.engine)
    try:
        scene = scene_of(
            Path(args.spec),
            options,
            diff=Path(args.diff) if args.diff else None,
            params=dict(args.params),
            limits=limits,
            budget=budget,
        )
        text = render_scene(scene, fmt, options)
    except SpecError as exc:
        print(exc.render(), file=sys.stderr)
        return _exit_for(exc)
    except (ValueError, OSError) as exc:
        print(f"graphspec draw: {exc}", file=sys.stderr)
        return EXIT_USAGE
    for d in scene.problems:
        print(d.render(), file=sys.stderr)
    if args.output:
        try:
            write_text_atomically(args.output, text)
        except OSError as exc:
            print(f"graphspec: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_USAGE
        print(f"wrote {args.output}: {len(scene.nodes)} nodes, {len(scene.clusters)} clusters", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_INVALID if any(d.is_error for d in scene.problems) else EXIT_OK


def _same_file(a: str, b: str) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except (OSError, RuntimeError):
        return False


_COMMANDS = {
    "validate": _validate,
    "lsp": _lsp,
    "build": _build,
    "summary": _summary,
    "expand": _expand,
    "schema": _schema,
    "fit": _reported(_fit),
    "evaluate": _reported(_evaluate),
    "tune": _reported(_tune),
    "predict": _reported(_predict),
    "import": _import,
    "diff": _diff,
    "export": _export,
    "draw": _draw,
}


def save_atomically(model: Any, path: Path) -> None:
    """Save to a temporary file beside ``path``, then rename it into place.

    A failure or interruption leaves no half-written model at ``path``.
    """
    replace_atomically(path, model.save, suffix=".keras")
