"""The expander: one run over a spec's authoring data, its concerns combined over their shared state."""

from __future__ import annotations

from typing import Any

from graphspec.errors import SpecError
from graphspec.expand._authoring import AUTHORING_KEYS
from graphspec.expand._blocks import _Blocks
from graphspec.expand._definitions import _Scope
from graphspec.expand._instances import _Instances
from graphspec.expand._overrides import _Overrides
from graphspec.expand._params import _Params
from graphspec.expand._references import _References
from graphspec.expand._state import _Abort
from graphspec.expand._submodels import _Submodels
from graphspec.expand._substitute import _Substitution
from graphspec.source import Document, locate


class _Expander(_Instances, _Submodels, _Blocks, _Params, _Overrides, _Substitution, _References):
    """Expands one document: blocks loaded, parameters bound, nodes expanded, references resolved, in that order."""

    def run(self, overrides: dict[str, Any]) -> Document:
        data: dict[str, Any] = self.root.data
        self.load_blocks(self.root, self.chain)
        try:
            env = self.spec_params(data.get("params"), overrides)
        except _Abort:
            raise SpecError([*self.root.problems, *self.problems]) from None
        self.spec_env = env
        self.out.params = dict(env)
        if self.problems:  # every value may depend on the parameters: stop before echoing their errors
            raise SpecError([*self.root.problems, *self.problems])
        flat: dict[str, Any] = {}
        try:
            for key, value in data.items():
                if key in AUTHORING_KEYS:
                    continue
                if key == "nodes" and isinstance(value, dict):
                    scope = _Scope("", env, {}, self.root, ("nodes",))
                    for name, node in value.items():
                        self.node(scope, str(name), node)
                    flat["nodes"] = self.nodes
                else:
                    flat[key] = self.substitute(value, env, self.root, (key,))
            self.resolve_references(flat)
        except _Abort:
            pass
        self.out.data = flat
        # A problem with an instance's arguments recurs in every copy: report it once.
        problems = list(dict.fromkeys([*self.problems, *locate(self.late, self.out)]))
        if problems:
            raise SpecError([*self.root.problems, *problems])
        return self.out
