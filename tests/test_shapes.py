"""graphspec.shapes: static shapes, dtypes, parameter counts and FLOPs, checked against Keras.

1. Every spec in ``specs/`` and ``tests/cases/valid/``, and a table of single-layer
   specs covering every rule with its argument variants, is built with Keras; for
   every node the inferred output shapes and dtypes equal the Keras tensors', and
   the parameters (trainable and not) counted at each layer's owner equal
   ``layer.count_params()``; the totals equal the model's.
2. Hypothesis-generated graphs (chains and branches of Dense/Conv/pooling/Flatten
   and merges with random arguments) agree with Keras both ways: when inference
   reports no error the shapes match, when it reports one Keras refuses the same node.
3. Shape errors: exact messages and paths; unknown layers make everything
   downstream unknown, never wrong and never an error.
4. FLOPs by hand for Dense, Conv2D and LSTM.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import graphspec
from graphspec import Code, InputSpec, NodeSpec, OutputSpec, Spec, SpecError
from graphspec.errors import Severity
from graphspec.graph import Graph, resolve
from graphspec.shapes import RULES, SHAPE_MISMATCH, Inference, TensorInfo, check_shapes, infer

ROOT = Path(__file__).resolve().parents[1]
SPEC_FILES = sorted(
    [
        *ROOT.glob("specs/**/*.yaml"),
        *(p for p in (ROOT / "tests" / "cases" / "valid").iterdir() if p.suffix in (".yaml", ".json")),
    ]
)


# ---------------------------------------------------------------------------
# Helpers


def spec_of(inputs: dict[str, Any], nodes: dict[str, dict[str, Any]], outputs: dict[str, Any] | None = None) -> Spec:
    """A Spec from compact data: ``inputs={"x": [8]}`` or ``{"x": {"shape": [8], "dtype": "int32"}}``."""
    ins = {n: InputSpec(**(v if isinstance(v, dict) else {"shape": list(v)})) for n, v in inputs.items()}
    nds = {n: NodeSpec.model_validate(v) for n, v in nodes.items()}
    if outputs is None:
        used = {
            r.split(":")[0]
            for v in nodes.values()
            for r in ([v["inputs"]] if isinstance(v.get("inputs"), str) else v.get("inputs", []))
        }
        outputs = {n: {} for n in nodes if n not in used}
    outs = {n: OutputSpec.model_validate(v) for n, v in outputs.items()}
    return Spec(inputs=ins, nodes=nds, outputs=outs)


def single(layer: str, inputs: Any, refs: Any = None, multi: bool = False, **args: Any) -> Spec:
    """A one-layer spec: node ``y`` applies ``layer`` to the inputs (output ``y``, or ``y:0`` when ``multi``)."""
    if not isinstance(inputs, dict):
        inputs = {"x": inputs}
    refs = refs if refs is not None else (list(inputs) if len(inputs) > 1 else next(iter(inputs)))
    outputs = {"out": {"from": "y:0"}} if multi else {"y": {}}
    return spec_of(inputs, {"y": {"layer": layer, "inputs": refs, **args}}, outputs)


def _keras_tensors(graph: Any) -> tuple[Any, dict[str, list[Any]], dict[str, Any]]:
    """Build the graph with graphspec's emitter; return the model, each node's output tensors and each owner's layer."""
    from graphspec.emit import _Emitter

    emitter = _Emitter(graph)
    model = emitter.run(False)
    tensors = {n: list(t) if isinstance(t, list | tuple) else [t] for n, t in emitter.tensors.items()}
    return model, tensors, emitter.layers


def _size(shape: Any) -> int:
    return math.prod(int(d) for d in shape)


def cross_check(source: Any) -> Inference:
    """Infer a spec, build it with Keras, and compare every node (shapes, dtypes, parameters)."""
    report = graphspec.validate(source)
    inf = infer(report.graph)
    assert not inf.errors, [d.render() for d in inf.errors]
    assert not inf.unknown
    model, tensors, layers = _keras_tensors(report.graph)
    for name in report.graph.order:
        info = inf.nodes[name]
        got = [(tuple(t.shape), str(t.dtype)) for t in tensors[name]]
        want = [(o.shape, o.dtype) for o in info.outputs]
        assert want == got, f"{name} ({info.layer}): inferred {want}, Keras {got}"
    for owner, layer in layers.items():
        counted = [inf.nodes[n] for n in report.graph.order if report.graph.layer_owner[n] == owner]
        params = sum(i.params or 0 for i in counted)
        trainable = sum(i.trainable_params or 0 for i in counted)
        assert all(i.params is not None for i in counted), owner
        assert params == layer.count_params(), f"{owner}: inferred {params} params, Keras {layer.count_params()}"
        # Each variable's own flag, as the model sees it: a wrapper's `trainable: false`
        # does not reach the sublayers it creates (Keras' layer.trainable_weights says [] then).
        assert trainable == sum(_size(w.shape) for w in layer.weights if w.trainable), f"{owner}: trainable"
        assert params - trainable == sum(_size(w.shape) for w in layer.weights if not w.trainable), (
            f"{owner}: non-trainable"
        )
    assert inf.total_params == model.count_params()
    assert inf.trainable_params == sum(_size(w.shape) for w in model.trainable_weights)
    assert [inf.outputs[n].shape for n in report.spec.outputs] == [tuple(t.shape) for t in model.outputs]
    return inf


def graph_of(spec: Spec) -> Graph:
    """The checked graph of a spec, without the shape checks ``validate`` may run."""
    return resolve(spec)


def keras_error(spec: Spec) -> SpecError:
    """What Keras says when graphspec's emitter builds the spec (shape checks bypassed)."""
    with pytest.raises(SpecError) as info:
        _keras_tensors(graph_of(spec))
    return info.value


def shape_errors(spec: Spec) -> list[Any]:
    return [d for d in check_shapes(graph_of(spec)) if d.is_error]


# ---------------------------------------------------------------------------
# 1. Every committed spec, node by node


@pytest.mark.parametrize("path", SPEC_FILES, ids=lambda p: p.name)
def test_committed_specs_match_keras(path: Path) -> None:
    cross_check(path)


def test_shared_layer_whose_owner_is_dead_is_counted_once() -> None:
    # `enc` feeds no output: its layer exists only through `b`, which is where its weights are counted.
    spec = spec_of(
        {"x": [5, 8], "y": [7, 8]},
        {
            "enc": {"layer": "LSTM", "inputs": "x", "units": 4},
            "b": {"share": "enc", "inputs": "y"},
            "c": {"share": "enc", "inputs": "x"},
            "both": {"layer": "Concatenate", "inputs": ["b", "c"]},
        },
        {"both": {}},
    )
    inf = cross_check(spec)
    assert inf.nodes["b"].params == 4 * 4 * (8 + 4 + 1) and inf.nodes["c"].params == 0


def test_shared_layer_called_before_its_owner() -> None:
    spec = spec_of(
        {"x": [6]},
        {
            "early": {"share": "late", "inputs": "x"},
            "late": {"layer": "Dense", "inputs": "x", "units": 3},
            "sum": {"layer": "Add", "inputs": ["early", "late"]},
        },
    )
    inf = cross_check(spec)
    assert (inf.nodes["late"].params, inf.nodes["early"].params) == (21, 0)


