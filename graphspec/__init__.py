"""graphspec: Keras functional models as declarative, checked specs.

``import graphspec`` and :func:`validate` never import TensorFlow; only
:func:`build`, :func:`from_keras` and the training functions (:func:`fit`, :func:`evaluate`, :func:`predict`,
:func:`tune`) do. :func:`check_search` surveys a search space without it.
"""

from __future__ import annotations

import typing as _typing

from graphspec._api import Report, build, build_models, expand, load, validate
from graphspec.budget import Budget
from graphspec.catalog import register_callback, register_layer, unregister_callback, unregister_layer
from graphspec.diff import diff_specs
from graphspec.errors import Code, Diagnostic, Severity, SpecError
from graphspec.importer import from_keras
from graphspec.objects import register_object, unregister_object
from graphspec.source import Limits
from graphspec.spec import CompileSpec, DistributeSpec, FitSpec, InputSpec, InterfaceSpec, LintSpec, ModelSpec, NodeSpec, ObjectSpec, OutputSpec, Spec, StructureSpec

if _typing.TYPE_CHECKING:
    from graphspec.render import draw
    from graphspec.serving import ExportResult, export
    from graphspec.survey import SearchReport, check_search
    from graphspec.train import FitResult, evaluate, fit, predict
    from graphspec.tuning import TuneResult, tune

# Training needs NumPy at import, and the uses of a built model are not needed to
# validate; loaded on first use so `import graphspec` and `graphspec validate` stay
# as light as they can (see benchmarks/validate_speed.py); drawing loads networkx and
# its layout only when asked to draw. Name → module.
_LAZY = {
    "FitResult": "train",
    "evaluate": "train",
    "fit": "train",
    "predict": "train",
    "ExportResult": "serving",
    "export": "serving",
    "draw": "render",
    "TuneResult": "tuning",
    "tune": "tuning",
    "SearchReport": "survey",
    "check_search": "survey",
}


def __getattr__(name: str) -> _typing.Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"graphspec.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'graphspec' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})

__version__ = "0.1.0"

__all__ = [
    "Budget",
    "Code",
    "CompileSpec",
    "Diagnostic",
    "DistributeSpec",
    "ExportResult",
    "FitResult",
    "FitSpec",
    "InputSpec",
    "InterfaceSpec",
    "Limits",
    "LintSpec",
    "ModelSpec",
    "NodeSpec",
    "ObjectSpec",
    "OutputSpec",
    "Report",
    "SearchReport",
    "Severity",
    "Spec",
    "SpecError",
    "StructureSpec",
    "TuneResult",
    "__version__",
    "build",
    "build_models",
    "check_search",
    "diff_specs",
    "draw",
    "evaluate",
    "expand",
    "export",
    "fit",
    "from_keras",
    "load",
    "predict",
    "register_callback",
    "register_layer",
    "register_object",
    "tune",
    "unregister_callback",
    "unregister_layer",
    "unregister_object",
    "validate",
]
