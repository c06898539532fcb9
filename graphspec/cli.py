"""The ``graphspec`` command: validate specs without TensorFlow, build them with it.

Exit codes: 0 success, 1 invalid spec, 2 usage or I/O error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from graphspec import __version__
from graphspec._api import build_report, validate
from graphspec.budget import Budget
from graphspec.errors import Code, Diagnostic, SpecError
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

exit codes: 0 valid/built, 1 invalid spec, 2 usage or I/O error
"""


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="graphspec",
        description="Compile declarative YAML/JSON model specs into Keras 3 functional models.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"graphspec {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    limits = argparse.ArgumentParser(add_help=False)
    limits.add_argument("--max-bytes", type=_positive, default=Limits().max_bytes, metavar="N", help="largest spec file accepted (default: 1 MiB)")
    limits.add_argument("--max-params", type=_positive, default=Budget().max_params, metavar="N", help=f"refuse models with more parameters (default: {Budget().max_params:,})")
    limits.add_argument("--max-nodes", type=_positive, default=Budget().max_nodes, metavar="N", help=f"refuse specs with more nodes (default: {Budget().max_nodes:,})")

    v = sub.add_parser(
        "validate",
        parents=[limits],
        help="check specs (structure, graph, layer arguments) without importing TensorFlow",
        description="Check specs: structure, references, cycles, reachability, layer names and arguments. Never imports TensorFlow.",
    )
    v.add_argument("specs", nargs="+", metavar="SPEC", help="YAML or JSON spec files")
    v.add_argument("--format", choices=("text", "json"), default="text", help="text for people, json for tools (default: text)")
    v.add_argument("--strict", action="store_true", help="treat warnings (dead nodes) as errors")

    b = sub.add_parser(
        "build",
        parents=[limits],
        help="build (and compile) the Keras model of a spec",
        description="Validate a spec, build its keras.Model, compile it, and optionally save it.",
    )
    b.add_argument("spec", metavar="SPEC", help="YAML or JSON spec file")
    b.add_argument("-o", "--output", metavar="MODEL.keras", help="save the model here (written atomically)")
    b.add_argument("--summary", action="store_true", help="print the Keras model summary")
    b.add_argument("--no-compile", action="store_true", help="build without compiling")

    s = sub.add_parser(
        "summary",
        parents=[limits],
        help="print node, layer, output shape, params and FLOPs without TensorFlow",
        description="Validate a spec and print a Keras-like summary inferred statically: no TensorFlow, no weights.",
    )
    s.add_argument("spec", metavar="SPEC", help="YAML or JSON spec file")

    sub.add_parser(
        "schema",
        help="print the JSON Schema of the spec format (for editors)",
        description="Print the JSON Schema of the format, with every layer's argument names. "
        "Save it and point yaml-language-server at it: `# yaml-language-server: $schema=graphspec.schema.json`.",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
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


def _exit_for(error: SpecError) -> int:
    return EXIT_USAGE if all(d.code is Code.IO_ERROR for d in error.errors) else EXIT_INVALID


def _budget(args: argparse.Namespace) -> tuple[Limits, Budget]:
    return Limits(max_bytes=args.max_bytes), Budget(max_params=args.max_params, max_nodes=args.max_nodes)


def _validate(args: argparse.Namespace) -> int:
    limits, budget = _budget(args)
    worst = EXIT_OK
    records: list[dict[str, Any]] = []
    for path in args.specs:
        diags: list[Diagnostic]
        try:
            report = validate(Path(path), limits=limits, budget=budget)
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
        report = validate(Path(args.spec), limits=limits, budget=budget)
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
        report = validate(Path(args.spec), limits=limits, budget=budget)
    except SpecError as exc:
        print(exc.render(), file=sys.stderr)
        return _exit_for(exc)
    for d in report.warnings:
        print(d.render())
    sys.stdout.write(render_summary(report))
    return EXIT_OK


def _schema(args: argparse.Namespace) -> int:
    from graphspec.schema import render_schema

    sys.stdout.write(render_schema())
    return EXIT_OK


_COMMANDS = {"validate": _validate, "build": _build, "summary": _summary, "schema": _schema}


def save_atomically(model: Any, path: Path) -> None:
    """Save to a temporary file beside ``path``, then rename it into place.

    A failure or interruption leaves no half-written model at ``path``.
    """
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".keras", dir=folder)
    os.close(fd)
    try:
        model.save(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
