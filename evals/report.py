"""The HTML report of an eval run: one self-contained file (inline CSS and SVG, no external assets) with
the threshold checks, per-suite metrics, per-category tables and bar charts, and the failed cases."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from evals.results import CaseResult, RunSummary

# Metrics where a higher value is worse; the charts colour them the other way round.
LOWER_IS_BETTER = frozenset(
    {
        "dangerous_downgrades",
        "lower_tier_pending",
        "over_classified",
        "attack_success_rate",
        "injection_success_rate",
        "tier_downgrade_success_rate",
        "restricted_access_success_rate",
        "invented_citation_success_rate",
    }
)
# The metric each suite's per-category chart shows.
CHART_METRIC = {
    "qa": "citation_hit",
    "triage": "tier_accuracy",
    "agent": "tool_call_accuracy",
    "redteam": "attack_success_rate",
}
CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1100px;
color:#1d2430;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}
h2{margin-top:2.2rem;border-bottom:2px solid #dde3ea;padding-bottom:.2rem}
h3{margin-top:1.4rem}table{border-collapse:collapse;margin:.6rem 0;width:100%}
th,td{border:1px solid #dde3ea;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f6f9}td.num{text-align:right;font-variant-numeric:tabular-nums}
.pass{color:#1a7f37;font-weight:600}.fail{color:#c62828;font-weight:600}.skip{color:#8a6d00}
.meta{color:#56606d}.note{background:#fff8e1;border-left:4px solid #f0b400;padding:.3rem .6rem;margin:.3rem 0}
code{background:#f3f6f9;padding:0 .2rem;border-radius:3px}details{margin:.2rem 0}
"""


def _fmt(value: float | None) -> str:
    if value is None:
        return "–"
    if float(value).is_integer() and abs(value) >= 1:
        return f"{int(value)}"
    return f"{value:.3f}"