# A dense table: every rule, with the argument variants that change shapes or weights.
IMG = [9, 11, 3]
SEQ = [12, 4]
CASES: list[Any] = [
    # core
    pytest.param(single("Dense", [8], units=4), id="dense"),
    pytest.param(single("Dense", [5, 8], units=3, use_bias=False), id="dense-rank3-nobias"),
    pytest.param(single("Dense", [8], units=4, lora_rank=2), id="dense-lora"),
    pytest.param(single("Dense", [8], units=4, dtype="float64"), id="dense-float64"),
    pytest.param(single("Dense", [8], units=4, trainable=False), id="dense-frozen"),
    pytest.param(single("Dense", [8], units=4, lora_rank=1, trainable=False), id="dense-lora-frozen"),
    pytest.param(single("EinsumDense", [8], equation="ab,bc->ac", output_shape=4, bias_axes="c"), id="einsum-dense"),
    pytest.param(
        single("EinsumDense", [5, 8], equation="abc,cde->abde", output_shape=[None, 3, 4], bias_axes="e"),
        id="einsum-dense-heads",
    ),
    pytest.param(
        single("EinsumDense", [6, 5, 8], equation="...b,bc->...c", output_shape=4), id="einsum-dense-left-ellipsis"
    ),
    pytest.param(
        single("EinsumDense", [8, 5], equation="ab...,bc->ac...", output_shape=[4, 5], bias_axes="c"),
        id="einsum-dense-right-ellipsis",
    ),
    pytest.param(
        single("Embedding", {"x": {"shape": [10], "dtype": "int32"}}, input_dim=50, output_dim=4), id="embedding"
    ),
    pytest.param(single("Embedding", [None], input_dim=50, output_dim=4), id="embedding-float-input"),
    pytest.param(
        single("Embedding", {"x": {"shape": [3, 2], "dtype": "int64"}}, input_dim=9, output_dim=5, lora_rank=2),
        id="embedding-lora",
    ),
    pytest.param(single("Activation", [4, 3], activation="relu"), id="activation"),
    pytest.param(single("Identity", {"x": {"shape": [4], "dtype": "int32"}}), id="identity-int"),
    pytest.param(single("Masking", SEQ), id="masking"),
    # convolutional
    pytest.param(single("Conv1D", [20, 3], filters=4, kernel_size=3), id="conv1d"),
    pytest.param(
        single("Conv1D", [20, 3], filters=4, kernel_size=3, strides=2, padding="same"), id="conv1d-strides-same"
    ),
    pytest.param(single("Conv1D", [20, 3], filters=4, kernel_size=3, dilation_rate=3), id="conv1d-dilation"),
    pytest.param(
        single("Conv1D", [20, 3], filters=4, kernel_size=4, padding="causal", dilation_rate=2), id="conv1d-causal"
    ),
    pytest.param(single("Conv1D", [20, 4], filters=6, kernel_size=3, groups=2), id="conv1d-groups"),
    pytest.param(
        single("Conv1D", [3, 20], filters=4, kernel_size=5, data_format="channels_first"), id="conv1d-channels-first"
    ),
    pytest.param(single("Conv2D", IMG, filters=8, kernel_size=3), id="conv2d"),
    pytest.param(
        single("Conv2D", IMG, filters=8, kernel_size=[3, 5], strides=[2, 1], padding="same"),
        id="conv2d-rect-strides-same",
    ),
    pytest.param(single("Conv2D", IMG, filters=8, kernel_size=[3, 2], strides=[2, 3]), id="conv2d-valid-strides"),
    pytest.param(single("Conv2D", IMG, filters=2, kernel_size=3, dilation_rate=[2, 3]), id="conv2d-dilation"),
    pytest.param(
        single("Conv2D", [3, 9, 11], filters=8, kernel_size=3, strides=2, data_format="channels_first"),
        id="conv2d-channels-first",
    ),
    pytest.param(
        single("Conv2D", [7, 7, 6], filters=9, kernel_size=3, groups=3, use_bias=False), id="conv2d-groups-nobias"
    ),
    pytest.param(single("Conv2D", [None, None, 3], filters=4, kernel_size=3, strides=2), id="conv2d-unknown-spatial"),
    pytest.param(single("Convolution2D", IMG, filters=2, kernel_size=1), id="convolution2d-alias"),
    pytest.param(single("Conv3D", [8, 7, 6, 2], filters=4, kernel_size=3), id="conv3d"),
    pytest.param(
        single(
            "Conv3D",
            [2, 8, 7, 6],
            filters=4,
            kernel_size=[3, 2, 1],
            strides=2,
            padding="same",
            data_format="channels_first",
        ),
        id="conv3d-channels-first",
    ),
    pytest.param(single("Conv1DTranspose", [10, 3], filters=4, kernel_size=3, strides=2), id="conv1d-transpose"),
    pytest.param(
        single("Conv1DTranspose", [10, 3], filters=4, kernel_size=2, strides=3), id="conv1d-transpose-kernel-lt-strides"
    ),
    pytest.param(
        single("Conv1DTranspose", [10, 3], filters=4, kernel_size=3, strides=2, padding="same", output_padding=1),
        id="conv1d-transpose-output-padding",
    ),
    pytest.param(single("Conv2DTranspose", [8, 6, 3], filters=5, kernel_size=3, strides=2), id="conv2d-transpose"),
    pytest.param(
        single("Conv2DTranspose", [8, 6, 3], filters=5, kernel_size=[3, 4], strides=2, padding="same"),
        id="conv2d-transpose-same",
    ),
    pytest.param(
        single("Conv2DTranspose", [8, 6, 3], filters=5, kernel_size=3, strides=[3, 2], output_padding=[2, 1]),
        id="conv2d-transpose-output-padding",
    ),
    pytest.param(
        single("Conv2DTranspose", [8, 6, 3], filters=5, kernel_size=3, dilation_rate=2), id="conv2d-transpose-dilation"
    ),
    pytest.param(
        single(
            "Conv2DTranspose",
            [3, 8, 6],
            filters=5,
            kernel_size=3,
            strides=2,
            data_format="channels_first",
            use_bias=False,
        ),
        id="conv2d-transpose-channels-first",
    ),
    pytest.param(
        single("Conv3DTranspose", [4, 4, 3, 2], filters=3, kernel_size=3, strides=2, padding="same"),
        id="conv3d-transpose",
    ),
    pytest.param(single("SeparableConv1D", [20, 3], filters=8, kernel_size=3, depth_multiplier=2), id="separable1d"),
    pytest.param(
        single("SeparableConv1D", [20, 3], filters=8, kernel_size=3, strides=2, padding="same", use_bias=False),
        id="separable1d-same-nobias",
    ),
    pytest.param(
        single("SeparableConv2D", IMG, filters=8, kernel_size=3, depth_multiplier=2, dilation_rate=2), id="separable2d"
    ),
    pytest.param(
        single("SeparableConv2D", [3, 9, 11], filters=8, kernel_size=3, strides=2, data_format="channels_first"),
        id="separable2d-channels-first",
    ),
    pytest.param(single("DepthwiseConv1D", [20, 3], kernel_size=3, depth_multiplier=2), id="depthwise1d"),
    pytest.param(
        single("DepthwiseConv2D", IMG, kernel_size=3, depth_multiplier=3, strides=2, padding="same"), id="depthwise2d"
    ),
    pytest.param(
        single("DepthwiseConv2D", [3, 9, 11], kernel_size=[3, 1], data_format="channels_first", use_bias=False),
        id="depthwise2d-channels-first",
    ),
    # pooling
    pytest.param(single("MaxPooling1D", [20, 3]), id="maxpool1d"),
    pytest.param(single("MaxPooling1D", [20, 3], pool_size=3, strides=1), id="maxpool1d-strides"),
    pytest.param(single("MaxPool1D", [21, 3], pool_size=4, padding="same"), id="maxpool1d-same"),
    pytest.param(single("MaxPooling2D", [15, 14, 3], pool_size=3, strides=2, padding="same"), id="maxpool2d-same"),
    pytest.param(
        single("MaxPool2D", [3, 15, 14], pool_size=[2, 3], data_format="channels_first"), id="maxpool2d-channels-first"
    ),
    pytest.param(single("MaxPooling3D", [8, 7, 6, 2]), id="maxpool3d"),
    pytest.param(single("AveragePooling1D", [20, 3], pool_size=3), id="avgpool1d"),
    pytest.param(single("AvgPool2D", [15, 14, 3], pool_size=[2, 3], strides=[1, 2]), id="avgpool2d"),
    pytest.param(single("AveragePooling3D", [8, 7, 6, 2], pool_size=2, padding="same"), id="avgpool3d-same"),
    pytest.param(
        single("AvgPool3D", [2, 8, 7, 6], pool_size=2, data_format="channels_first"), id="avgpool3d-channels-first"
    ),
    pytest.param(single("GlobalMaxPooling1D", SEQ), id="global-max1d"),
    pytest.param(single("GlobalAveragePooling1D", SEQ, keepdims=True), id="global-avg1d-keepdims"),
    pytest.param(single("GlobalAveragePooling2D", IMG, keepdims=True), id="global-avg2d-keepdims"),
    pytest.param(single("GlobalMaxPool2D", [3, 9, 11], data_format="channels_first"), id="global-max2d-channels-first"),
    pytest.param(
        single("GlobalAvgPool3D", [2, 8, 7, 6], data_format="channels_first", keepdims=True),
        id="global-avg3d-channels-first-keepdims",
    ),
    pytest.param(single("GlobalMaxPooling3D", [8, 7, 6, 2]), id="global-max3d"),
    pytest.param(single("AdaptiveAveragePooling2D", [16, 12, 3], output_size=4), id="adaptive-avg2d"),
    pytest.param(single("AdaptiveMaxPooling1D", [16, 3], output_size=5), id="adaptive-max1d"),
    # reshaping
    pytest.param(single("Flatten", [4, 5, 3]), id="flatten"),
    pytest.param(single("Flatten", [None, 3]), id="flatten-unknown"),
    pytest.param(single("Flatten", {"x": {"shape": [4, 2], "dtype": "int32"}}), id="flatten-int"),
    pytest.param(single("Flatten", [4, 2], dtype="float16"), id="flatten-float16"),
    pytest.param(single("Flatten", [4, 2], dtype="float16", autocast=False), id="flatten-float16-no-autocast"),
    pytest.param(
        single("Reshape", {"x": {"shape": [4], "dtype": "float64"}}, target_shape=[2, 2], dtype="mixed_bfloat16"),
        id="reshape-mixed-policy",
    ),
    pytest.param(single("Permute", {"x": {"shape": [4, 3], "dtype": "bool"}}, dims=[2, 1]), id="permute-bool"),
    pytest.param(single("Reshape", [4, 6], target_shape=[3, 8]), id="reshape"),
    pytest.param(single("Reshape", [4, 6], target_shape=[-1, 2]), id="reshape-minus-one"),
    pytest.param(single("Reshape", [4, 6], target_shape=[2, -1, 3]), id="reshape-minus-one-middle"),
    pytest.param(single("Reshape", [None, 6], target_shape=[-1, 3]), id="reshape-unknown"),
    pytest.param(single("Permute", [4, 5, 6], dims=[2, 1, 3]), id="permute"),
    pytest.param(single("Permute", [4, 5, 6], dims=[3, 1, 2]), id="permute-cycle"),
    pytest.param(single("RepeatVector", [8], n=3), id="repeat-vector"),
    pytest.param(single("ZeroPadding1D", SEQ, padding=2), id="zeropad1d"),
    pytest.param(single("ZeroPadding1D", SEQ, padding=[1, 3]), id="zeropad1d-pair"),
    pytest.param(single("ZeroPadding2D", IMG, padding=[[1, 2], [3, 4]]), id="zeropad2d-pairs"),
    pytest.param(single("ZeroPadding2D", IMG, padding=[1, 2]), id="zeropad2d-symmetric"),
    pytest.param(
        single("ZeroPadding2D", [3, 9, 11], padding=1, data_format="channels_first"), id="zeropad2d-channels-first"
    ),
    pytest.param(single("ZeroPadding3D", [4, 5, 6, 2]), id="zeropad3d"),
    pytest.param(single("Cropping1D", SEQ, cropping=[1, 2]), id="crop1d"),
    pytest.param(single("Cropping2D", IMG, cropping=[[1, 2], [0, 3]]), id="crop2d-pairs"),
    pytest.param(single("Cropping2D", IMG, cropping=[2, 1]), id="crop2d-symmetric"),
    pytest.param(
        single("Cropping2D", [3, 9, 11], cropping=2, data_format="channels_first"), id="crop2d-channels-first"
    ),
    pytest.param(single("Cropping3D", [8, 7, 6, 2], cropping=[[1, 1], [0, 2], [1, 0]]), id="crop3d"),
    pytest.param(single("UpSampling1D", SEQ, size=3), id="upsample1d"),
    pytest.param(single("UpSampling2D", IMG, size=[2, 3]), id="upsample2d"),
    pytest.param(
        single("UpSampling2D", [3, 9, 11], data_format="channels_first", interpolation="bilinear"),
        id="upsample2d-channels-first",
    ),
    pytest.param(single("UpSampling3D", [4, 3, 2, 2], size=2), id="upsample3d"),
    # regularization
    pytest.param(single("Dropout", [8], rate=0.5), id="dropout"),
    pytest.param(single("Dropout", {"x": {"shape": [8], "dtype": "int32"}}, rate=0.5), id="dropout-int"),
    pytest.param(single("SpatialDropout1D", SEQ, rate=0.2), id="spatial-dropout1d"),
    pytest.param(single("SpatialDropout2D", IMG, rate=0.2), id="spatial-dropout2d"),
    pytest.param(single("SpatialDropout3D", [4, 5, 6, 2], rate=0.2), id="spatial-dropout3d"),
    pytest.param(single("GaussianDropout", [8], rate=0.3), id="gaussian-dropout"),
    pytest.param(single("GaussianNoise", [8], stddev=0.3), id="gaussian-noise"),
    pytest.param(single("AlphaDropout", [8], rate=0.3), id="alpha-dropout"),
    pytest.param(single("ActivityRegularization", [8], l1=0.1), id="activity-regularization"),
    # normalization
    pytest.param(single("BatchNormalization", IMG), id="batchnorm"),
    pytest.param(single("BatchNormalization", [3, 8, 8], axis=1, center=False), id="batchnorm-axis1-nocenter"),
    pytest.param(single("BatchNormalization", [6], renorm=True), id="batchnorm-renorm"),
    pytest.param(single("BatchNormalization", [6], trainable=False), id="batchnorm-frozen"),
    pytest.param(single("LayerNormalization", SEQ), id="layernorm"),
    pytest.param(single("LayerNormalization", [5, 6, 7], axis=[1, -1]), id="layernorm-axes"),
    pytest.param(single("LayerNormalization", SEQ, scale=False), id="layernorm-noscale"),
    pytest.param(single("LayerNormalization", SEQ, scale=False, center=False), id="layernorm-no-weights"),
    pytest.param(single("GroupNormalization", [8, 8, 16], groups=4), id="groupnorm"),
    pytest.param(single("GroupNormalization", [16, 6], groups=-1, center=False), id="groupnorm-instance"),
    pytest.param(single("UnitNormalization", [5, 6], axis=[1, 2]), id="unitnorm"),
    pytest.param(single("RMSNormalization", [5, 6, 7], axis=[-1, 1]), id="rmsnorm-axes"),
    pytest.param(single("RMSNormalization", SEQ), id="rmsnorm"),
    # activations
    pytest.param(single("ReLU", [8], max_value=6.0), id="relu"),
    pytest.param(single("LeakyReLU", [8]), id="leaky-relu"),
    pytest.param(single("ELU", [8]), id="elu"),
    pytest.param(single("Softmax", [4, 8], axis=1), id="softmax"),
    pytest.param(single("PReLU", [5, 4]), id="prelu"),
    pytest.param(single("PReLU", [5, 5, 3], shared_axes=[1, 2]), id="prelu-shared-axes"),
    pytest.param(single("PReLU", [5, 3], shared_axes=1), id="prelu-shared-axis-int"),
    # recurrent
    pytest.param(single("SimpleRNN", [10, 8], units=4), id="simple-rnn"),
    pytest.param(
        single("SimpleRNN", [10, 8], units=4, return_sequences=True, return_state=True, multi=True),
        id="simple-rnn-sequences-state",
    ),
    pytest.param(single("LSTM", [10, 8], units=5, return_state=True, multi=True), id="lstm-state"),
    pytest.param(single("LSTM", [None, 8], units=5, return_sequences=True, use_bias=False), id="lstm-sequences-nobias"),
    pytest.param(
        single("LSTM", {"x": {"shape": [10, 8], "batch_size": 2}}, units=3, stateful=True), id="lstm-stateful"
    ),
    pytest.param(single("GRU", [10, 8], units=6), id="gru"),
    pytest.param(single("GRU", [10, 8], units=6, reset_after=False, return_sequences=True), id="gru-reset-before"),
    pytest.param(single("GRU", [10, 8], units=6, return_state=True, multi=True), id="gru-state"),
    pytest.param(single("Bidirectional", [10, 8], wraps={"layer": "LSTM", "units": 4}), id="bidirectional-concat"),
    pytest.param(
        single(
            "Bidirectional", [10, 8], merge_mode="sum", wraps={"layer": "GRU", "units": 4, "return_sequences": True}
        ),
        id="bidirectional-sum",
    ),
    pytest.param(
        single("Bidirectional", [10, 8], merge_mode="ave", wraps={"layer": "SimpleRNN", "units": 4}),
        id="bidirectional-ave",
    ),
    pytest.param(
        single("Bidirectional", [10, 8], merge_mode="mul", wraps={"layer": "LSTM", "units": 4}), id="bidirectional-mul"
    ),
    pytest.param(
        single(
            "Bidirectional",
            [10, 8],
            merge_mode=None,
            multi=True,
            wraps={"layer": "LSTM", "units": 4, "return_sequences": True},
        ),
        id="bidirectional-none",
    ),
    pytest.param(
        single("Bidirectional", [10, 8], multi=True, wraps={"layer": "LSTM", "units": 4, "return_state": True}),
        id="bidirectional-state",
    ),
    pytest.param(
        single(
            "Bidirectional",
            [10, 8],
            merge_mode=None,
            multi=True,
            wraps={"layer": "GRU", "units": 4, "return_state": True},
        ),
        id="bidirectional-none-state",
    ),
    pytest.param(
        single(
            "Bidirectional",
            [10, 8],
            wraps={"layer": "LSTM", "units": 4},
            backward_layer={"layer": "LSTM", "units": 4, "go_backwards": True, "use_bias": False},
        ),
        id="bidirectional-backward-layer",
    ),
    pytest.param(
        single("Bidirectional", [10, 8], wraps={"layer": "GRU", "units": 4, "trainable": False}),
        id="bidirectional-inner-frozen",
    ),
    pytest.param(
        single("Bidirectional", [10, 8], wraps={"layer": "GRU", "units": 4}, trainable=False), id="bidirectional-frozen"
    ),
    pytest.param(single("TimeDistributed", [10, 8], wraps={"layer": "Dense", "units": 3}), id="time-distributed-dense"),
    pytest.param(
        single("TimeDistributed", [10, 8], wraps={"layer": "Dense", "units": 3, "trainable": False}),
        id="time-distributed-inner-frozen",
    ),
    pytest.param(
        single("TimeDistributed", [10, 8], wraps={"layer": "BatchNormalization"}, trainable=False),
        id="time-distributed-frozen",
    ),
    pytest.param(
        single(
            "TimeDistributed", [5, 9, 8, 3], wraps={"layer": "Conv2D", "filters": 4, "kernel_size": 3, "strides": 2}
        ),
        id="time-distributed-conv2d",
    ),
    pytest.param(
        single("TimeDistributed", [None, 8], wraps={"layer": "Dense", "units": 3}), id="time-distributed-unknown-steps"
    ),
    # attention
    pytest.param(single("MultiHeadAttention", {"q": [12, 16], "v": [12, 16]}, num_heads=2, key_dim=8), id="mha"),
    pytest.param(
        single("MultiHeadAttention", {"q": [7, 16], "v": [12, 10], "k": [12, 6]}, num_heads=3, key_dim=4), id="mha-key"
    ),
    pytest.param(
        single(
            "MultiHeadAttention", {"q": [7, 16], "v": [12, 10]}, num_heads=2, key_dim=4, value_dim=6, output_shape=5
        ),
        id="mha-value-dim-output-shape",
    ),
    pytest.param(
        single(
            "MultiHeadAttention",
            {"q": [7, 16], "v": [12, 10]},
            num_heads=2,
            key_dim=4,
            output_shape=[3, 2],
            use_bias=False,
        ),
        id="mha-output-shape-list-nobias",
    ),
    pytest.param(
        single("MultiHeadAttention", {"q": [4, 5, 16], "v": [4, 5, 16]}, num_heads=2, key_dim=4, attention_axes=[1, 2]),
        id="mha-rank4",
    ),
    pytest.param(single("MultiHeadAttention", {"q": [8], "v": [8]}, num_heads=2, key_dim=4), id="mha-rank2"),
    pytest.param(
        single("MultiHeadAttention", {"q": [7, 16], "v": [12, 16]}, num_heads=2, key_dim=4, use_gate=True),
        id="mha-gate",
    ),
    pytest.param(
        single(
            "MultiHeadAttention",
            {"q": [7, 16], "v": [12, 16]},
            num_heads=2,
            key_dim=4,
            trainable=False,
            dtype="mixed_float16",
        ),
        id="mha-frozen-mixed",
    ),
    pytest.param(single("Attention", {"q": [7, 16], "v": [12, 16]}), id="attention"),
    pytest.param(
        single("Attention", {"q": [7, 16], "v": [12, 10], "k": [12, 16]}, use_scale=True, score_mode="concat"),
        id="attention-key-scale-concat",
    ),
    pytest.param(single("AdditiveAttention", {"q": [7, 16], "v": [12, 16]}), id="additive-attention"),
    pytest.param(
        single("AdditiveAttention", {"q": [7, 16], "v": [12, 16]}, use_scale=False), id="additive-attention-noscale"
    ),
    # merging
    pytest.param(single("Add", {"a": [8], "b": [8]}), id="add"),
    pytest.param(single("Add", {"a": [1, 8], "b": [4, 8]}), id="add-broadcast"),
    pytest.param(single("Add", {"a": [8], "b": [4, 8]}), id="add-ranks"),
    pytest.param(single("Add", {"a": [None, 8], "b": [4, 8]}), id="add-unknown"),
    pytest.param(single("Subtract", {"a": [5, 8], "b": [5, 1]}), id="subtract"),
    pytest.param(single("Multiply", {"a": [8], "b": [8], "c": [8]}), id="multiply-three"),
    pytest.param(single("Average", {"a": [3, 8], "b": [3, 8]}), id="average"),
    pytest.param(single("Maximum", {"a": [8], "b": [8]}), id="maximum"),
    pytest.param(single("Minimum", {"a": {"shape": [8], "batch_size": 4}, "b": [8]}), id="minimum-batch"),
    pytest.param(single("Concatenate", {"a": [4, 5], "b": [4, 3]}), id="concat"),
    pytest.param(single("Concatenate", {"a": [4, 5], "b": [6, 5]}, axis=1), id="concat-axis1"),
    pytest.param(single("Concatenate", {"a": [4, 5, 2], "b": [4, 5, 3]}, axis=-1), id="concat-rank4"),
    pytest.param(single("Concatenate", {"a": [4, 5, 2], "b": [4, 1, 2]}, axis=-2), id="concat-axis-minus2"),
    pytest.param(single("Concatenate", {"a": [None, 5], "b": [4, 5]}, axis=1), id="concat-unknown"),
    pytest.param(single("Dot", {"a": [8], "b": [8]}, axes=1), id="dot"),
    pytest.param(single("Dot", {"a": [3, 4], "b": [5, 4]}, axes=[2, 2]), id="dot-axes-pair"),
    pytest.param(single("Dot", {"a": [3, 4], "b": [4, 5]}, axes=[2, 1], normalize=True), id="dot-normalize"),
    pytest.param(single("Dot", {"a": [3, 4], "b": [5, 4]}, axes=-1), id="dot-negative"),
    pytest.param(single("Dot", {"a": [3, 4], "b": [3, 5]}, axes=[1, 1]), id="dot-axes-1"),
    # preprocessing
    pytest.param(single("Rescaling", IMG, scale=0.5, offset=1.0), id="rescaling"),
    pytest.param(single("Rescaling", {"x": {"shape": [4], "dtype": "uint8"}}, scale=0.5), id="rescaling-uint8"),
    pytest.param(single("Normalization", IMG), id="normalization"),
    pytest.param(single("Normalization", {"x": [6]}, axis=None), id="normalization-no-axis"),
    pytest.param(single("Normalization", {"x": [5, 4, 3]}, axis=[1, -1]), id="normalization-axes"),
    pytest.param(single("Normalization", {"x": [None, 3]}, axis=2), id="normalization-unknown-reduced-dim"),
    pytest.param(
        single("Normalization", IMG, mean=[0.5, 0.4, 0.3], variance=[0.1, 0.2, 0.3]), id="normalization-given"
    ),
    pytest.param(
        single("Normalization", {"x": {"shape": [4], "dtype": "uint8"}}, mean=2.0, variance=4.0),
        id="normalization-given-scalar-uint8",
    ),
]

