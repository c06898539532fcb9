"""Stage 4c, resource budgets: refuse a spec that is too big before any weight exists.

Keras allocates every weight as it builds: ``Dense(units=10**9)`` on a 1,000-wide
input asks for 4 TB and only then fails (or, on a big host, succeeds slowly).
graphspec counts parameters statically (:mod:`graphspec.shapes`) and refuses a
spec over budget with the computed figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from graphspec.errors import Code, Diagnostic

if TYPE_CHECKING:
    from graphspec.shapes import Inference
    from graphspec.spec import Spec

__all__ = ["Budget"]


@dataclass(frozen=True)
class Budget:
    """Upper bounds on a model's size, checked by ``validate`` and ``build``.

    Attributes:
        max_params: most parameters a model may have (default one billion, 4 GB of float32).
        max_nodes: most nodes a spec may have.
        bytes_per_param: used to report the memory a model would take.
    """

    max_params: int = 1_000_000_000
    max_nodes: int = 250_000
    bytes_per_param: int = 4

    def check_nodes(self, spec: Spec) -> list[Diagnostic]:
        count = spec.node_count()  # nested models included
        if count <= self.max_nodes:
            return []
        return [
            Diagnostic(
                Code.TOO_MANY_NODES,
                f"the spec has {count:,} nodes; the budget is {self.max_nodes:,}",
                ("nodes",),
                "raise it with --max-nodes or Budget(max_nodes=...) if this spec is trusted",
            )
        ]

    def check_params(self, inference: Inference) -> list[Diagnostic]:
        """Refuse when the parameters counted so far (a lower bound if some are unknown) exceed the budget."""
        counted = {name: info.params for name, info in inference.nodes.items() if info.params}
        total = sum(counted.values())
        if total <= self.max_params:
            return []
        biggest = max(counted, key=lambda n: counted[n])
        exact = inference.total_params is not None
        return [
            Diagnostic(
                Code.TOO_MANY_PARAMS,
                f"the model would have {'' if exact else 'at least '}{total:,} parameters "
                f"({_bytes(total * self.bytes_per_param)} of weights), over the budget of {self.max_params:,}; "
                f"the largest layer, {biggest!r}, has {counted[biggest]:,}",
                ("nodes", biggest),
                "shrink the layer, or raise the budget with --max-params or Budget(max_params=...) if this spec is trusted",
            )
        ]


def _bytes(n: int) -> str:
    """``4.0 TB``; integer arithmetic, since counts can exceed what a float holds."""
    units = ("B", "KB", "MB", "GB", "TB", "PB")
    scale = 0
    while scale < len(units) - 1 and n >= 1000 ** (scale + 1):
        scale += 1
    if scale == 0:
        return f"{n:,} B"
    tenths = n * 10 // 1000**scale
    return f"{tenths // 10:,}.{tenths % 10} {units[scale]}"
