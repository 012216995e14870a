// The report's stylesheet: plain, printable, readable on a laptop screen and in a mail attachment.

export const REPORT_CSS = `
:root { color-scheme: light; --fg: #1d1d1f; --muted: #5f6368; --line: #d9d9de; --bg-alt: #f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: #fff; }
header { padding: 16px 24px 8px; border-bottom: 1px solid var(--line); }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 14px 0 6px; }
.meta { color: var(--muted); margin: 0 0 6px; }
nav a { color: #1a55b8; text-decoration: none; }
main { padding: 0 24px 40px; max-width: 1400px; }
.boots { display: grid; gap: 18px; }
.boot { min-width: 0; overflow-x: auto; }
.focus-title { font-weight: normal; color: var(--muted); }
.boot-label { background: var(--bg-alt); padding: 4px 8px; border-radius: 4px; }
.finding { border-left: 4px solid #8ab4f8; padding: 4px 12px; margin: 10px 0; background: var(--bg-alt); }
.finding.warning { border-left-color: #d62728; }
.finding h3 { margin: 4px 0; }
.facts { color: var(--muted); margin: 2px 0; }
p.warning { color: #8a4b00; }
figure.chart { margin: 8px 0; }
figure.chart svg { max-width: 100%; height: auto; }
.note, .empty { color: var(--muted); font-style: italic; }
table { border-collapse: collapse; margin: 6px 0 12px; font-size: 13px; }
th, td { white-space: nowrap; padding: 3px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { background: var(--bg-alt); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.bad { color: #b00020; font-weight: 600; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
ul.evidence, ul.diagnostics { margin: 4px 0; padding-left: 20px; }
li.error { color: #a50e0e; }
#vg-tooltip-element { font-size: 12px; }
ul.bottom-line { margin: 6px 0; padding-left: 20px; font-size: 15px; }
ul.bottom-line li { margin: 4px 0; }
ul.bottom-line .fix { color: #1e6b30; }
footer.meta { padding: 8px 24px 24px; border-top: 1px solid var(--line); }
`;
