"""Keras models from files and JSON, bounded: checked before Keras reads them, counted before Keras allocates.

A ``.keras`` file or a Keras JSON config from a stranger is two bombs in one: its
text (``config.json`` may inflate to gigabytes, JSON may nest 200,000 deep) and
its model (a three-line config may declare ``Dense(10**6)`` on a 10**6-wide
input, and Keras allocates every weight as it deserializes). So every model
file and config is

1. read through :mod:`graphspec.source.limits` (size, inflated size, ratio, nesting),
2. deserialized once without allocating any weight
   (``keras.StatelessScope(initialize_variables=False)``, as ``emit`` counts a
   spec's layers without a shape rule) and its parameters counted against the
   budget, and only then
3. loaded for real, in Keras' safe mode.

Keras is imported inside functions only.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from typing import Any

from graphspec._util.keras import import_keras, reason
from graphspec.budget import Budget
from graphspec.errors import Code, Diagnostic, SpecError
from graphspec.source.limits import Limits, read_keras_config, shown_path

__all__ = ["keras_file_model", "keras_text_model"]


_HINT = "give a .keras file written by graphspec build or fit"


Loader = Callable[[str, Mapping[str, Any]], Any]  # (model JSON text, custom objects) → model


def _from_json(text: str, custom_objects: Mapping[str, Any]) -> Any:
    return import_keras().models.model_from_json(text, custom_objects=dict(custom_objects))


def _bad_model(where: str, exc: BaseException, hint: str, failed: str = "Keras could not load this model") -> SpecError:

    return SpecError([Diagnostic(Code.BAD_MODEL, f"{where}: {failed}: {reason(exc)}", (), hint, file=where)])


def _count_params(
    text: str,
    where: str,
    budget: Budget,
    custom_objects: Mapping[str, Any],
    hint: str,
    loader: Loader = _from_json,
    failed: str = "Keras could not load this model",
) -> None:
    """Deserialize the config without allocating a weight, and refuse it over the parameter budget."""
    keras = import_keras()
    from keras.src.saving.serialization_lib import SafeModeScope

    try:
        config = json.loads(text)
        if isinstance(config, dict):
            # Compiling creates the optimizer's variables from values,
            # which a stateless scope refuses; it adds no weights.
            config.pop("compile_config", None)
        with keras.StatelessScope(initialize_variables=False), SafeModeScope(True):
            model = loader(json.dumps(config), custom_objects)
            counts = {layer.name: layer.count_params() for layer in getattr(model, "layers", ())}
    except Exception as exc:
        raise _bad_model(where, exc, hint, failed) from None
    total = sum(counts.values())
    if total > budget.max_params:
        biggest = max(counts, key=lambda n: counts[n])
        message = (
            f"{where}: the model has {total:,} parameters, over the budget of {budget.max_params:,}; "
            f"the largest layer, {biggest!r}, has {counts[biggest]:,}"
        )
        hint = "raise the budget with --max-params or Budget(max_params=...) if this model is trusted"
        raise SpecError([Diagnostic(Code.TOO_MANY_PARAMS, message, (), hint, file=where)])


def keras_file_model(
    path: str | os.PathLike[str],
    *,
    limits: Limits,
    budget: Budget,
    custom_objects: Mapping[str, Any],
    hint: str = _HINT,
    file_hint: str = _HINT,
) -> Any:
    """Load a ``.keras`` file: archive and config checked, parameters counted, then loaded with ``safe_mode=True``.

    ``file_hint`` is the hint for a file that is no model archive, ``hint`` for one Keras refuses.

    Raises:
        SpecError: ``io-error`` for a missing file, ``bad-model`` for one that
            breaks a read limit or that Keras cannot load, ``too-many-params``.
    """
    where = shown_path(path)
    config = read_keras_config(path, limits, file_hint)
    _count_params(config, where, budget, custom_objects, hint)
    keras = import_keras()
    try:
        return keras.saving.load_model(os.fspath(path), custom_objects=dict(custom_objects), safe_mode=True)
    except Exception as exc:
        raise _bad_model(where, exc, hint) from None


def keras_text_model(
    text: str,
    where: str,
    *,
    budget: Budget,
    custom_objects: Mapping[str, Any],
    hint: str = _HINT,
    loader: Loader = _from_json,
    failed: str = "Keras could not load this model",
) -> Any:
    """A model from Keras JSON text (``model.to_json()``) already bounded by the read limits
    (:func:`graphspec.source.limits.check_model_text`, or :func:`~graphspec.source.limits.read_model_text`
    for a file): counted, then built in safe mode.

    ``loader`` builds the model from the text (Keras' ``model_from_json`` by default; the
    importer passes Keras' legacy loader for a Keras 2 config), ``failed`` says what failed.

    Raises:
        SpecError: ``bad-model`` for text Keras cannot load or that is not a
            model config; ``too-many-params``.
    """
    _count_params(text, where, budget, custom_objects, hint, loader, failed)
    keras = import_keras()
    from keras.src.saving.serialization_lib import SafeModeScope

    try:
        with SafeModeScope(True):
            model = loader(text, custom_objects)
    except Exception as exc:
        raise _bad_model(where, exc, hint, failed) from None
    if not isinstance(model, keras.Model):  # Keras returns other JSON (`{"a": 1}`) as it is
        raise SpecError(
            [
                Diagnostic(
                    Code.BAD_MODEL,
                    f"{where}: this JSON is not a Keras model config",
                    (),
                    "give the JSON that model.to_json() writes",
                    file=where,
                )
            ]
        )
    return model
