"""graphspec: Keras functional models as declarative, checked specs.

``import graphspec`` and :func:`validate` never import TensorFlow; only
:func:`build`, :func:`from_keras` and the training functions (:func:`fit`, :func:`evaluate`, :func:`predict`,
:func:`tune`) do. :func:`check_search` surveys a search space without it.
"""

from __future__ import annotations

import importlib as _importlib
import typing as _typing

from graphspec.budget import Budget
from graphspec.catalog import register_callback, register_layer, unregister_callback, unregister_layer
from graphspec.catalog.objects import register_object, unregister_object
from graphspec.diff import diff_specs
from graphspec.errors import Code, Diagnostic, Severity, SpecError
from graphspec.pipeline import Report, build, build_models, expand, load, validate
from graphspec.source import Limits
from graphspec.spec import (
    CompileSpec,
    DistributeSpec,
    FitSpec,
    InputSpec,
    InterfaceSpec,
    LintSpec,
    ModelSpec,
    NodeSpec,
    ObjectSpec,
    OutputSpec,
    Spec,
    StructureSpec,
)

if _typing.TYPE_CHECKING:
    from graphspec.export import ExportResult, export
    from graphspec.importer import from_keras
    from graphspec.render import draw
    from graphspec.train import FitResult, evaluate, fit, predict
    from graphspec.tune.run import TuneResult, tune
    from graphspec.tune.survey import SearchReport, check_search

# Training needs NumPy at import, and the uses of a built model are not needed to
# validate; loaded on first use so `import graphspec` and `graphspec validate` stay
# as light as they can (see benchmarks/validate_speed.py); drawing loads networkx and
# its layout only when asked to draw, the importer's walker only when importing. Name → module.
_LAZY = {
    "from_keras": "importer",
    "FitResult": "train",
    "evaluate": "train",
    "fit": "train",
    "predict": "train",
    "ExportResult": "export",
    "export": "export",
    "draw": "render",
    "TuneResult": "tune.run",
    "tune": "tune.run",
    "SearchReport": "tune.survey",
    "check_search": "tune.survey",
}

# Three functions share their names with the packages that hold them (the pipeline's
# `expand/`, the commands' `export.py` and `tune/`). Python sets a package's attribute
# to a submodule when that submodule is first imported, which would replace the
# function `graphspec.tune` with the module `graphspec.tune`. So the (light) modules are
# imported here, once, before the names are bound: `expand` is bound by the pipeline's
# import above, `export` and `tune` are dropped so that `__getattr__` answers them with
# the functions. tests/test_layout.py checks that they stay functions after every
# submodule is imported.
_importlib.import_module("graphspec.export")  # light: TensorFlow loads inside export()
_importlib.import_module("graphspec.tune")  # a package of light modules: Keras Tuner loads inside tune()
del export, tune  # type: ignore[name-defined]  # the submodules, set by the imports above


def __getattr__(name: str) -> _typing.Any:
    if name in _LAZY:
        return getattr(_importlib.import_module(f"graphspec.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'graphspec' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


from graphspec._version import __version__  # noqa: E402

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
