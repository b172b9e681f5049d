extension ReviewPage {
    /// The page's CSS: plain, readable, printable; no web fonts, no images.
    static let style = """
        :root { --ink: #1d2330; --muted: #5b6475; --line: #d5d9e2; --bad: #b3261e; --bad-bg: #fde8e6; --edit-bg: #fff6d6;
                --ok: #1b6e3a; --accent: #1f5fbf; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); }
        body { margin: 0; background: #f5f6f8; line-height: 1.45; }
        header { background: #fff; border-bottom: 1px solid var(--line); padding: 16px 28px; }
        header h1 { margin: 0 0 4px; font-size: 1.45rem; }
        header p { margin: 0; color: var(--muted); }
        main { padding: 12px 28px 40px; max-width: 1400px; }
        section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 14px 18px; margin: 14px 0; }
        section h2 { margin: 0 0 10px; font-size: 1.1rem; }
        #reasons { margin: 0; padding-left: 0; list-style: none; }
        #reasons li { border-left: 4px solid var(--bad); background: var(--bad-bg); padding: 8px 12px; margin: 6px 0; border-radius: 0 6px 6px 0; }
        #reasons li strong { display: block; }
        details { margin-top: 8px; color: var(--muted); font-size: .9rem; }
        .note { color: var(--muted); font-size: .9rem; }
        .warn { color: var(--bad); font-weight: 600; margin: 4px 0; }
        .ok { color: var(--ok); }
        table { border-collapse: collapse; }
        th, td { border: 1px solid var(--line); padding: 4px 6px; text-align: left; vertical-align: top; font-size: .9rem; }
        th { background: #eef1f6; position: sticky; top: 0; z-index: 1; }
        .choice { display: block; margin: 4px 0; padding: 6px 8px; border: 1px solid var(--line); border-radius: 6px; cursor: pointer; }
        .choice:hover { background: #f3f6fb; }
        .choice input { margin-right: 8px; }
        .cells { color: var(--muted); font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .85rem; }
        select { font: inherit; padding: 3px 4px; max-width: 22rem; }
        select.missing { outline: 2px solid var(--bad); }
        .score { color: var(--muted); font-size: .8rem; }
        .toolbar { display: flex; gap: 10px; align-items: center; margin: 8px 0; flex-wrap: wrap; }
        button { font: inherit; padding: 4px 10px; border: 1px solid #9aa3b5; background: #fff; border-radius: 5px; cursor: pointer; }
        button:hover { background: #eef1f6; }
        button.primary { background: var(--accent); color: #fff; border-color: var(--accent); padding: 7px 16px; font-weight: 600; }
        button:disabled { opacity: .5; cursor: default; }
        #grid-wrap { overflow: auto; max-height: 70vh; border: 1px solid var(--line); }
        #grid td.cell { padding: 0; min-width: 8rem; }
        #grid td.cell input { border: 0; width: 100%; box-sizing: border-box; padding: 4px 6px; font: inherit; background: transparent; }
        #grid td.cell input[readonly] { color: var(--muted); }
        #grid td.invalid { background: var(--bad-bg); }
        #grid td.invalid input { color: var(--bad); font-weight: 600; }
        #grid td.edited { background: var(--edit-bg); }
        #grid td.edited input { color: var(--ink); font-weight: normal; }
        #grid td.current { outline: 3px solid var(--accent); outline-offset: -3px; }
        #grid .msg { color: var(--bad); font-size: .78rem; padding: 0 6px 4px; }
        #grid tr.removed td { text-decoration: line-through; opacity: .45; }
        #grid td.rowhead { white-space: nowrap; color: var(--muted); font-size: .8rem; }
        #grid td.rowmsg { color: var(--bad); font-size: .8rem; }
        #behavior { margin-top: 12px; }
        textarea { width: 100%; box-sizing: border-box; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .85rem; }
        code { background: #eef1f6; padding: 0 4px; border-radius: 3px; }
        """
}
