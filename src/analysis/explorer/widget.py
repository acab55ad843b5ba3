"""The interactive term explorer (ipywidgets): type a term, see its rates, lines and barcode by
group; the static summary stands in where widgets cannot run."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from analysis import counts, report
from analysis.errors import AnalysisError
from analysis.explorer.comparison import restrict_groups
from analysis.explorer.terms import figure_png, term_summary
from analysis.pipeline import CorpusTables


def _term_options(tables: CorpusTables) -> list[str]:
    """Analysed terms, most frequent first: whole terms, then words inside multiword terms."""
    joined = counts.term_counts(tables.tokens, tables.segments, "doc_id")
    split = counts.term_counts(tables.tokens, tables.segments, "doc_id", mwe=False)
    both = pd.concat([joined, split])
    totals = both.groupby("term")["n"].max().reset_index()
    totals = totals.sort_values(["n", "term"], ascending=[False, True])
    return list(dict.fromkeys(totals["term"]))


def term_explorer(
    tables: CorpusTables,
    *,
    groups: Sequence[str] | None = None,
    by: str = "actor_type",
    terms: Sequence[str] | None = None,
    value: str | None = None,
    window: int = 6,
    max_lines: int = 25,
) -> Any:
    """Build an interactive explorer: pick a term, see its rates, lines and dispersion.

    A combobox offers the analysed terms (any word, phrase or pattern may be typed; the
    "match as" menu says how it is matched); below it, for the chosen term, the
    :func:`term_summary` tables and barcode. In a static HTML report only the widget's text
    representation remains; show :func:`term_summary` next to it.

    Parameters
    ----------
    tables : CorpusTables
        From :func:`analysis.pipeline.build`.
    groups : sequence of str, optional
        Groups shown (default all).
    by : str, default "actor_type"
        Group column.
    terms : sequence of str, optional
        Picker options; default every analysed term and every word of a multiword term, most
        frequent first.
    value : str, optional
        Term shown first; default the first option.
    window : int, default 6
        Context words of the KWIC lines.
    max_lines : int, default 25
        KWIC lines shown (the count above the table says how many there are).

    Returns
    -------
    TermExplorer
        An ``ipywidgets.VBox`` with attributes ``picker`` (Combobox), ``match_as`` (Dropdown)
        and ``output`` (Output); changing either control redraws the output.
    """
    restricted, chosen = restrict_groups(tables, groups, by)
    options = list(terms) if terms is not None else _term_options(restricted)
    if not options:
        raise AnalysisError("no terms to explore: the analysed segments contain no words.")
    return _explorer_class()(
        restricted,
        options=options,
        value=options[0] if value is None else value,
        groups=chosen,
        by=by,
        window=window,
        max_lines=max_lines,
    )


def _explorer_class() -> type:
    """Define the widget class on first use, so importing this module does not need ipywidgets."""
    global _TERM_EXPLORER
    if _TERM_EXPLORER is not None:
        return _TERM_EXPLORER
    import ipywidgets as widgets
    from IPython.display import Image, Markdown

    class TermExplorer(widgets.VBox):  # type: ignore[misc]  # ipywidgets has no types
        """Term picker and its output (see :func:`term_explorer`)."""

        def __init__(
            self,
            tables: CorpusTables,
            *,
            options: list[str],
            value: str,
            groups: list[str],
            by: str,
            window: int,
            max_lines: int,
        ) -> None:
            self._tables, self._groups, self._by = tables, groups, by
            self._window, self._max_lines = window, max_lines
            self.picker = widgets.Combobox(
                options=options,
                value=value,
                ensure_option=False,
                continuous_update=False,
                placeholder="type or pick a term",
                description="Term",
            )
            self.match_as = widgets.Dropdown(
                options=["auto", "word", "stem", "mwe", "regex"],
                value="auto",
                description="Match as",
            )
            self.output = widgets.Output()
            super().__init__([widgets.HBox([self.picker, self.match_as]), self.output])
            self.picker.observe(self._refresh, names="value")
            self.match_as.observe(self._refresh, names="value")
            self._refresh()

        def _refresh(self, change: Any = None) -> None:
            term, kind = self.picker.value, self.match_as.value
            # Reset the synced trait rather than clear_output(), which needs a running kernel.
            self.output.outputs = ()
            show = self.output.append_display_data
            try:
                summary = term_summary(
                    self._tables,
                    term,
                    groups=self._groups,
                    by=self._by,
                    kind=kind,
                    window=self._window,
                )
            except AnalysisError as exc:
                show(Markdown(f"**{report.quote_text(term)}**: {report.quote_text(str(exc))}"))
                return
            n = len(summary.lines)
            show(
                Markdown(
                    f"**{report.quote_text(term)}** (matched as {summary.kind}): "
                    f"{n} occurrence(s). Rates per 1,000 running words and dispersion "
                    "(DP: 0 = even, 1 = in one paragraph) by group:"
                )
            )
            show(summary.rates)
            if n:
                shown = f"first {self._max_lines} of {n}" if n > self._max_lines else f"all {n}"
                show(Markdown(f"Concordance lines ({shown}), in reading order:"))
                show(summary.lines.drop(columns=["start", "end"]).head(self._max_lines))
            show(Image(data=figure_png(summary.figure), format="png"))

        def __repr__(self) -> str:
            return (
                f"Term explorer (interactive, in JupyterLab): "
                f"{len(self.picker.options)} terms, showing {self.picker.value!r}"
            )

    _TERM_EXPLORER = TermExplorer
    return TermExplorer


_TERM_EXPLORER: type | None = None
