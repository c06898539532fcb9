"""A run's hyperparameters and spec in TensorBoard: the HParams dashboard and the Text tab.

TensorBoard's own hparams plugin API (``tensorboard.plugins.hparams.api``) writes
the values; the metrics the dashboard shows beside them are the TensorBoard
callback's ``epoch_*`` scalars of the same log folder. TensorFlow is imported
only when writing.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["hparams_of", "write_run_summary"]

# The fit settings shown beside the spec's own parameters.
_FIT_SETTINGS = ("epochs", "batch_size", "validation_split", "shuffle", "steps_per_epoch")


def _hparam_value(value: Any) -> bool | int | float | str:
    # HParams takes bool, int, float and str; anything else (a list) is shown as its text.
    return value if isinstance(value, bool | int | float | str) else str(value)


def hparams_of(params: Mapping[str, Any], settings: Any, seed: int | None) -> dict[str, bool | int | float | str]:
    """The spec's ``params`` (after ``--set``) by name, then ``fit.*`` settings and the seed that were given."""
    values = {str(k): _hparam_value(v) for k, v in params.items()}
    for name in _FIT_SETTINGS:
        value = getattr(settings, name, None)
        if value is not None:
            values[f"fit.{name}"] = _hparam_value(value)
    if seed is not None:
        values["seed"] = seed
    return values


def write_run_summary(
    log_dir: Path, hparams: Mapping[str, bool | int | float | str], spec_text: str, run_name: str
) -> None:
    """Write the HParams of this run and its spec (as a YAML code block) to ``log_dir``'s own event file."""
    import tensorflow as tf
    from tensorboard.plugins.hparams import api as hp

    writer = tf.summary.create_file_writer(str(log_dir))
    try:
        with writer.as_default():
            hp.hparams(dict(hparams), trial_id=run_name)
            tf.summary.text("spec", f"```yaml\n{spec_text.rstrip()}\n```", step=0)
        writer.flush()
    finally:
        writer.close()
