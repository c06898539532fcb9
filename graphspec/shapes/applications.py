"""Rules for Keras' own layers of keras.applications that are not in keras.layers: ConvNeXt's LayerScale,
InceptionResNetV2's CustomScaleLayer.

The importer registers these classes when a model uses them. A rule applies only
while the name is registered to Keras' own class: a user's class of the same name
is another layer, whose outputs stay unknown.
"""

from __future__ import annotations

from graphspec import catalog
from graphspec.shapes._base import FLOAT_DTYPES, Call, Result, Rule, Unsupported, Weight, mul

__all__ = ["RULES"]

# name → the module Keras defines it in
_KERAS_CLASSES = {
    "LayerScale": "keras.src.applications.convnext",
    "CustomScaleLayer": "keras.src.applications.inception_resnet_v2",
}


def _keras_own(call: Call) -> None:
    info = catalog.layer_info(call.layer)
    cls = info.custom if info is not None else None
    if cls is None or cls.__module__ != _KERAS_CLASSES[call.layer] or cls.__qualname__ != call.layer:
        raise Unsupported(f"{call.layer} is not Keras' own class here")
    if any(t.dtype not in FLOAT_DTYPES for t in call.inputs):
        raise Unsupported(f"{call.layer} of a tensor that is not floating point")


def layer_scale(call: Call) -> Result:
    """``x * gamma`` with ``gamma`` of shape ``(projection_dim,)``, trainable:
    the shape is kept when the last dim is ``projection_dim``."""
    _keras_own(call)
    shape = call.shape(strict=False)
    dim = call.arg("projection_dim")
    if not isinstance(dim, int) or isinstance(dim, bool) or not shape[1:] or shape[-1] != dim:
        raise Unsupported("LayerScale broadcasting its input")
    return Result([call.out(shape)], [Weight("gamma", (dim,))], mul(*shape[1:]))


def custom_scale(call: Call) -> Result:
    """``inputs[0] + inputs[1] * scale`` of two tensors of one shape; no weights."""
    _keras_own(call)
    shapes = call.shapes()
    if not call.listed or len(shapes) != 2 or shapes[0] != shapes[1] or None in shapes[0][1:]:
        raise Unsupported("CustomScaleLayer broadcasting its inputs")
    return Result([call.out(shapes[0])], [], mul(2, *shapes[0][1:]))


RULES: dict[str, Rule] = {
    "LayerScale": layer_scale,
    "CustomScaleLayer": custom_scale,
}
