"""Names in an imported spec: Keras layer names as node and input names, sanitised where they cannot be."""

from __future__ import annotations

import re
from typing import Any

from graphspec._util.names import BOUNDED_NAME, NODE_NAME_RE
from graphspec.spec import node_name

_VALID_NAME = re.compile(BOUNDED_NAME)
# A node name may be scoped (`stage2/block1`); its Keras name joins the scopes with `.`.
_VALID_NODE_NAME = NODE_NAME_RE


def valid_name(name: str, taken: set[str], reserved: set[str] | frozenset[str] = frozenset()) -> str:
    """``name`` itself when valid and free, else a sanitised, unique variant that avoids ``reserved`` too."""
    if _VALID_NAME.fullmatch(name) and name not in taken:
        return name
    taken = taken | reserved
    base = re.sub(r"[^A-Za-z0-9_\-]", "_", name)[:120] or "_"
    if not re.match(r"[A-Za-z_]", base):
        base = "_" + base
    out, k = base, 2
    while out in taken:
        out, k = f"{base}_{k}", k + 1
    return out


def _node_name(keras_name: str, taken: set[str], reserved: set[str]) -> tuple[str, str | None]:
    """A node name for a Keras layer name, and the ``keras_name`` to write when the two differ.

    Dots become scopes (``stage2.block1.conv`` → ``stage2/block1/conv``, which builds back to
    the same name). Any other name graphspec cannot use as a node name (``mobilenet_1.00_224``,
    ``dense 1``) is sanitised and keeps its Keras name in ``keras_name``; a sanitised name also
    avoids ``reserved`` (the model's layer names), so it does not take a later layer's name.
    """
    scoped = node_name(keras_name)
    if (
        _VALID_NODE_NAME.fullmatch(scoped)
        and len(scoped) <= 256
        and all(len(s) <= 128 for s in scoped.split("/"))
        and scoped not in taken
    ):
        return scoped, None
    return valid_name(keras_name, taken, reserved=reserved), keras_name


def _named_spec(name: str, keras_name: str | None, data: dict[str, Any]) -> dict[str, Any]:
    return data if keras_name is None or keras_name == name else {**data, "keras_name": keras_name}