def bar_chart(title: str, values: dict[str, float | None], *, lower_is_better: bool = False) -> str:
    """A horizontal bar chart of values in [0, 1] as inline SVG (missing values drawn as empty rows)."""
    rows = list(values.items())
    label_w, bar_w, row_h = 190, 420, 22
    height = row_h * len(rows) + 34
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + bar_w + 70}" height="{height}" '
        f'role="img" aria-label="{escape(title)}">',
        f'<text x="0" y="14" font-size="13" font-weight="600">{escape(title)}</text>',
    ]
    for i, (label, value) in enumerate(rows):
        y = 24 + i * row_h
        parts.append(f'<text x="0" y="{y + 14}" font-size="12">{escape(label[:30])}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{bar_w}" height="{row_h - 8}" fill="#eef1f4"/>')
        if value is not None:
            share = max(0.0, min(1.0, value))
            good = share <= 0.0 if lower_is_better else share >= 0.9
            ok = share <= 0.1 if lower_is_better else share >= 0.7
            colour = "#2e7d32" if good else ("#f0b400" if ok else "#c62828")
            parts.append(
                f'<rect x="{label_w}" y="{y + 3}" width="{share * bar_w:.1f}" height="{row_h - 8}" '
                f'fill="{colour}"/>'
            )
        parts.append(
            f'<text x="{label_w + bar_w + 6}" y="{y + 14}" font-size="12">{escape(_fmt(value))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cell(text: str, cls: str = "") -> str:
    return f'<td class="{cls}">{text}</td>' if cls else f"<td>{text}</td>"


def _status(status: str) -> str:
    cls = {"passed": "pass", "failed": "fail"}.get(status, "skip")
    return _cell(escape(status), cls)


def _case_line(case: CaseResult) -> str:
    what, extra = _what(case), case.note or _why(case.detail)
    return (
        f"<li><code>{escape(case.case_id)}</code> {escape(str(what)[:200])}<br>"
        f"<span class='meta'>{escape(extra)}</span></li>"
    )


def _what(case: CaseResult) -> str:
    """The case's input, as one line."""
    detail = case.detail
    what = detail.get("question") or detail.get("input") or ""
    if not what and "turns" in detail:
        what = " / ".join(t["message"] for t in detail["turns"])
    if not what and "messages" in detail:
        what = " / ".join(detail["messages"])
    return str(what)


def _why(detail: dict[str, Any]) -> str:
    """What went wrong, as one line."""
    extra = ""
    if detail.get("violations"):
        extra = "; ".join(detail["violations"])
    elif "expected" in detail:
        extra = f"expected {detail['expected']}, cited {detail.get('cited')}"
    elif "expected_tier" in detail:
        extra = f"expected {detail['expected_tier']}, got {detail['tier']} ({detail['status']})"
        if detail.get("missing_grounds"):
            extra += f"; missing grounds {detail['missing_grounds']}"
    elif "turns" in detail:
        extra = "; ".join(
            f"{t['intent']}: {[c['name'] for c in t['tool_calls']]} vs "
            f"{[c['name'] for c in t['expected_tool_calls']]}"
            for t in detail["turns"]
        )
    return extra


def render(summary: RunSummary) -> str:
    """The report as one HTML document."""
    verdict = "passed" if summary.passed else "FAILED"
    out = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>govassist eval run {summary.id or ''}</title><style>{CSS}</style></head><body>",
        f"<h1>govassist eval run {escape(str(summary.id or ''))}: "
        f"<span class='{'pass' if summary.passed else 'fail'}'>{verdict}</span></h1>",
        f"<p class='meta'>Started {escape(summary.started_at)}; "
        f"finished {escape(summary.finished_at or '–')}; "
        f"commit <code>{escape(summary.git_commit or 'unknown')}</code>; knowledge "
        f"<code>{escape(summary.knowledge_version or 'unknown')}</code>; profile "
        f"<code>{escape(str(summary.config.get('profile')))}</code>, embedder "
        f"<code>{escape(str(summary.config.get('embedder')))}</code>, model "
        f"<code>{escape(str(summary.config.get('llm')))}</code>.</p>",
        "<h2>Thresholds</h2>",
    ]
    rows = []
    for check in summary.checks:
        state = "skipped" if check.passed is None else ("passed" if check.passed else "failed")
        rows.append(
            [
                _cell(escape(check.suite)),
                _cell(escape(check.metric)),
                _cell(escape(check.bound)),
                _cell(_fmt(check.value), "num"),
                _status(state),
            ]
        )
    out.append(_table(["suite", "metric", "threshold", "value", "result"], rows) if rows else "<p>None.</p>")
    for suite in summary.suites:
        metrics = summary.metrics.get(suite, {})
        out.append(f"<h2>{escape(suite)}</h2>")
        for note in summary.notes.get(suite, []):
            out.append(f"<div class='note'>{escape(note)}</div>")
        out.append(
            _table(
                ["metric", "value"],
                [[_cell(escape(name)), _cell(_fmt(value), "num")] for name, value in metrics.items()],
            )
        )
        categories = summary.categories.get(suite, {})
        if categories:
            names = sorted({m for values in categories.values() for m in values})
            out.append("<h3>By category</h3>")
            out.append(
                _table(
                    ["category", *names],
                    [
                        [_cell(escape(cat)), *(_cell(_fmt(values.get(m)), "num") for m in names)]
                        for cat, values in categories.items()
                    ],
                )
            )
            metric = CHART_METRIC.get(suite)
            if metric and any(metric in values for values in categories.values()):
                out.append(
                    bar_chart(
                        f"{metric} by category",
                        {cat: values.get(metric) for cat, values in categories.items()},
                        lower_is_better=metric in LOWER_IS_BETTER,
                    )
                )
        cases = [c for c in summary.results if c.suite == suite]
        failed = [c for c in cases if c.status == "failed"]
        skipped = [c for c in cases if c.status == "skipped"]
        out.append(
            f"<h3>Cases</h3><p>{len(cases)} cases: {len(cases) - len(failed) - len(skipped)} passed, "
            f"{len(failed)} failed, {len(skipped)} skipped.</p>"
        )
        if failed:
            out.append(f"<details><summary>Failed cases ({len(failed)})</summary><ul>")
            out += [_case_line(c) for c in failed]
            out.append("</ul></details>")
    out.append("</body></html>")
    return "\n".join(out)


def write_report(summary: RunSummary, path: Path) -> Path:
    """Write the report to `path` (parent directories created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(summary), encoding="utf-8")
    return path