# Keras' own layers of keras.applications outside keras.layers, registered as the importer does.
APPLICATION_CASES = [
    pytest.param(single("LayerScale", {"x": [7, 7, 96]}, init_values=1e-6, projection_dim=96), id="layer-scale"),
    pytest.param(single("LayerScale", {"x": [96]}, init_values=0.5, projection_dim=96), id="layer-scale-flat"),
    pytest.param(single("CustomScaleLayer", {"a": [5, 5, 8], "b": [5, 5, 8]}, scale=0.17), id="custom-scale"),
]


@pytest.mark.parametrize("spec", CASES)
def test_rule_matches_keras(spec: Spec) -> None:
    cross_check(spec)


@pytest.fixture
def application_layers() -> Any:
    from keras.src.applications.convnext import LayerScale
    from keras.src.applications.inception_resnet_v2 import CustomScaleLayer

    for cls in (LayerScale, CustomScaleLayer):
        graphspec.register_layer(cls)
    yield
    for cls in (LayerScale, CustomScaleLayer):
        graphspec.unregister_layer(cls.__name__)


@pytest.mark.parametrize("spec", APPLICATION_CASES)
def test_application_layer_rule_matches_keras(spec: Spec, application_layers: Any) -> None:
    cross_check(spec)


def test_application_layer_rules_apply_to_keras_classes_only() -> None:
    class LayerScale:
        """Another class of that name: its shapes and weights are not Keras' LayerScale's."""

        def __init__(self, init_values: float, projection_dim: int) -> None: ...

    graphspec.register_layer(LayerScale)
    try:
        inf = infer(graph_of(single("LayerScale", {"x": [4]}, init_values=1.0, projection_dim=4)))
    finally:
        graphspec.unregister_layer("LayerScale")
    assert (
        inf.nodes["y"].outputs == [TensorInfo(None, None)]
        and inf.nodes["y"].params is None
        and inf.total_params is None
    )


