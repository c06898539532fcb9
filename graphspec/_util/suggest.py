"""The one did-you-mean: the same typo gets the same hint wherever it is made."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["close_names", "did_you_mean"]

_MOST = 3
_CUTOFF = 0.6
_TIE = 0.05  # how much less close than the closest a name may be and still be offered


def close_names(word: object, options: Iterable[str], *, exclude: Iterable[str] = ()) -> list[str]:
    """The options close to ``word``, closest first, compared without case: at most three, and
    only those about as close as the closest (a clear favourite is offered alone).

    ``exclude`` names options that must never be offered (a node to itself, say).
    """
    if not isinstance(word, str):
        return []
    left_out = set(exclude)
    by_lower: dict[str, str] = {}
    for option in options:
        if option not in left_out:
            by_lower.setdefault(option.lower(), option)
    lowered = word.lower()
    close = difflib.get_close_matches(lowered, list(by_lower), n=_MOST, cutoff=_CUTOFF)
    if not close:
        return []
    scores = [difflib.SequenceMatcher(None, lowered, c).ratio() for c in close]
    return [by_lower[c] for c, score in zip(close, scores, strict=True) if score >= scores[0] - _TIE]


def did_you_mean(
    word: object, options: Iterable[str], *, otherwise: str | None = None, exclude: Iterable[str] = ()
) -> str | None:
    """``did you mean 'units'?`` (or ``'a' or 'b'``) for a name not found; ``otherwise`` when nothing is close."""
    close = close_names(word, options, exclude=exclude)
    if not close:
        return otherwise
    return "did you mean " + " or ".join(repr(c) for c in close) + "?"


def did_you_mean_or_list(word: object, options: Iterable[str], *, label: str = "allowed here") -> str:
    """:func:`did_you_mean`, or the options themselves (``allowed here: a, b``) when nothing is close."""
    options = list(options)
    return did_you_mean(word, options) or f"{label}: " + ", ".join(options)
