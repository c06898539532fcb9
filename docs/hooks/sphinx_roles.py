"""A Griffe extension: the Sphinx roles of graphspec's docstrings as Markdown code on the API pages.

The docstrings name other objects the way Sphinx and editors read them (:class:`~graphspec.Spec`,
:func:`graphspec.spec.parse_spec`); mkdocstrings' Google-style parser would print those roles as
they are. Each becomes inline code: the last dotted part where the role starts with ``~``, the
whole name otherwise.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:py:)?(?:class|func|meth|mod|attr|data|exc|obj|const):`(~?)([^`<>]+?)`")


def plain(text: str) -> str:
    """``text`` with every Sphinx cross-reference role turned into Markdown inline code."""
    return _ROLE.sub(lambda m: f"`{m.group(2).rsplit('.', 1)[-1] if m.group(1) else m.group(2)}`", text)


class SphinxRoles(griffe.Extension):
    """Rewrites each loaded object's docstring with :func:`plain`."""

    def on_object(self, *, obj: griffe.Object, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = plain(obj.docstring.value)
