extension Assets {
    /// The style sheet, served at `/app.css`.
    static let appCSS = #"""
        :root {
          --pending: #e5e7eb; --pending-line: #6b7280;
          --progress: #fde68a; --progress-line: #b45309;
          --done: #bbf7d0; --done-line: #15803d;
          --failed: #fecaca; --failed-line: #b91c1c;
          --ink: #1f2937; --muted: #6b7280; --paper: #ffffff; --ground: #f3f4f6; --rule: #d1d5db; --accent: #2563eb;
          font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
          font-size: 14px; color: var(--ink); background: var(--ground);
        }
        body { margin: 0; }
        header#top { display: flex; align-items: center; gap: 18px; padding: 10px 18px; background: #111827; color: #f9fafb; }
        header#top h1 { font-size: 18px; margin: 0 12px 0 0; letter-spacing: 0.02em; }
        header#top label { display: flex; gap: 6px; align-items: center; color: #d1d5db; }
        select, button { font: inherit; padding: 3px 6px; border-radius: 5px; border: 1px solid var(--rule); background: var(--paper); color: var(--ink); }
        button:disabled { opacity: 0.5; }
        #live-status { margin-left: auto; font-size: 12px; padding: 2px 8px; border-radius: 10px; background: #374151; }
        #live-status[data-live="true"] { background: #166534; }
        #time-bar { display: flex; align-items: center; gap: 12px; padding: 10px 18px; background: var(--paper); border-bottom: 1px solid var(--rule); }
        #time-slider { flex: 1; accent-color: var(--accent); }
        #time-label { min-width: 330px; font-variant-numeric: tabular-nums; color: var(--muted); }
        body[data-live="false"] #time-label { color: #b45309; font-weight: 600; }
        #error { margin: 10px 18px; padding: 8px 12px; border-radius: 6px; background: var(--failed); color: #7f1d1d; }
        main { display: grid; grid-template-columns: 1fr 1fr; gap: 14px; padding: 14px 18px; }
        .panel { background: var(--paper); border: 1px solid var(--rule); border-radius: 8px; padding: 10px 14px; min-width: 0; }
        .panel.wide { grid-column: 1 / -1; }
        .panel h2 { font-size: 15px; margin: 2px 0 10px; display: flex; gap: 10px; align-items: center; }
        .scroll { overflow-x: auto; }
        .empty { color: var(--muted); font-style: italic; }

        /* Graph */
        .lane-box { fill: #f9fafb; stroke: #e5e7eb; }
        .lane-label { fill: var(--muted); font-size: 12px; font-weight: 600; }
        .group-box { fill: none; stroke: #7c3aed; stroke-dasharray: 5 4; }
        .group-label { fill: #7c3aed; font-size: 11px; }
        .edge { fill: none; stroke-width: 1.6; }
        .edge-done { stroke: #4b5563; }
        .edge-open { stroke: #9ca3af; stroke-dasharray: 6 4; }
        .arrow-done { fill: #4b5563; }
        .arrow-open { fill: #9ca3af; }
        .node-box { stroke-width: 1.6; }
        .node.status-pending .node-box { fill: var(--pending); stroke: var(--pending-line); }
        .node.status-in_progress .node-box { fill: var(--progress); stroke: var(--progress-line); stroke-width: 2.4; }
        .node.status-completed .node-box { fill: var(--done); stroke: var(--done-line); }
        .node-title { font-size: 12.5px; font-weight: 600; fill: var(--ink); }
        .node-detail { font-size: 11px; fill: #4b5563; }
        .legend { display: flex; flex-wrap: wrap; gap: 14px; margin-top: 6px; color: var(--muted); font-size: 12px; }
        .legend-item { display: inline-flex; align-items: center; gap: 5px; }
        .swatch { display: inline-block; width: 14px; height: 10px; border-radius: 3px; border: 1px solid var(--rule); }
        .swatch.status-pending { background: var(--pending); border-color: var(--pending-line); }
        .swatch.status-in_progress { background: var(--progress); border-color: var(--progress-line); }
        .swatch.status-completed { background: var(--done); border-color: var(--done-line); }

        /* Workflows */
        .workflow { border: 1px solid var(--rule); border-radius: 7px; padding: 8px 10px; margin-bottom: 10px; }
        .workflow header { display: flex; align-items: center; gap: 10px; }
        .workflow h3 { font-size: 14px; margin: 0; font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
        .facts { color: var(--muted); margin: 4px 0 8px; font-size: 12px; }
        .badge { font-size: 11px; padding: 1px 7px; border-radius: 9px; border: 1px solid; white-space: nowrap; }
        .status-pending.badge, .chip.status-pending, .step.status-pending { background: var(--pending); border-color: var(--pending-line); }
        .status-in_progress.badge, .chip.status-in_progress, .step.status-in_progress { background: var(--progress); border-color: var(--progress-line); }
        .status-completed.badge, .chip.status-completed, .step.status-completed { background: var(--done); border-color: var(--done-line); }
        .status-failed.badge, .step.status-failed { background: var(--failed); border-color: var(--failed-line); }
        .steps { display: flex; gap: 4px; list-style: none; padding: 0; margin: 0 0 8px; }
        .step { width: 26px; height: 22px; line-height: 22px; text-align: center; border-radius: 5px; border: 1px solid; font-size: 12px; font-variant-numeric: tabular-nums; }
        .phases, .groups { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; margin-bottom: 6px; }
        .caption { color: var(--muted); font-size: 11px; text-transform: uppercase; letter-spacing: 0.04em; }
        .chip { font-size: 12px; padding: 1px 8px; border-radius: 9px; border: 1px solid var(--rule); background: #f9fafb; }
        .checkpoints { margin: 4px 0 0; padding-left: 4px; list-style: none; color: #166534; font-size: 12px; }

        /* Tasks */
        #tasks { border-collapse: collapse; width: 100%; font-size: 13px; }
        #tasks th { text-align: left; color: var(--muted); font-weight: 600; border-bottom: 1px solid var(--rule); padding: 4px 6px; }
        #tasks td { border-bottom: 1px solid #f3f4f6; padding: 4px 6px; vertical-align: top; }

        /* Timeline */
        .tick { stroke: #f3f4f6; }
        .tick-label { fill: var(--muted); font-size: 11px; }
        .row-label { fill: var(--ink); font-size: 12px; }
        .timeline-row.deleted .row-label { text-decoration: line-through; fill: var(--muted); }
        .span { stroke-width: 1; }
        .span.status-pending { fill: var(--pending); stroke: var(--pending-line); }
        .span.status-in_progress { fill: var(--progress); stroke: var(--progress-line); }
        .span.status-completed { fill: var(--done); stroke: var(--done-line); }
        .future { fill: #ffffff; opacity: 0.72; }
        .cursor { stroke: var(--accent); stroke-width: 2; }
        @media (max-width: 900px) { main { grid-template-columns: 1fr; } }
        """#
}
