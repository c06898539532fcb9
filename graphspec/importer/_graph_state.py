"""What the concerns of one model's import share: the model, its graph, and the spec data made so far.

:class:`_GraphState` holds that state and names the step one concern asks of
another, implemented by a mixin (``_calls``); :class:`graphspec.importer._graph.ModelImporter`
combines the mixins (``_calls``, ``_ops``, ``_interface``) with the walk itself.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from graphspec._util.keras import import_keras
from graphspec.errors import Code, Diagnostic, SpecError


def _fail(message: str, hint: str | None = None, code: Code = Code.UNSUPPORTED_MODEL) -> SpecError:
    return SpecError([Diagnostic(code, message, (), hint)])


class _GraphState(ABC):
    """One model's import: the model and the graph walked, and what the walk has named and made.

    ``refs`` names each call (by layer id and call index) as a reference, ``inputs`` and
    ``nodes`` hold the spec data made, ``taken`` the node names the model's layers claim,
    ``calls`` and ``owners`` count and name each layer's calls, ``keys`` each output's compile
    key, ``keyed_inputs`` the inputs named by a dict key.
    """

    def __init__(self, model: Any, depth: int = 0):
        keras = import_keras()
        self.model = model
        self.depth = depth
        if isinstance(model, keras.Sequential):
            functional = getattr(model, "_functional", None)
            if functional is None:
                raise _fail(
                    f"Sequential model {model.name!r} has no input shape yet",
                    "start it with keras.Input(shape=...) or build it before importing",
                )
            self.graph = functional
        elif type(model).__name__ == "Functional":
            self.graph = model
        else:
            raise _fail(
                f"model {model.name!r} is a subclassed {type(model).__name__}; "
                "only functional and Sequential models have a graph to import"
            )
        self.taken: set[str] = set()
        self.refs: dict[tuple[int, int], str] = {}
        self.inputs: dict[str, Any] = {}
        self.nodes: dict[str, dict[str, Any]] = {}
        self.keys: list[tuple[str, str | None]] = []  # each output's compile key and spec output name (None: unnamed)
        self.calls: dict[int, int] = {}  # per layer (by id), how many of its calls are imported
        self.owners: dict[int, str] = {}  # per layer (by id), the node that declares it
        self.keyed_inputs: dict[int, str] = {}
        self.inputs_tree: Any = None

    @abstractmethod
    def _ref(self, tensor: Any) -> str:
        """The reference a spec writes for ``tensor``: its node, with ``:i`` among several outputs (``_calls``)."""
