"""The ``graphspec`` command: validate specs without TensorFlow, build them with it.

Exit codes: 0 success, 1 invalid spec, 2 usage or I/O error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from graphspec import __version__
from graphspec._api import build_report, expand, validate
from graphspec._files import replace_atomically, write_text_atomically
from graphspec.budget import Budget
from graphspec.errors import Code, Diagnostic, SpecError
from graphspec.expansion import parse_override
from graphspec.source import Limits

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2

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
  graphspec import --application ResNet50 -o resnet50.yaml
  graphspec diff old.yaml new.yaml

exit codes: 0 valid/built, 1 invalid spec, 2 usage or I/O error
"""


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def _limits_parser() -> argparse.ArgumentParser:
    """The read limits and budgets every command that reads a spec takes."""
    limits = argparse.ArgumentParser(add_help=False)
    limits.add_argument("--max-bytes", type=_positive, default=Limits().max_bytes, metavar="N", help="largest spec text: a file with its includes and model files (default: 1 MiB)")
    limits.add_argument("--max-params", type=_positive, default=Budget().max_params, metavar="N", help=f"refuse models with more parameters (default: {Budget().max_params:,})")
    limits.add_argument("--max-nodes", type=_positive, default=Budget().max_nodes, metavar="N", help=f"refuse specs with more nodes (default: {Budget().max_nodes:,})")
    limits.add_argument(
        "--max-build-nodes", type=_positive, default=Budget().max_build_nodes, metavar="N", help=f"refuse building more Keras layers (default: {Budget().max_build_nodes:,})"
    )
    limits.add_argument(
        "--max-build-bytes", type=_positive, default=Budget().max_build_bytes, metavar="N", help="refuse builds estimated to need more memory (default: 12 GB)"
    )
    limits.add_argument("--max-data-bytes", type=_positive, default=Limits().max_data_bytes, metavar="N", help="largest data: .npz arrays or synthetic data (default: 4 GiB)")
    return limits


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="graphspec",
        description="Compile declarative YAML/JSON model specs into Keras 3 functional models.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"graphspec {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    limits = _limits_parser()

    setting = argparse.ArgumentParser(add_help=False)
    setting.add_argument(
        "--set", action="append", type=_assignment, default=[], metavar="NAME=VALUE", dest="params", help="set a parameter declared under the spec's `params:` (repeatable)"
    )

    v = sub.add_parser(
        "validate",
        parents=[limits, setting],
        help="check specs (structure, graph, layer arguments) without importing TensorFlow",
        description="Check specs: structure, references, cycles, reachability, layer names and arguments. Never imports TensorFlow.",
    )
    v.add_argument("specs", nargs="+", metavar="SPEC", help="YAML or JSON spec files")
    v.add_argument("--format", choices=("text", "json"), default="text", help="text for people, json for tools (default: text)")
    v.add_argument("--strict", action="store_true", help="treat warnings (dead nodes) as errors")

    b = sub.add_parser(
        "build",
        parents=[limits, setting],
        help="build (and compile) the Keras model of a spec",
        description="Validate a spec, build its keras.Model, compile it, and optionally save it.",
    )
    b.add_argument("spec", metavar="SPEC", help="YAML or JSON spec file")
    b.add_argument("-o", "--output", metavar="MODEL.keras", help="save the model here (written atomically)")
    b.add_argument("--summary", action="store_true", help="print the Keras model summary")
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
        description="Expand a spec's blocks, repeats, parameters and includes and print the flat spec it stands for. Never imports TensorFlow.",
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
    _interchange_parsers(sub)
    return parser


def _training_parsers(sub: Any, limits: argparse.ArgumentParser, setting: argparse.ArgumentParser) -> None:
    f = sub.add_parser(
        "fit",
        parents=[limits, setting],
        help="train a spec's model as its fit: section says, into a run folder",
        description="Validate a spec and its data, build the model (inside the tf.distribute strategy's scope, if any) and train it. "
        "The run folder gets spec.yaml, model.keras, history.json, history.csv, history.png (and logs/ for TensorBoard).",
    )
    f.add_argument("spec", metavar="SPEC", help="YAML or JSON spec file")
    source = f.add_mutually_exclusive_group(required=True)
    source.add_argument("--data", metavar="FILE.npz", help="arrays keyed by the spec's input and output names")
    source.add_argument("--synthetic", type=_positive, metavar="N", help="train on N random samples shaped like the inputs and outputs")
    f.add_argument("--epochs", type=_positive, metavar="E", help="override fit.epochs")
    f.add_argument("--batch-size", type=_positive, metavar="B", help="override fit.batch_size")
    f.add_argument("--run-dir", metavar="DIR", help="the run folder (default: runs/<name>-<timestamp>); the same folder again resumes with BackupAndRestore")
    f.add_argument("--strategy", choices=("mirrored", "multi-worker"), help="train under this tf.distribute strategy (overrides distribute:)")
    f.add_argument("--seed", type=int, metavar="S", help="seed Python, NumPy, TensorFlow and the synthetic data")
    f.add_argument("--tensorboard", action="store_true", help="write TensorBoard logs (with histograms) to the run folder's logs/")

    e = sub.add_parser("evaluate", parents=[limits, setting], help="evaluate a .keras model (or a spec, built fresh) on data", description="Evaluate on arrays keyed by input and output names.")
    e.add_argument("model", metavar="MODEL_OR_SPEC", help="a .keras file (loaded in safe mode) or a spec")
    e.add_argument("--data", required=True, metavar="FILE.npz", help="arrays keyed by input and output names")
    e.add_argument("--batch-size", type=_positive, metavar="B")
    e.add_argument("--format", choices=("text", "json"), default="text", help="text for people, json for tools (default: text)")

    pr = sub.add_parser("predict", parents=[limits, setting], help="predict with a .keras model; predictions saved keyed by output name", description="Predict on arrays keyed by input name.")
    pr.add_argument("model", metavar="MODEL", help="a .keras file (loaded in safe mode) or a spec")
    pr.add_argument("--data", required=True, metavar="FILE.npz", help="arrays keyed by input names (others are ignored)")
    pr.add_argument("-o", "--output", required=True, metavar="PREDS.npz", help="write the predictions here (atomically)")
    pr.add_argument("--batch-size", type=_positive, metavar="B")


def _interchange_parsers(sub: Any) -> None:
    i = sub.add_parser(
        "import",
        help="import a Keras model (.keras, Keras JSON, or a keras.applications model) as a minimal spec",
        description="Turn a Keras model into a spec: Keras layer names become node names, only non-default arguments are written. "
        ".keras files load with Keras' safe mode on; custom layers must be registered with graphspec.register_layer.",
    )
    i.add_argument("source", nargs="?", metavar="SOURCE", help="a .keras file, or a .json file written by model.to_json()")
    i.add_argument("--application", metavar="NAME", help="import keras.applications.NAME(weights=None) instead of a file")
    i.add_argument("-o", "--output", metavar="SPEC", help="write the spec here (atomically) instead of printing it")
    i.add_argument("--format", choices=("yaml", "json"), help="output format (default: from the -o suffix, else yaml)")

    d = sub.add_parser(
        "diff",
        help="semantic diff of two specs or models: nodes added/removed/renamed, arguments changed, edges rewired",
        description="Compare two specs (or .keras files and Keras JSON, imported first), ignoring key order, formatting and "
        "arguments written at their default. Exit 0 when they describe the same model, 1 when they differ, 2 on usage errors.",
    )
    d.add_argument("a", metavar="A", help="spec (.yaml, .json) or model (.keras, Keras JSON)")
    d.add_argument("b", metavar="B", help="spec (.yaml, .json) or model (.keras, Keras JSON)")
    d.add_argument("--format", choices=("text", "json"), default="text", help="text for people, json for tools (default: text)")


def main(argv: Sequence[str] | None = None) -> int:
    _printable_output()
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        return _COMMANDS[args.command](args)
    except KeyboardInterrupt:
        print("graphspec: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


def _printable_output() -> None:
    """Never fail on printing: a file name with undecodable bytes (a lone surrogate in Python) is written escaped."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


def _exit_for(error: SpecError) -> int:
    return EXIT_USAGE if all(d.code is Code.IO_ERROR for d in error.errors) else EXIT_INVALID


def _assignment(text: str) -> tuple[str, Any]:
    try:
        return parse_override(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _budget(args: argparse.Namespace) -> tuple[Limits, Budget]:
    limits = Limits(max_bytes=args.max_bytes, max_data_bytes=args.max_data_bytes)
    return limits, Budget(max_params=args.max_params, max_nodes=args.max_nodes, max_build_nodes=args.max_build_nodes, max_build_bytes=args.max_build_bytes)


def _validate(args: argparse.Namespace) -> int:
    limits, budget = _budget(args)
    worst = EXIT_OK
    records: list[dict[str, Any]] = []
    for path in args.specs:
        diags: list[Diagnostic]
        try:
            report = validate(Path(path), limits=limits, budget=budget, params=dict(args.params))
            diags = report.warnings
            status = EXIT_INVALID if args.strict and diags else EXIT_OK
            summary = f"{len(report.spec.inputs)} inputs, {len(report.graph.order)} nodes, {len(report.spec.outputs)} outputs"
        except SpecError as exc:
            diags = exc.diagnostics
            status = _exit_for(exc)
            summary = f"{len(exc.errors)} error(s)"
        worst = max(worst, status)
        if args.format == "json":
            records.append({"file": path, "valid": status == EXIT_OK, "diagnostics": [d.to_dict() for d in diags]})
            continue
        for d in diags:
            print(d.render())
        state = "ok" if status == EXIT_OK else "invalid"
        print(f"{path}: {state} ({summary})")
    if args.format == "json":
        print(json.dumps(records, indent=2))
    return worst


def _build(args: argparse.Namespace) -> int:
    limits, budget = _budget(args)
    if args.output and not args.output.endswith(".keras"):
        print(f"graphspec: --output must end in .keras (got {args.output})", file=sys.stderr)
        return EXIT_USAGE
    try:
        report = validate(Path(args.spec), limits=limits, budget=budget, params=dict(args.params))
        for d in report.warnings:
            print(d.render())
        model = build_report(report, compile=not args.no_compile, budget=budget)
    except SpecError as exc:
        print(exc.render(), file=sys.stderr)
        return _exit_for(exc)
    if args.summary:
        model.summary(line_length=120)
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
        report = validate(Path(args.spec), limits=limits, budget=budget, params=dict(args.params))
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
        spec = expand(Path(args.spec), limits=limits, budget=budget, params=dict(args.params))
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
    settings = {"epochs": args.epochs, "batch_size": args.batch_size, "run_dir": args.run_dir, "strategy": args.strategy, "seed": args.seed, "tensorboard": args.tensorboard}
    source = Path(args.data) if args.data else None
    result = fit(Path(args.spec), source, synthetic=args.synthetic, limits=limits, budget=budget, params=dict(args.params), **settings)
    last = {k: f"{v[-1]:.4g}" for k, v in result.history.history.items()}
    print(f"{args.spec}: trained {len(result.history.epoch)} epoch(s); " + ", ".join(f"{k} {v}" for k, v in last.items()))
    print(f"run folder: {result.run_dir}" if result.wrote_run_dir else "run folder: left to the chief (this worker kept nothing)")
    return EXIT_OK


def _evaluate(args: argparse.Namespace) -> int:
    from graphspec.train import evaluate

    limits, budget = _budget(args)
    results = evaluate(Path(args.model), Path(args.data), batch_size=args.batch_size, limits=limits, budget=budget, params=dict(args.params))
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
    preds = predict(Path(args.model), Path(args.data), batch_size=args.batch_size, limits=limits, budget=budget, params=dict(args.params))
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
        result = diff_specs(load_any(Path(args.a)), load_any(Path(args.b)))
    except SpecError as exc:
        print(exc.render(), file=sys.stderr)
        return EXIT_USAGE
    sys.stdout.write(json.dumps(result.to_dict(), indent=2) + "\n" if args.format == "json" else result.render())
    return EXIT_OK if result.equal else EXIT_INVALID


_COMMANDS = {
    "validate": _validate,
    "build": _build,
    "summary": _summary,
    "expand": _expand,
    "schema": _schema,
    "fit": _reported(_fit),
    "evaluate": _reported(_evaluate),
    "predict": _reported(_predict),
    "import": _import,
    "diff": _diff,
}


def save_atomically(model: Any, path: Path) -> None:
    """Save to a temporary file beside ``path``, then rename it into place.

    A failure or interruption leaves no half-written model at ``path``.
    """
    replace_atomically(path, model.save, suffix=".keras")
