"""How to count, as one object: the options every count takes.

Every count-based function (term counts, keyness and its checks, dispersion, n-grams, TF-IDF,
paragraph similarity ...) takes the same four options. :class:`CountOptions` holds them once,
checked when it is made, so a notebook or a script states them in one place and passes
``options=`` to each call instead of repeating the keywords::

    stems = CountOptions(unit="stem", stopwords=True)
    counts.term_counts(dtm, options=stems)
    counts.group_keyness(dtm, target="civil_society", reference="government", options=stems)

A keyword given beside ``options`` overrides that one field; a function uses the fields it has
(``function_word_profile`` has no ``unit``). The keywords themselves stay, so every call of the
design's stable entry points reads as before.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from analysis.dtm import TermForm
from analysis.errors import AnalysisError

__all__ = ["COUNT_OPTION_NAMES", "CountOptions"]

#: The keywords a :class:`CountOptions` stands for.
COUNT_OPTION_NAMES = ("unit", "mwe", "stopwords", "kinds")


@dataclass(frozen=True)
class CountOptions:
    """The counting options of every count.

    Attributes
    ----------
    unit
        ``"norm"`` (normal forms) or ``"stem"`` (Snowball stems, each labelled by its most
        frequent form).
    mwe
        Count multiword expressions joined (True) or not (False); None: as the matrix was built
        (a token table: joined).
    stopwords
        Keep stopwords in the counted terms (the rates' denominators always include them).
    kinds
        The kinds of unit counted; None: as the matrix was built (a token table: body paragraphs
        and list items).

    Examples
    --------
    >>> CountOptions(unit="stem").replace(stopwords=True)
    CountOptions(unit='stem', mwe=None, stopwords=True, kinds=None)
    >>> CountOptions(unit="lemma")
    Traceback (most recent call last):
    ...
    analysis.errors.AnalysisError: unit must be 'norm' or 'stem', not 'lemma'
    """

    unit: TermForm = "norm"
    mwe: bool | None = None
    stopwords: bool = False
    kinds: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.unit not in ("norm", "stem"):
            raise AnalysisError(f"unit must be 'norm' or 'stem', not {self.unit!r}")
        if self.mwe is not None and not isinstance(self.mwe, bool):
            raise AnalysisError(f"mwe must be True, False or None, not {self.mwe!r}")
        if not isinstance(self.stopwords, bool):
            raise AnalysisError(f"stopwords must be True or False, not {self.stopwords!r}")
        if self.kinds is not None:
            if isinstance(self.kinds, str) or not all(isinstance(k, str) for k in self.kinds):
                raise AnalysisError(f"kinds must be a sequence of kind names, not {self.kinds!r}")
            if not self.kinds:
                raise AnalysisError("kinds is empty: name at least one kind of unit to count")
            object.__setattr__(self, "kinds", tuple(self.kinds))

    def replace(self, **changes: Any) -> CountOptions:
        """These options with some fields changed (checked again)."""
        return dataclasses.replace(self, **changes)

    def keywords(self, accepted: Iterable[str] = COUNT_OPTION_NAMES) -> dict[str, Any]:
        """The options as keywords, those of ``accepted`` only (the parameters a function has)."""
        wanted = set(accepted)
        return {name: getattr(self, name) for name in COUNT_OPTION_NAMES if name in wanted}


def merge_options(
    options: CountOptions | None, given: Mapping[str, Any], accepted: Sequence[str]
) -> dict[str, Any]:
    """The keywords of a call: ``given`` as passed, each count option it lacks filled from
    ``options`` (for the parameters in ``accepted``)."""
    if options is None:
        return dict(given)
    if not isinstance(options, CountOptions):
        raise AnalysisError(
            f"options must be an analysis.options.CountOptions, not {type(options).__name__}"
        )
    merged = options.keywords(accepted)
    merged.update(given)
    return merged
