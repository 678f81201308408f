"""The scale benchmark's table: each figure at every archive size, and the largest/smallest.

python bench/scale_table.py var/bench/scale-10k.json var/bench/scale-100k.json ...
"""

import json
import sys
from pathlib import Path


def shown(result: dict | None, p95: bool) -> str:
    if result is None:
        return "not measured"
    if result.get("timeout"):
        return f"timeout (query >{result['timeout_s']:g} s or page >{result['limit_s']} s)"
    if "error" in result:
        return result["error"].rsplit(" ", 2)[-1]
    text = f"{result['p50'] * 1000:,.0f}"
    if p95:
        text += f" / {result['p95'] * 1000:,.0f}"
    if result["n"] < 20:
        text += f" (n={result['n']})"
    return text


def ratio(first: dict | None, last: dict | None) -> str:
    if not first or not last or "p50" not in first:
        return "—"
    if last.get("timeout"):
        return f"> {min(last['timeout_s'], last['limit_s']) / first['p50']:,.0f}x"
    if "p50" not in last:
        return "—"
    return f"{last['p50'] / first['p50']:.2f}x"


def main() -> None:
    runs = [json.loads(Path(p).read_text()) for p in sys.argv[1:] if Path(p).exists()]
    names = list(dict.fromkeys(n for run in runs for n in run["figures"]))
    head = ["figure (ms: p50, or p50 / p95)"] + [f"{r['label']} ({r['live']:,} live)" for r in runs]
    if len(runs) > 1:
        head.append(f"{runs[-1]['label']}/{runs[0]['label']}")
    rows = []
    for name in names:
        results = [r["figures"].get(name) for r in runs]
        p95 = any(x and x.get("p95_wanted") for x in results)
        row = [name] + [shown(x, p95) for x in results]
        if len(runs) > 1:
            row.append(ratio(results[0], results[-1]))
        rows.append(row)
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]

    def line(cells: list[str]) -> str:
        padded = [
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "| " + " | ".join(padded) + " |"

    print(line(head))
    print(
        "| " + " | ".join("-" * (w - 1) + (":" if i else "-") for i, w in enumerate(widths)) + " |"
    )
    for row in rows:
        print(line(row))


if __name__ == "__main__":
    main()
