"""embedding-index-range: ids fed to an Embedding outside [0, input_dim)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from graphspec.errors import Code, Severity
from graphspec.lint._rule import Finding, Rule

if TYPE_CHECKING:
    from graphspec.lint.values import ArrayFacts


def check(data: ArrayFacts) -> Iterator[Finding]:
    expect = data.expect
    if not expect.embeddings or not data.fits or not data.numeric:
        return
    for emb in expect.embeddings:
        wrong = data.count_outside(0, emb.input_dim - 1)
        if not wrong:
            continue
        bad = data.first_outside(0, emb.input_dim - 1)
        yield Finding(
            f"input {expect.name!r} holds ids from {data.minimum:.10g} to {data.maximum:.10g} "
            f"({wrong} out of range, such as {bad:g}), but Embedding {emb.node!r} has input_dim {emb.input_dim} "
            f"(ids 0 to {emb.input_dim - 1}): on a CPU Keras stops mid-epoch with "
            f"'indices[...] = {bad:g} is not in [0, {emb.input_dim})', "
            "on a GPU the lookup returns zeros for them without a word",
            expect.path,
            f"set input_dim to the largest id + 1 ({int(data.maximum) + 1}), or map unknown ids to a reserved one"
            if data.minimum >= 0
            else "ids are never negative: map them into 0 to input_dim - 1 (a vocabulary lookup: IntegerLookup)",
            (emb.path,),
        )


RULE = Rule(
    code=Code.EMBEDDING_INDEX_RANGE,
    severity=Severity.ERROR,
    stage="data",
    check=check,
    title="Data: ids outside an Embedding's input_dim",
    explanation=(
        "An `Embedding(input_dim: V)` has rows for ids 0 to V-1. A vocabulary of V words numbered from 1, or "
        "an index reserved for padding or unknown words, gives id V. TensorFlow checks this on a CPU, often "
        "deep into the first epoch — `indices[6,4] = 23624 is not in [0, 23624)` — and not at all on a GPU, "
        "where the lookup silently returns zeros. Negative ids (standardised features fed as ids) fail the same way."
    ),
    example="emb: {layer: Embedding, inputs: tokens, input_dim: 10000, output_dim: 64}\n"
    "# data: tokens = ids 1 to 10000",
    fix="emb: {layer: Embedding, inputs: tokens, input_dim: 10001, output_dim: 64}",
    reports=(
        "https://github.com/keras-team/keras/issues/11819",
        "https://github.com/tensorflow/tensorflow/issues/11583",
        "https://github.com/tensorflow/tensorflow/issues/23698",
        "https://github.com/TannerGilbert/Tutorials/issues/1",
        "https://github.com/tensorflow/tensorflow/issues/38619",
    ),
)