def test_normalization_of_an_unknown_kept_dim_is_an_error_keras_agrees() -> None:
    spec = single("Normalization", {"x": [4, None]})
    assert [d.message for d in shape_errors(spec)] == [
        "Normalization needs known dims at the axes it keeps (2); got (None, 4, None) from x"
    ]
    assert keras_error(spec).errors[0].path == ("nodes", "y")


def test_the_table_covers_every_rule() -> None:
    covered = {p.values[0].nodes["y"].layer for p in [*CASES, *APPLICATION_CASES]}
    covered |= {p.values[0].nodes["y"].args.get("wraps", {}).get("layer") for p in CASES}
    missing = {
        name for name in RULES if name not in covered and not name.startswith("ops.")
    }  # op rules: tests/test_ops.py
    aliases = {
        "Convolution1D",
        "Convolution3D",
        "Convolution1DTranspose",
        "Convolution2DTranspose",
        "Convolution3DTranspose",
        "SeparableConvolution1D",
        "SeparableConvolution2D",
    }
    aliases |= {
        "MaxPool3D",
        "AveragePooling2D",
        "MaxPooling2D",
        "AvgPool1D",
        "GlobalMaxPool1D",
        "GlobalAvgPool1D",
        "GlobalAvgPool2D",
        "GlobalMaxPool3D",
    }
    aliases |= {
        "GlobalAveragePooling3D",
        "GlobalMaxPooling2D",
        "AdaptiveMaxPooling2D",
        "AdaptiveMaxPooling3D",
        "AdaptiveAveragePooling1D",
        "AdaptiveAveragePooling3D",
    }
    assert missing <= aliases, sorted(missing - aliases)
    for alias in aliases:
        assert alias in RULES


