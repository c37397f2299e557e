"""The China AI-chip case study from Python: the study file as it is, its headline table.

Run from anywhere once the package is installed (`pip install ./crates/evstudy-py`); the
study file names the real prices in ../shared/ relative to itself:

    python examples/python/china_ai_chips.py [--out out/china-ai-chips-py]
"""

import argparse
from pathlib import Path

import polars as pl

import evstudy as es

STUDY = Path(__file__).resolve().parents[2] / "datasets" / "china-ai-chips" / "study.toml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="also write the tables and the report here")
    args = parser.parse_args()

    res = es.Study.from_toml(STUDY).run()
    print(res.title)
    headline = res.headline.with_columns(
        (pl.col("caar") * 100).round(2).alias("caar_%"),
        (pl.col("share_positive") * 100).round(0).alias("positive_%"),
    ).select("group", "window", "n", "caar_%", "positive_%", "csect_p", "adj_bmp_p", "grank_p")
    with pl.Config(tbl_rows=-1, tbl_cols=-1, tbl_width_chars=160, fmt_str_lengths=40):
        print(headline)
    counts = res.run_info.get("counts", {})
    print(f"{counts.get('pairs_analysed')} of {counts.get('pairs')} pairs analysed; "
          f"{res.exclusions.height} exclusion rows; tables: {', '.join(res.table_names)}")
    if args.out:
        res.write(args.out, formats=["csv", "parquet"])
        print(f"written to {args.out} (report: {res.report(args.out)})")


if __name__ == "__main__":
    main()
