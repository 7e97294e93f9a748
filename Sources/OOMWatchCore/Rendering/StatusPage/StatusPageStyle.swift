/// The status page's inline style sheet (no external assets).
enum StatusPageStyle {
    static let css = """
        :root { color-scheme: light; --fg: #1d2330; --muted: #5b6475; --line: #d9dee7; --bg: #f5f7fa; --card: #fff;
          --usage: #2f6fdb; --ws: #e07b1a; --limit: #c62f3b; --ok: #1f8a4c; --warn: #b7791f; --crit: #c62f3b; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--fg); background: var(--bg); }
        main { max-width: 1400px; margin: 0 auto; padding: 18px 24px 32px; }
        header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 6px 16px; margin-bottom: 14px; }
        h1 { font-size: 22px; margin: 0; font-weight: 650; }
        h1 .host { color: var(--muted); font-weight: 500; }
        h2 { font-size: 16px; margin: 22px 0 8px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
        h3 { font-size: 16px; margin: 0 0 2px; }
        .meta { color: var(--muted); font-size: 13px; }
        .pill { display: inline-block; padding: 1px 9px; border-radius: 10px; font-size: 12px; font-weight: 600; color: #fff; background: var(--ok); }
        .pill.bad { background: var(--crit); }
        .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(210px, 1fr)); gap: 12px; }
        .card, .chart-card, .panel { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
        .card .label { color: var(--muted); font-size: 13px; }
        .card .value { font-size: 24px; font-weight: 650; margin: 2px 0; font-variant-numeric: tabular-nums; }
        .card .detail { color: var(--muted); font-size: 12.5px; }
        .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(360px, 1fr)); gap: 12px; }
        .chart-card .path { color: var(--muted); font-weight: 400; font-size: 13px; margin-left: 6px; }
        .chart-card .now { margin: 0 0 6px; font-size: 13.5px; font-variant-numeric: tabular-nums; }
        .chart-card.empty .note { color: var(--muted); }
        svg.chart { display: block; font: 11px system-ui, sans-serif; }
        svg.chart .grid { stroke: #eceff4; stroke-width: 1; }
        svg.chart .frame { fill: none; stroke: var(--line); }
        svg.chart .tick { stroke: #aab2bf; }
        svg.chart text { fill: var(--muted); }
        svg.chart .usage { fill: none; stroke: var(--usage); stroke-width: 3.2; stroke-linejoin: round; }
        svg.chart .usage-area { fill: var(--usage); opacity: .10; }
        svg.chart .usage-dot { fill: var(--usage); }
        svg.chart .working-set { fill: none; stroke: var(--ws); stroke-width: 1.4; stroke-linejoin: round; }
        svg.chart .limit { fill: none; stroke: var(--limit); stroke-width: 1.6; stroke-dasharray: 6 4; }
        svg.chart .limit-label { fill: var(--limit); font-weight: 600; }
        .legend { font-size: 12.5px; color: var(--muted); margin: 4px 0 0; }
        .key { display: inline-block; width: 14px; height: 3px; vertical-align: middle; margin: 0 4px 0 10px; }
        .key.usage { background: var(--usage); } .key.working-set { background: var(--ws); }
        .key.limit { background: repeating-linear-gradient(90deg, var(--limit) 0 5px, transparent 5px 8px); }
        .hot { color: var(--crit); font-weight: 650; } .warm { color: var(--warn); font-weight: 650; }
        .columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 12px; }
        .panel h2 { margin-top: 0; }
        ul.alerts { list-style: none; margin: 0; padding: 0; }
        ul.alerts li { padding: 6px 0; border-top: 1px solid var(--line); }
        ul.alerts li:first-child { border-top: 0; }
        .sev { display: inline-block; min-width: 64px; text-align: center; font-size: 11.5px; font-weight: 700; text-transform: uppercase;
          border-radius: 4px; padding: 0 6px; margin-right: 6px; color: #fff; background: var(--muted); }
        .sev.critical { background: var(--crit); } .sev.warning { background: var(--warn); } .sev.info { background: #5b7bb5; }
        .state { color: var(--muted); font-size: 13px; }
        details.finding { padding: 6px 0; border-top: 1px solid var(--line); }
        details.finding:first-of-type { border-top: 0; }
        details.finding summary { cursor: pointer; }
        details.finding ul { margin: 4px 0 4px 18px; padding: 0; font-size: 13.5px; color: var(--muted); }
        details.finding .fix { margin: 4px 0 0; font-size: 13.5px; }
        .empty-state { color: var(--muted); margin: 4px 0; }
        table { width: 100%; border-collapse: collapse; background: var(--card); border: 1px solid var(--line); border-radius: 8px; overflow: hidden; }
        th, td { text-align: left; padding: 7px 10px; border-top: 1px solid var(--line); vertical-align: top; font-size: 14px; }
        th { background: #eef1f6; border-top: 0; font-size: 12.5px; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); }
        td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        td.time { white-space: nowrap; } td.time .ago { color: var(--muted); font-size: 12.5px; display: block; }
        td .kind { color: var(--muted); font-size: 12.5px; margin-right: 4px; }
        code { font: 13px ui-monospace, "DejaVu Sans Mono", monospace; overflow-wrap: anywhere; }
        footer { margin-top: 22px; color: var(--muted); font-size: 13px; }
        footer a { color: var(--usage); margin-right: 10px; }
        """
}
