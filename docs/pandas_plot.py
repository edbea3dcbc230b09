"""Render the figure of docs/pandas.md: requests received per issuer and year, from the seed reports.

    python docs/pandas_plot.py [--out docs/img/pandas-requests.png]

Needs the docs extra (matplotlib, pandas): ``pip install -e ".[docs]"``. tests/test_docs.py runs it.
"""
from __future__ import annotations

import argparse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def requests_per_year(texts_dir: Path):
    """``{(issuer, year): requests received}`` of the reports under ``texts_dir`` (a pandas Series)."""
    import govie

    reports = {p.name: govie.parse_file(p) for p in sorted(texts_dir.glob("*.txt"))}
    df = govie.to_dataframe(reports)
    received = df[df["indicator_id"] == "s08.request.total"]  # 收到申请数 of the 2008-2018 table
    received = received.assign(issuer=received["issuer"].fillna("(issuer not in title)"))
    return received.groupby(["issuer", "year"])["value"].first()  # the first mention, in text order


def plot(series, out: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    cjk = [f.name for f in font_manager.fontManager.ttflist
           if any(k in f.name for k in ("Noto Sans CJK", "WenQuanYi", "SimHei", "Source Han", "PingFang"))]
    if cjk:
        plt.rcParams["font.family"] = cjk[0]
    labels = [f"{i if cjk else 'issuer ' + str(n + 1)} {y}" for n, (i, y) in enumerate(series.index)]
    fig, ax = plt.subplots(figsize=(6, 3), dpi=100)
    ax.barh(labels, series.to_numpy(), color="#ff9f1c")
    ax.set_xlabel("requests received (s08.request.total)")
    ax.set_title("Information-disclosure requests per issuer and year")
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out)
    plt.close(fig)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "img" / "pandas-requests.png")
    ap.add_argument("--texts", type=Path, default=ROOT / "corpus" / "texts")
    args = ap.parse_args()
    series = requests_per_year(args.texts)
    print(series.to_string())
    print(f"wrote {plot(series, args.out)}")


if __name__ == "__main__":
    main()
