extension Assets {
    /// The page, served at `/`.
    static let indexHTML = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Tasklog</title>
        <link rel="icon" href="data:,">
        <link rel="stylesheet" href="/app.css">
        </head>
        <body data-state="loading">
        <header id="top">
          <h1>Tasklog</h1>
          <label>List <select id="list-select" aria-label="Task list"></select></label>
          <label>Workflow <select id="workflow-select" aria-label="Workflow run"><option value="">All tasks</option></select></label>
          <span id="live-status" data-live="false">connecting…</span>
        </header>
        <section id="time-bar" aria-label="Time travel">
          <label for="time-slider">History</label>
          <input type="range" id="time-slider" min="0" max="0" step="1" value="0">
          <button type="button" id="now-button" disabled>Now</button>
          <output id="time-label" for="time-slider">loading…</output>
        </section>
        <div id="error" role="alert" hidden></div>
        <main>
          <section id="graph-panel" class="panel wide">
            <h2>Dependency graph</h2>
            <div id="graph" class="scroll"></div>
          </section>
          <section id="workflows-panel" class="panel">
            <h2>Workflows</h2>
            <div id="workflows"></div>
          </section>
          <section id="tasks-panel" class="panel">
            <h2>Tasks</h2>
            <table id="tasks">
              <thead><tr><th>ID</th><th>Status</th><th>Owner</th><th>Blocked by</th><th>Phase</th><th>Subject</th></tr></thead>
              <tbody id="tasks-body"></tbody>
            </table>
          </section>
          <section id="timeline-panel" class="panel wide">
            <h2>Timeline
              <select id="timeline-scale" aria-label="Timeline scale">
                <option value="seq">by event</option>
                <option value="time">by time</option>
              </select>
            </h2>
            <div id="timeline" class="scroll"></div>
          </section>
        </main>
        <script src="/app.js"></script>
        </body>
        </html>
        """#
}
