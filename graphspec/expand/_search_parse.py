"""The parser of a ``search:`` section: its concerns combined and run in order, then the defaults checked."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from graphspec._util.suggest import did_you_mean_or_list
from graphspec.errors import Code, Path
from graphspec.expand._search_branches import _Branches, _with_branches
from graphspec.expand._search_goals import _Goals
from graphspec.expand._search_params import _Entries
from graphspec.expand._search_space import Space

_SECTION_KEYS = ("params", "objective", "constraints")


class _Parser(_Goals, _Entries, _Branches):
    """Reads one ``search:`` section: its keys, parameters, objective and constraints, every problem kept."""

    def run(self, raw: Any) -> Space | None:
        where: Path = ("search",)
        if not isinstance(raw, dict):
            self.error(
                Code.WRONG_TYPE,
                "`search` is a mapping with `params`, and optionally `objective` and `constraints`",
                where,
            )
            return None
        for key in raw:
            if key not in _SECTION_KEYS:
                self.error(
                    Code.UNKNOWN_KEY,
                    f"unknown key {key!r} in `search`",
                    (*where, key),
                    did_you_mean_or_list(key, _SECTION_KEYS),
                    at_key=True,
                )
        if "params" not in raw:
            self.error(
                Code.MISSING_KEY,
                "`search` needs `params`: the parameters to search and their ranges",
                where,
                "params: {width: {int: [32, 256], step: 32}}",
            )
        else:
            self.entries(raw["params"], (*where, "params"), ())
        objective = self.objective(raw.get("objective"))
        limits = self.constraints(raw.get("constraints"))
        if objective is None:
            return None
        space = Space(
            _with_branches(self.params),
            objective,
            limits.get("max_params"),
            limits.get("max_flops"),
            self.declared,
            self.doc,
            "objective" in raw,
        )
        self.check_defaults(space)
        return space

    def check_defaults(self, space: Space) -> None:
        """Record each parameter's written value as its default, where it lies in the domain."""
        effect = space.defaults()
        for i, p in enumerate(space.params):
            value = effect.get(p.name)
            if p.searched and value is not None and p.admits(value):
                space.params = (*space.params[:i], replace(p, default=value), *space.params[i + 1 :])
        space.by_name = {p.name: p for p in space.params}