def test_aliases_share_their_rule() -> None:
    assert RULES["MaxPool2D"] is RULES["MaxPooling2D"]
    assert RULES["AvgPool1D"] is RULES["AveragePooling1D"]
    assert RULES["GlobalAvgPool2D"] is RULES["GlobalAveragePooling2D"]
    assert RULES["Convolution2D"] is RULES["Conv2D"]
    assert RULES["SeparableConvolution1D"] is RULES["SeparableConv1D"]


# ---------------------------------------------------------------------------
# 2. Random graphs, both ways


@st.composite
def random_graphs(draw: Any) -> Spec:
    """Chains and branches of Dense/Conv1D/Conv2D/pooling/Flatten joined by merges; arguments random,
    sometimes invalid."""
    kind = draw(st.sampled_from(["image", "sequence", "vector"]))
    small = st.integers(1, 12)
    shape = {
        "image": [draw(small), draw(small), draw(st.integers(1, 4))],
        "sequence": [draw(small), draw(st.integers(1, 6))],
        "vector": [draw(st.integers(1, 16))],
    }[kind]
    rank = {"x": len(shape) + 1}
    nodes: dict[str, dict[str, Any]] = {}
    for i in range(draw(st.integers(1, 7))):
        name = f"n{i}"
        src = draw(st.sampled_from(sorted(rank)))
        r = rank[src]
        options = ["Dense"] + (["Flatten"] if r > 2 else [])
        if r == 4:
            options += ["Conv2D", "MaxPooling2D", "AveragePooling2D", "GlobalAveragePooling2D"]
        if r == 3:
            options += ["Conv1D", "MaxPooling1D", "GlobalMaxPooling1D"]
        partners = sorted(n for n in rank if rank[n] == r and n != src)
        if partners:
            options += ["Add", "Concatenate", "Multiply"]
        op = draw(st.sampled_from(options))
        node: dict[str, Any] = {"layer": op, "inputs": src}
        new_rank = r
        if op == "Dense":
            node["units"] = draw(st.integers(1, 8))
        elif op in ("Conv1D", "Conv2D"):
            node |= {
                "filters": draw(st.integers(1, 6)),
                "kernel_size": draw(st.integers(1, 4)),
                "padding": draw(st.sampled_from(["valid", "same"])),
            }
            if draw(st.booleans()):
                node["strides"] = draw(st.integers(1, 3))
            elif draw(st.booleans()):
                node["dilation_rate"] = draw(st.integers(1, 3))
        elif op.startswith(("MaxPooling", "AveragePooling")):
            node |= {"pool_size": draw(st.integers(1, 3)), "padding": draw(st.sampled_from(["valid", "same"]))}
            if draw(st.booleans()):
                node["strides"] = draw(st.integers(1, 3))
        elif op.startswith(("Global", "Flatten")):
            new_rank = 2
        else:
            node["inputs"] = [src, *draw(st.lists(st.sampled_from(partners), min_size=1, max_size=2))]
            if op == "Concatenate" and draw(st.booleans()):
                node["axis"] = draw(st.integers(-r + 1, r - 1).filter(lambda a: a != 0))
        nodes[name] = node
        rank[name] = new_rank
    return spec_of({"x": shape}, nodes)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(random_graphs())
