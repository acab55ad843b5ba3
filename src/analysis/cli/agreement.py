"""``python -m analysis agreement SHEET...``: intercoder agreement per dimension, disagreements."""

from __future__ import annotations

import argparse
import math
from typing import Any


def add_parser(subparsers: Any) -> None:
    """Register the ``agreement`` command."""
    parser = subparsers.add_parser(
        "agreement",
        help="percent agreement, Cohen's kappa and Krippendorff's alpha of coders' sheets",
        description=(
            "Merge the coders' sheets and print, per coded dimension: units coded by at least "
            "two coders, coders, percent agreement, Cohen's kappa (exactly two coders), "
            "Krippendorff's alpha with a bootstrap interval over units, then every disagreement "
            "for adjudication."
        ),
    )
    parser.add_argument("sheets", nargs="+", metavar="SHEET", help="one sheet per coder")
    parser.add_argument("--manifest", metavar="PATH", help="manifest CSV (default: the seeds)")
    parser.add_argument("--n-boot", type=int, default=2000, help="bootstrap replicates (2000)")
    parser.add_argument("--seed", type=int, default=0, help="bootstrap seed (0)")
    parser.set_defaults(func=run)


def _fmt(x: float) -> str:
    return "  n/a" if isinstance(x, float) and math.isnan(x) else f"{x:5.3f}"


def run(args: argparse.Namespace) -> int:
    """Print the agreement table and the disagreements."""
    from analysis.agreement import agreement_summary, alpha_verdict, disagreements
    from analysis.agreement.alpha import ALPHA_RELIABLE, ALPHA_TENTATIVE  # (their home)
    from analysis.coding import load_codebook, merge_sheets
    from analysis.corpus import load_corpus
    from analysis.errors import CodingError
    from analysis.segment import segment_corpus

    if args.n_boot < 1:
        raise CodingError(f"--n-boot must be positive, got {args.n_boot}")
    cb = load_codebook()
    segments = segment_corpus(load_corpus(args.manifest))
    long = merge_sheets(args.sheets, segments, codebook=cb)
    dims = [d.name for d in cb.categorical]
    long = long[long["dimension"].isin(dims)]
    levels: dict[str, Any] = {d.name: d.level for d in cb.categorical}
    summary = agreement_summary(long, levels=levels, n_boot=args.n_boot, seed=args.seed)
    coders = sorted(long["coder"].unique())
    print(f"coders: {', '.join(coders)}")
    if len(coders) < 2:
        print("note: agreement needs at least two coders; alpha and kappa are undefined")
    print(
        f"{'dimension':<21} {'level':<8} {'units':>5} {'coders':>6} {'agree':>6} "
        f"{'kappa':>6} {'alpha':>6}  {'reading':<12}  95% CI (bootstrap over units)"
    )
    for r in summary.itertuples(index=False):
        ci = f"[{_fmt(r.alpha_lower)}, {_fmt(r.alpha_upper)}]"
        print(
            f"{r.dimension:<21} {r.level:<8} {r.n_units:>5} {r.n_coders:>6} "
            f"{_fmt(r.percent_agreement):>6} {_fmt(r.cohen_kappa):>6} {_fmt(r.alpha):>6}  "
            f"{alpha_verdict(r.alpha):<12}  {ci}" + (f"  ({r.alpha_note})" if r.alpha_note else "")
        )
    # the thresholds and words of analysis.agreement, as the reports use them
    print(
        f"Reading of alpha (Krippendorff): reliable >= {ALPHA_RELIABLE}; tentative >= "
        f"{ALPHA_TENTATIVE} (tentative conclusions only); not reliable below. With few units "
        "the interval is wide."
    )
    dis = disagreements(long, dimensions=dims)
    print(f"\ndisagreements for adjudication: {len(dis)}")
    for r in dis.itertuples(index=False):
        print(f"  {r.dimension:<21} {r.seg_id:<18} {r.codes}")
    return 0
