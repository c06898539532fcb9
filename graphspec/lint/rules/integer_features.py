"""integer-features: integer tensors (token ids) fed as numbers to a Dense, convolution or recurrent layer."""

from __future__ import annotations

from collections.abc import Iterator

from graphspec.errors import Code, Severity
from graphspec.lint._facts import Facts
from graphspec.lint._rule import Finding, Rule

# Layers that multiply their inputs by weights: integers become magnitudes.
WEIGHING = frozenset(
    {"Dense", "EinsumDense", "SimpleRNN", "LSTM", "GRU", "Bidirectional"}
    | {f"Conv{d}D" for d in (1, 2, 3)}
    | {f"Conv{d}DTranspose" for d in (1, 2, 3)}
    | {"SeparableConv1D", "SeparableConv2D", "DepthwiseConv1D", "DepthwiseConv2D"}
    | {f"ConvLSTM{d}D" for d in (1, 2, 3)}
)


def is_integer(dtype: str | None) -> bool:
    return dtype is not None and dtype.startswith(("int", "uint"))


def check(facts: Facts) -> Iterator[Finding]:
    if not facts.integer_tensors:
        return
    for view in facts.nodes:
        if view.kind not in WEIGHING:
            continue
        for ref, tensor in view.input_tensors():
            if not is_integer(tensor.dtype):
                continue
            yield Finding(
                f"{view.kind} {view.name!r} gets {ref!r} as {tensor.dtype} numbers: "
                "Keras casts them to floats and the layer treats each id as a magnitude "
                "(id 900 weighs 900 times id 1), so it cannot learn what each id means",
                (*view.path, "inputs"),
                "put an Embedding before it (or CategoryEncoding for one-hot/multi-hot); "
                "if the integers are quantities (counts, pixel values), "
                "declare the input float32 and rescale it (Rescaling, Normalization)",
                (view.path,),
            )
            break


RULE = Rule(
    code=Code.INTEGER_FEATURES,
    severity=Severity.WARNING,
    stage="graph",
    check=check,
    title="Integer ids fed to a Dense, convolution or recurrent layer",
    explanation=(
        "Token ids, category ids and other integer codes name things; a `Dense`, convolution or LSTM multiplies "
        "its input by weights, so an id fed to it directly counts as a quantity: word 900 is 900 times word 1, "
        "and neighbouring ids look alike. The model trains, but learns next to nothing from such inputs "
        "(accuracy stuck near the majority class). An `Embedding` (or `CategoryEncoding`) turns ids into "
        "vectors first. Integer inputs that are quantities (uint8 pixels, counts) are better declared float "
        "and rescaled."
    ),
    example=(
        "inputs:\n  tokens: {shape: [100], dtype: int32}\nnodes:\n"
        "  h: {layer: Dense, inputs: tokens, units: 64, activation: relu}"
    ),
    fix=(
        "inputs:\n  tokens: {shape: [100], dtype: int32}\nnodes:\n"
        "  emb: {layer: Embedding, inputs: tokens, input_dim: 10000, output_dim: 64}\n"
        "  h: {layer: GlobalAveragePooling1D, inputs: emb}"
    ),
    reports=(
        "https://github.com/keras-team/keras/issues/13441",
        "https://github.com/tensorflow/recommenders/issues/462",
    ),
)