def test_random_graphs_agree_with_keras(spec: Spec) -> None:
    inf = infer(graph_of(spec))
    if not inf.errors:
        cross_check(spec)
        return
    error = keras_error(spec)  # the emitter, not graphspec.build: no recursion-limit change under hypothesis
    assert error.errors[0].path == inf.errors[0].path, (inf.errors[0].render(), error.render())


# ---------------------------------------------------------------------------
# 3. Shape errors


def test_concatenate_of_different_ranks_is_reported_with_both_inputs() -> None:
    spec = spec_of(
        {"text": [16, 8], "other": [16, 4]},
        {
            "text_enc": {"layer": "LSTM", "inputs": "text", "units": 32},
            "q_emb": {"layer": "Dense", "inputs": "other", "units": 8},
            "merged": {"layer": "Concatenate", "inputs": ["text_enc", "q_emb"]},
        },
    )
    [error] = shape_errors(spec)
    assert (
        error.message == "Concatenate on axis -1 needs equal dims elsewhere; "
        "got (None, 32) from text_enc and (None, 16, 8) from q_emb"
    )
    assert error.path == ("nodes", "merged")
    assert error.code == SHAPE_MISMATCH == "shape-mismatch"
    assert error.code.value == "shape-mismatch"
    assert error.severity is Severity.ERROR
    assert keras_error(spec).errors[0].path == ("nodes", "merged")


def test_shape_code_is_the_errors_enum_member_once_it_exists() -> None:
    from graphspec.shapes._engine import shape_code

    code = shape_code()
    assert code.value == "shape-mismatch"
    if "shape-mismatch" in {c.value for c in Code}:
        assert code is Code("shape-mismatch")


