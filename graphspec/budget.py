"""Stage 4c, resource budgets: refuse a spec that is too big before any weight exists.

Keras allocates every weight as it builds: ``Dense(units=10**9)`` on a 1,000-wide
input asks for 4 TB and only then fails (or, on a big host, succeeds slowly).
graphspec counts parameters statically (:mod:`graphspec.shapes`) and refuses a
spec over budget with the computed figure.

Building needs more than the weights: Keras makes each variable from an
initial value it computes first, so while a layer is built its largest weight
exists about three times (measured: ``Embedding(25_000_000, 4)``, 381 MiB of
weights, peaks 1,150 MiB above the process before it; two and four equal
Embeddings peak at the weights plus twice one of them). The build's peak is
therefore estimated as ``bytes_per_param × (all parameters + 2 × the largest
layer's)`` and bounded by ``max_build_bytes``; and Keras' functional build
takes milliseconds per layer (10–30 ms on this project's 2-core machine for a
chain), so the layers built are bounded by ``max_build_nodes``.
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
        max_nodes: most nodes a spec may have, nested models' nodes and every
            copy of a repeated block counted (``validate``). The default,
            100,000, bounds what a small spec can expand to: validating that
            many nodes takes about 10 s on a quiet 2-core machine (see the
            docs' Security page for the measured worst cases).
        max_build_nodes: most nodes ``build`` (and ``fit``, ``evaluate``,
            ``predict`` of a spec) turns into Keras layers (default 10,000: every
            ``keras.applications`` model has fewer than 1,100).
        max_build_bytes: most memory the build may take, estimated as
            ``bytes_per_param × (parameters + 2 × the largest layer's)``: the
            weights, plus the initial values Keras computes beside the largest
            one. The default (12 GB) is what ``max_params`` weights can need, so
            only a tighter figure refuses more.
        bytes_per_param: used to report the memory a model would take.
    """

    max_params: int = 1_000_000_000
    max_nodes: int = 100_000
    max_build_nodes: int = 10_000
    max_build_bytes: int = 12_000_000_000
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
                "shrink the layer, "
                "or raise the budget with --max-params or Budget(max_params=...) if this spec is trusted",
            )
        ]

    def build_bytes(self, total: int, largest: int) -> int:
        """The build's estimated peak: the weights, and twice the largest layer's again (its initial values)."""
        return self.bytes_per_param * (total + 2 * largest)

    def check_build(self, spec: Spec, inference: Inference) -> list[Diagnostic]:
        """Refuse building a validated spec with more layers, or a larger estimated peak, than the build budget."""
        count = spec.node_count()
        diags = []
        if count > self.max_build_nodes:
            diags.append(
                Diagnostic(
                    Code.TOO_MANY_NODES,
                    f"building would make {count:,} Keras layers; "
                    f"the build budget is {self.max_build_nodes:,} (Keras takes milliseconds a layer)",
                    ("nodes",),
                    "raise it with --max-build-nodes or Budget(max_build_nodes=...) if this spec is trusted",
                )
            )
        counted = {name: info.params for name, info in inference.nodes.items() if info.params}
        if counted:
            biggest = max(counted, key=lambda n: counted[n])
            need = self.build_bytes(sum(counted.values()), counted[biggest])
            if need > self.max_build_bytes:
                message = (
                    f"building would take about {_bytes(need)} ({sum(counted.values()):,} parameters, "
                    f"and the initial values of the largest layer, {biggest!r}, "
                    f"twice more), over the build budget of {_bytes(self.max_build_bytes)}"
                )
                diags.append(
                    Diagnostic(
                        Code.TOO_MANY_PARAMS,
                        message,
                        ("nodes", biggest),
                        "shrink the layer, "
                        "or raise --max-build-bytes or Budget(max_build_bytes=...) if this spec is trusted",
                    )
                )
        return diags


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
