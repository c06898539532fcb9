"""float-into-embedding: floating-point values fed to an Embedding, which truncates them to ids."""

from __future__ import annotations

from collections.abc import Iterator

from graphspec.errors import Code, Severity
from graphspec.lint._facts import Facts
from graphspec.lint._rule import Finding, Rule


def check(facts: Facts) -> Iterator[Finding]:
    for view in facts.nodes:
        if view.kind != "Embedding":
            continue
        for ref, tensor in view.input_tensors():
            if tensor.dtype is None or not tensor.dtype.startswith(("float", "bfloat")):
                continue
            yield Finding(
                f"Embedding {view.name!r} gets {tensor.dtype} values from {ref!r}: Keras casts them to int32, "
                "so 0.7 and -0.2 both become id 0 and -1.5 becomes -1, an index out of range (an error on a CPU, "
                "a zero vector on a GPU): the lookup sees a few ids instead of the feature",
                (*view.path, "inputs"),
                "feed token ids and declare the input dtype: int32; for real-valued features use a Dense layer instead",
                (view.path,),
            )


RULE = Rule(
    code=Code.FLOAT_INTO_EMBEDDING,
    severity=Severity.WARNING,
    stage="graph",
    check=check,
    title="Floating-point values fed to an Embedding",
    explanation=(
        "An `Embedding` looks up one vector per integer id and casts other inputs to `int32`. Real-valued "
        "features (standardised values, probabilities) are truncated: most become 0 or -1, and a negative id is "
        "out of range — `indices[40,496] = -1 is not in [0, 20000)` on a CPU, a silent zero vector on a GPU. "
        "An input declared `float32` (the default dtype) that feeds an Embedding is almost always a missing "
        "`dtype: int32`, or a feature that wants a `Dense` layer."
    ),
    example="inputs:\n  tokens: {shape: [100]}            # float32 by default\nnodes:\n"
    "  emb: {layer: Embedding, inputs: tokens, input_dim: 10000, output_dim: 64}",
    fix="inputs:\n  tokens: {shape: [100], dtype: int32}\nnodes:\n"
    "  emb: {layer: Embedding, inputs: tokens, input_dim: 10000, output_dim: 64}",
    reports=(
        "https://github.com/titu1994/Keras-IndRNN/issues/7",
        "https://github.com/keras-team/keras-io/issues/602",
    ),
)