ERRORS = [
    pytest.param(
        single("Conv2D", [8], filters=4, kernel_size=3),
        "Conv2D needs rank-4 input (batch, rows, cols, channels); got (None, 8) from x",
        id="conv2d-rank",
    ),
    pytest.param(
        single("Conv2D", [8, 8, 3], filters=4, kernel_size=3, data_format="channels_first"),
        None,
        id="conv2d-channels-first-ok",
    ),
    pytest.param(
        single("Conv1D", [8, 8, 3], filters=4, kernel_size=3),
        "Conv1D needs rank-3 input (batch, steps, channels); got (None, 8, 8, 3) from x",
        id="conv1d-rank",
    ),
    pytest.param(
        single("Conv2D", [4, 9, 1], filters=4, kernel_size=5),
        "Conv2D with kernel_size 5 and padding 'valid' shrinks dim 1 to 0; got (None, 4, 9, 1) from x",
        id="conv2d-shrinks",
    ),
    pytest.param(
        single("Conv2D", [3, 9, 4], filters=4, kernel_size=[2, 5], strides=2, data_format="channels_first"),
        "Conv2D with kernel_size (2, 5), strides 2 and padding 'valid' shrinks dim 3 to 0; got (None, 3, 9, 4) from x",
        id="conv2d-channels-first-shrinks",
    ),
    pytest.param(
        single("Conv1D", [6, 2], filters=4, kernel_size=3, dilation_rate=3),
        "Conv1D with kernel_size 3, dilation_rate 3 and padding 'valid' shrinks dim 1 to 0; got (None, 6, 2) from x",
        id="conv1d-dilation-shrinks",
    ),
    pytest.param(
        single("MaxPooling2D", [1, 5, 3], pool_size=2),
        "MaxPooling2D with pool_size 2 and padding 'valid' shrinks dim 1 to 0; got (None, 1, 5, 3) from x",
        id="pool-shrinks",
    ),
    pytest.param(
        single("Cropping2D", [4, 9, 3], cropping=[[2, 2], [0, 0]]),
        "Cropping2D with cropping ((2, 2), (0, 0)) shrinks dim 1 to 0; got (None, 4, 9, 3) from x",
        id="crop-shrinks",
    ),
    pytest.param(
        single("Dense", [], units=4),
        "Dense needs input of rank 2 or more (batch, ..., features); got (None,) from x",
        id="dense-rank",
    ),
    pytest.param(
        single("Dense", {"a": [8], "b": [8]}, units=4),
        "Dense takes one tensor; got 2: (None, 8) from a and (None, 8) from b",
        id="dense-two-inputs",
    ),
    pytest.param(
        single("Add", {"a": [32], "b": [16]}),
        "Add needs shapes that are equal or broadcast (dims equal or 1, aligned from the right); "
        "got (None, 32) from a and (None, 16) from b",
        id="add",
    ),
    pytest.param(
        single("Add", [8]),
        "Add takes a list of tensors (write several `inputs`); got one: (None, 8) from x",
        id="add-one-tensor",
    ),
    pytest.param(
        single("Subtract", {"a": [8], "b": [8], "c": [8]}),
        "Subtract takes exactly 2 tensors; got 3: (None, 8) from a, (None, 8) from b and (None, 8) from c",
        id="subtract-three",
    ),
    pytest.param(
        single("Concatenate", {"a": [4, 5], "b": [6, 5]}),
        "Concatenate on axis -1 needs equal dims elsewhere; got (None, 4, 5) from a and (None, 6, 5) from b",
        id="concat-dims",
    ),
    pytest.param(
        single("Dot", {"a": [3, 4], "b": [5, 6]}, axes=[2, 2]),
        "Dot on axes (2, 2) needs equal dims there; got (None, 3, 4) from a and (None, 5, 6) from b",
        id="dot",
    ),
    pytest.param(
        single("Reshape", [4, 4], target_shape=[3, 5]),
        "Reshape to target_shape (3, 5) needs 15 elements per example; got (None, 4, 4) from x, which has 16",
        id="reshape",
    ),
    pytest.param(
        single("Reshape", [4, 3], target_shape=[-1, 5]),
        "Reshape to target_shape (-1, 5) needs a multiple of 5 elements per example; "
        "got (None, 4, 3) from x, which has 12",
        id="reshape-minus-one",
    ),
    pytest.param(
        single("LSTM", [8], units=4),
        "LSTM needs rank-3 input (batch, timesteps, features); got (None, 8) from x",
        id="lstm-rank",
    ),
    pytest.param(
        single("LSTM", [5, 8], units=4, stateful=True),
        "LSTM with stateful=True needs a fixed batch size (declare `batch_size` on the input); got (None, 5, 8) from x",
        id="lstm-stateful",
    ),
    pytest.param(
        single("Permute", [4, 5], dims=[2, 1, 3]),
        "Permute with dims (2, 1, 3) needs rank-4 input; got (None, 4, 5) from x",
        id="permute-rank",
    ),
    pytest.param(
        single("GroupNormalization", [8, 6], groups=4),
        "GroupNormalization with groups 4 needs a channel count (axis -1) that is a multiple of 4; "
        "got (None, 8, 6) from x",
        id="groupnorm",
    ),
    pytest.param(
        single("Conv2D", [8, 8, 5], filters=4, kernel_size=3, groups=2),
        "Conv2D with groups 2 needs input channels divisible by 2; got (None, 8, 8, 5) from x",
        id="conv-groups",
    ),
    pytest.param(
        single("MultiHeadAttention", {"q": [7, 16], "v": [12, 10], "k": [11, 6]}, num_heads=2, key_dim=4),
        "MultiHeadAttention needs value and key to agree on all dims but the last; "
        "got (None, 12, 10) from v and (None, 11, 6) from k",
        id="mha-key-value",
    ),
    pytest.param(
        single("MultiHeadAttention", [7, 16], num_heads=2, key_dim=4),
        "MultiHeadAttention takes query and value (and optionally key) as 2 or 3 inputs; got (None, 7, 16) from x",
        id="mha-one-input",
    ),
    pytest.param(
        single("TimeDistributed", [8], wraps={"layer": "Dense", "units": 3}),
        "TimeDistributed needs input of rank 3 or more (batch, timesteps, ...); got (None, 8) from x",
        id="time-distributed-rank",
    ),
    pytest.param(
        single("EinsumDense", [5, 8], equation="abc,cd->abd", output_shape=[6, 4]),
        "EinsumDense 'abc,cd->abd' with output_shape (6, 4) needs dim 'b' to be 6 in the input; "
        "got (None, 5, 8) from x",
        id="einsum-dense",
    ),
    pytest.param(
        single("BatchNormalization", [8], axis=2),
        "BatchNormalization axis 2 is out of range for rank-2 input; got (None, 8) from x",
        id="batchnorm-axis",
    ),
]


@pytest.mark.parametrize(("spec", "message"), ERRORS)
def test_shape_error_messages(spec: Spec, message: str | None) -> None:
    errors = shape_errors(spec)
    if message is None:
        assert errors == []
        return
    assert [e.message for e in errors] == [message]
    assert errors[0].path == ("nodes", "y")
    assert errors[0].code == "shape-mismatch"


@pytest.mark.parametrize("spec", [pytest.param(p.values[0], id=p.id) for p in ERRORS if p.values[1] is not None])
def test_keras_refuses_what_inference_refuses(spec: Spec) -> None:
    assert keras_error(spec).errors[0].path == ("nodes", "y")


def test_a_shared_layer_with_another_feature_size_is_an_error() -> None:
    spec = spec_of(
        {"left": [None, 128], "right": [None, 64]},
        {
            "left_enc": {"layer": "LSTM", "inputs": "left", "units": 32},
            "right_enc": {"share": "left_enc", "inputs": "right"},
            "merged": {"layer": "Concatenate", "inputs": ["left_enc", "right_enc"]},
        },
    )
    [error] = shape_errors(spec)
    assert error.path == ("nodes", "right_enc")
    assert error.message == (
        "'right_enc' shares the LSTM layer of 'left_enc', whose weights were built for (None, None, 128) from left; "
        "got (None, None, 64) from right, which needs kernel of shape (64, 128), not (128, 128)"
    )
    # The same with sequences of another length is fine: the weights do not depend on it.
    ok = spec_of(
        {"left": [7, 128], "right": [9, 128]},
        {
            "l": {"layer": "LSTM", "inputs": "left", "units": 4},
            "r": {"share": "l", "inputs": "right"},
            "m": {"layer": "Add", "inputs": ["l", "r"]},
        },
    )
    assert shape_errors(ok) == []


def test_a_shared_dense_with_another_feature_size_is_an_error_keras_agrees() -> None:
    spec = spec_of(
        {"a": [8], "b": [6]},
        {
            "h": {"layer": "Dense", "inputs": "a", "units": 4},
            "g": {"share": "h", "inputs": "b"},
            "s": {"layer": "Add", "inputs": ["h", "g"]},
        },
    )
    [error] = shape_errors(spec)
    assert error.path == ("nodes", "g") and "kernel of shape (6, 4), not (8, 4)" in error.message
    assert keras_error(spec).errors[0].path == ("nodes", "g")


def test_element_wise_layers_over_a_list_are_unknown_not_errors() -> None:
    # Keras maps Dropout and Activation over a list; graphspec does not model that.
    for layer, args in (("Dropout", {"rate": 0.5}), ("Activation", {"activation": "relu"}), ("LayerNormalization", {})):
        inf = infer(graph_of(single(layer, {"a": [8], "b": [8]}, **args)))
        assert inf.diagnostics == [] and inf.nodes["y"].outputs == [TensorInfo(None, None)], layer


def test_arguments_of_the_wrong_type_make_outputs_unknown_not_crashes() -> None:
    # The catalogue check refuses these; inference must still survive them.
    for layer, args in (
        ("Dense", {"units": "12"}),
        ("Conv2D", {"filters": 2, "kernel_size": "3"}),
        ("Reshape", {"target_shape": "3"}),
        ("Dense", {"units": 2.5}),
    ):
        spec = spec_of(
            {"x": [4, 4, 3]}, {"y": {"layer": layer, "inputs": "x", **args}, "z": {"layer": "Flatten", "inputs": "y"}}
        )
        inf = infer(graph_of(spec))
        assert inf.nodes["z"].outputs == [TensorInfo(None, None)], (layer, inf.nodes["y"])
        assert inf.total_params is None


