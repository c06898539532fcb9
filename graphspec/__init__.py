"""graphspec: Keras functional models as declarative, checked specs.

``import graphspec`` and :func:`validate` never import TensorFlow; only
:func:`build` does.
"""

from __future__ import annotations

from graphspec._api import Report, build, load, validate
from graphspec.budget import Budget
from graphspec.catalog import register_layer, unregister_layer
from graphspec.errors import Code, Diagnostic, Severity, SpecError
from graphspec.source import Limits
from graphspec.spec import CompileSpec, InputSpec, NodeSpec, ObjectSpec, OutputSpec, Spec

__version__ = "0.1.0"

__all__ = [
    "Budget",
    "Code",
    "CompileSpec",
    "Diagnostic",
    "InputSpec",
    "Limits",
    "NodeSpec",
    "ObjectSpec",
    "OutputSpec",
    "Report",
    "Severity",
    "Spec",
    "SpecError",
    "__version__",
    "build",
    "load",
    "register_layer",
    "unregister_layer",
    "validate",
]
