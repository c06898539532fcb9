"""Stage 4a, the layer catalogue: does each node name a real layer, with arguments it takes?

The catalogue (``catalog.json``, generated from the installed Keras by
:mod:`graphspec.catalog._build`) lists every class in ``keras.layers`` with its
constructor parameters, and the allow-lists of activations, initializers,
regularizers, constraints, losses, metrics, optimizers and callbacks. Checking a
spec against it needs no TensorFlow.

Its parts, each importing only those above it in this list:

- :mod:`~graphspec.catalog._builtin`: ``catalog.json`` read as data (:class:`Param`,
  :class:`LayerInfo`, :class:`ObjectInfo`, Keras' own object names);
- :mod:`~graphspec.catalog.registry`: the one registry of custom layers, callbacks
  and objects, and :func:`layer_info` for built-in and registered layers alike;
- :mod:`~graphspec.catalog.objects`: objects named by a spec and their configs;
- :mod:`~graphspec.catalog.arguments`: the value rules of plain layer arguments;
- :mod:`~graphspec.catalog.ops`: ``op:`` nodes, functions of ``keras.ops``;
- :mod:`~graphspec.catalog.calls`: a node's call arguments (``call:``);
- :mod:`~graphspec.catalog.nodes`: each node against the above (layer arguments,
  nested layers, wrapped and nested models);
- :mod:`~graphspec.catalog.training`: losses, metrics, the optimizer and ``fit:``.

:mod:`~graphspec.catalog.docs` carries the layers' documentation, for the language
server. The names the rest of graphspec uses are re-exported here.
"""

from __future__ import annotations

from graphspec.catalog._builtin import LayerInfo, ObjectInfo, Param, builtin_object_names, keras_version
from graphspec.catalog.arguments import _CHOICES as _CHOICES
from graphspec.catalog.arguments import _FILE_PARAMS as _FILE_PARAMS
from graphspec.catalog.arguments import _POSITIVE_INT as _POSITIVE_INT
from graphspec.catalog.arguments import _RATE as _RATE
from graphspec.catalog.arguments import _SIZE as _SIZE
from graphspec.catalog.arguments import _VOCAB_LAYERS as _VOCAB_LAYERS
from graphspec.catalog.arguments import DTYPE_POLICIES
from graphspec.catalog.nodes import MODEL_WRAPPERS, check_layer_args, check_nodes, check_submodel
from graphspec.catalog.objects import NESTED_OBJECTS, check_object, object_info, object_kind, object_names
from graphspec.catalog.ops import OpInfo, check_op_args, op_for_class, op_info, op_names
from graphspec.catalog.registry import (
    layer_info,
    layer_names,
    register_callback,
    register_layer,
    register_object,
    registered_callbacks,
    registered_layers,
    registered_object,
    registered_objects,
    unregister_callback,
    unregister_layer,
    unregister_object,
)
from graphspec.catalog.training import _RUN_FOLDER_FILES as _RUN_FOLDER_FILES
from graphspec.catalog.training import (
    CALLBACK_DEFAULT_FILES,
    CALLBACK_FILE_ARGS,
    MAX_CALLBACKS,
    MAX_LOSSES,
    MAX_METRICS,
    REFUSED_CALLBACKS,
    check_fit,
    check_training,
)

__all__ = [
    "CALLBACK_DEFAULT_FILES",
    "CALLBACK_FILE_ARGS",
    "DTYPE_POLICIES",
    "MAX_CALLBACKS",
    "MAX_LOSSES",
    "MAX_METRICS",
    "MODEL_WRAPPERS",
    "NESTED_OBJECTS",
    "REFUSED_CALLBACKS",
    "LayerInfo",
    "ObjectInfo",
    "OpInfo",
    "Param",
    "builtin_object_names",
    "check_fit",
    "check_layer_args",
    "check_nodes",
    "check_object",
    "check_op_args",
    "check_submodel",
    "check_training",
    "keras_version",
    "layer_info",
    "layer_names",
    "object_info",
    "object_kind",
    "object_names",
    "op_for_class",
    "op_info",
    "op_names",
    "register_callback",
    "register_layer",
    "register_object",
    "registered_callbacks",
    "registered_layers",
    "registered_object",
    "registered_objects",
    "unregister_callback",
    "unregister_layer",
    "unregister_object",
]