def test_embedding_on_float_input_is_fine() -> None:
    inf = infer(graph_of(single("Embedding", [5], input_dim=10, output_dim=3)))
    assert inf.diagnostics == []
    assert inf.nodes["y"].outputs == [TensorInfo((None, 5, 3), "float32")]


def test_unknown_dims_never_error() -> None:
    spec = spec_of(
        {"a": [None, None], "b": [None, 3]},
        {
            "ca": {"layer": "Conv1D", "inputs": "a", "filters": 4, "kernel_size": 9},
            "cb": {"layer": "Conv1D", "inputs": "b", "filters": 4, "kernel_size": 9},
            "cat": {"layer": "Concatenate", "inputs": ["ca", "cb"], "axis": 1},
            "r": {"layer": "Reshape", "inputs": "cat", "target_shape": [-1, 2]},
        },
    )
    inf = infer(graph_of(spec))
    assert inf.errors == []
    assert inf.nodes["cat"].outputs[0].shape == (None, None, 4)
    assert inf.nodes["r"].outputs[0].shape == (None, None, 2)
    # Conv1D over an unknown channel count cannot size its kernel: a warning, not an error.
    [warning] = inf.diagnostics
    assert warning.severity is Severity.WARNING and warning.path == ("nodes", "ca")
    assert (
        warning.message == "Conv1D needs known dims to create its weights: kernel would have shape (9, None, 4) "
        "from (None, None, None) from a"
    )
    assert inf.nodes["ca"].params is None and inf.total_params is None


def test_layers_without_a_rule_make_everything_downstream_unknown() -> None:
    spec = spec_of(
        {"x": [8], "img": [4, 4, 3]},
        {
            "proj": {"layer": "Discretization", "inputs": "x", "bin_boundaries": [0.0, 1.0]},
            "after": {"layer": "Dense", "inputs": "proj", "units": 3},
            "wide": {"layer": "Dense", "inputs": "x", "units": 99},
            # A known (None, 99) against an unknown tensor: no error can be certain.
            "cat": {"layer": "Concatenate", "inputs": ["after", "wide"], "axis": 0},
            "flat": {"layer": "Flatten", "inputs": "img"},
            "cut": {"layer": "Concatenate", "inputs": ["cat", "flat"]},
        },
    )
    inf = infer(graph_of(spec))
    assert inf.diagnostics == []
    assert inf.unknown == ["proj"]
    assert not inf.nodes["proj"].known and inf.nodes["after"].known
    for name in ("proj", "after", "cat", "cut"):
        assert inf.nodes[name].outputs == [TensorInfo(None, None)], name
    assert inf.nodes["proj"].params is None and inf.nodes["after"].params is None
    assert inf.nodes["wide"].params == 8 * 99 + 99
    assert inf.outputs["cut"] == TensorInfo(None, None)
    assert inf.total_params is None and inf.total_flops is None
    assert inf.nodes["flat"].outputs == [TensorInfo((None, 48), "float32")]


def test_registered_custom_layers_are_unknown() -> None:
    class Custom:
        def __init__(self, size: int = 2, **kwargs: Any):
            pass

    graphspec.register_layer(Custom, "ShapesTestCustom")
    try:
        spec = spec_of(
            {"x": [8]},
            {"c": {"layer": "ShapesTestCustom", "inputs": "x"}, "d": {"layer": "Dense", "inputs": "c", "units": 2}},
        )
        inf = infer(graph_of(spec))
    finally:
        graphspec.unregister_layer("ShapesTestCustom")
    assert inf.unknown == ["c"] and inf.nodes["d"].outputs == [TensorInfo(None, None)] and inf.diagnostics == []


def test_output_index_out_of_range_is_found_without_keras() -> None:
    spec = spec_of(
        {"t": {"shape": [None], "dtype": "int32"}},
        {
            "emb": {"layer": "Embedding", "inputs": "t", "input_dim": 9, "output_dim": 4},
            "enc": {"layer": "LSTM", "inputs": "emb", "units": 3, "return_state": True},
        },
        {"h": {"from": "enc:1"}, "bad": {"from": "enc:3"}},
    )
    inf = infer(graph_of(spec))
    [error] = inf.errors
    assert error.code is Code.BAD_OUTPUT_INDEX and error.path == ("outputs", "bad", "from")
    assert error.message == "'enc' produces 3 tensors; 'enc:3' is out of range"
    assert inf.outputs["h"] == TensorInfo((None, 3), "float32")


def test_plain_reference_to_a_multi_output_node_passes_all_its_tensors() -> None:
    spec = spec_of(
        {"x": [6, 5]},
        {
            "enc": {"layer": "LSTM", "inputs": "x", "units": 4, "return_state": True},
            "cat": {"layer": "Concatenate", "inputs": "enc"},
        },
        {"cat": {}},
    )
    inf = cross_check(spec)
    assert inf.nodes["cat"].outputs[0].shape == (None, 12)


def test_validate_stays_tensorflow_free() -> None:
    code = (
        "import pathlib, sys, graphspec\n"
        "from graphspec.shapes import infer\n"
        f"r = graphspec.validate(pathlib.Path({str(ROOT / 'specs' / 'seed' / 'siamese_lstm.yaml')!r}))\n"
        "assert infer(r.graph).total_params == 20673\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ---------------------------------------------------------------------------
# 4. FLOPs by hand


def flops_of(spec: Spec) -> Inference:
    return infer(graph_of(spec))


def test_flops_dense() -> None:
    assert flops_of(single("Dense", [64], units=32)).nodes["y"].flops == 64 * 32
    assert flops_of(single("Dense", [10, 64], units=32)).nodes["y"].flops == 10 * 64 * 32


def test_flops_conv2d() -> None:
    # out 30×30, kernel 3×3, 3 → 16 channels
    assert (
        flops_of(single("Conv2D", [32, 32, 3], filters=16, kernel_size=3)).nodes["y"].flops == 30 * 30 * 3 * 3 * 3 * 16
    )
    # groups divide the input channels each filter sees: 8×8 out, 4/2 channels per group
    assert (
        flops_of(single("Conv2D", [8, 8, 4], filters=6, kernel_size=3, padding="same", groups=2)).nodes["y"].flops
        == 8 * 8 * 3 * 3 * 4 * 6 // 2
    )
    assert flops_of(single("Conv2D", [None, 8, 4], filters=6, kernel_size=3)).nodes["y"].flops is None


def test_flops_lstm() -> None:
    assert flops_of(single("LSTM", [10, 8], units=16)).nodes["y"].flops == 4 * 16 * (8 + 16) * 10
    assert flops_of(single("GRU", [10, 8], units=16)).nodes["y"].flops == 3 * 16 * (8 + 16) * 10
    assert flops_of(single("LSTM", [None, 8], units=16)).nodes["y"].flops is None
    bi = flops_of(single("Bidirectional", [10, 8], wraps={"layer": "LSTM", "units": 16}))
    assert bi.nodes["y"].flops == 2 * 4 * 16 * (8 + 16) * 10


def test_total_flops_add_up() -> None:
    inf = flops_of(
        spec_of(
            {"x": [64]},
            {
                "h": {"layer": "Dense", "inputs": "x", "units": 32},
                "o": {"layer": "Dense", "inputs": "h", "units": 10},
                "r": {"layer": "ReLU", "inputs": "o"},
            },
        )
    )
    assert inf.total_flops == 64 * 32 + 32 * 10
    assert inf.nodes["r"].flops == 0
