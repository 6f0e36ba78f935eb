// tasklog serve: the page's own script. No framework, no CDN: it reads the JSON API under /api
// and draws the graph and the timeline as SVG. Text from the store only ever goes through
// textContent and setAttribute, never innerHTML.
(function () {
  'use strict';

  const SVG = 'http://www.w3.org/2000/svg';
  const STATUSES = ['pending', 'in_progress', 'completed'];
  const STATUS_LABEL = { pending: 'pending', in_progress: 'in progress', completed: 'completed', deleted: 'deleted', failed: 'failed' };

  const state = {
    list: null,           // the list shown
    workflow: '',         // '' = every task of the list
    range: null,          // /api/range
    at: null,             // a seq, or null for now
    generation: 0,        // the newest render asked for; older answers are dropped
    timeline: null,       // /api/lists/{list}/timeline (the whole run, drawn with a cursor)
    timelineKey: null,
    source: null,         // the EventSource
    renderTimer: null,
    liveTimer: null,
  };

  const $ = (id) => document.getElementById(id);

  function el(tag, attributes, text) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes || {})) {
      if (value !== null && value !== undefined) node.setAttribute(key, value);
    }
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function svg(tag, attributes, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attributes || {})) {
      if (value !== null && value !== undefined) node.setAttribute(key, String(value));
    }
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function truncate(text, length) {
    return text.length > length ? text.slice(0, length - 1) + '…' : text;
  }

  async function getJSON(path, parameters) {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(parameters || {})) {
      if (value !== null && value !== undefined && value !== '') query.set(key, value);
    }
    const url = query.toString() ? path + '?' + query.toString() : path;
    const response = await fetch(url, { headers: { Accept: 'application/json' } });
    const body = await response.json();
    if (!response.ok) {
      const error = new Error(body.error || response.statusText);
      error.code = body.code;
      error.status = response.status;
      throw error;
    }
    return body;
  }

  function showError(message) {
    const banner = $('error');
    if (message) {
      banner.textContent = message;
      banner.hidden = false;
    } else {
      banner.hidden = true;
    }
  }

  function listPath(name) {
    return '/api/lists/' + encodeURIComponent(state.list) + '/' + name;
  }

  // MARK: Start

  async function start() {
    const slider = $('time-slider');
    slider.addEventListener('input', () => moveTo(Number(slider.value)));
    slider.addEventListener('change', () => moveTo(Number(slider.value), true));
    $('now-button').addEventListener('click', () => moveTo(Number(slider.max), true));
    $('list-select').addEventListener('change', (event) => {
      state.list = event.target.value;
      state.workflow = '';
      state.timelineKey = null;
      refreshLists().then(() => render(true));
    });
    $('workflow-select').addEventListener('change', (event) => {
      state.workflow = event.target.value;
      state.timelineKey = null;
      render(true);
    });
    $('timeline-scale').addEventListener('change', () => drawTimeline());

    const parameters = new URLSearchParams(location.search);
    state.list = parameters.get('list');
    state.workflow = parameters.get('workflow') || '';
    try {
      await refreshRange();
      await refreshLists();
      const at = parameters.get('at');
      if (at && /^[0-9]+$/.test(at) && state.range.last && Number(at) < state.range.last.seq) {
        state.at = Math.max(Number(at), Number(slider.min));
        slider.value = String(state.at);
      }
      await render(true);
    } catch (error) {
      showError(error.message);
      document.body.dataset.state = 'error';
    }
    follow();
  }

  async function refreshRange() {
    state.range = await getJSON('/api/range');
    const slider = $('time-slider');
    const first = state.range.first ? state.range.first.seq : 0;
    const last = state.range.last ? state.range.last.seq : 0;
    slider.min = String(Math.min(first, last));
    slider.max = String(last);
    slider.disabled = last === 0;
    if (state.at === null) slider.value = String(last);
    document.body.dataset.lastSeq = String(last);
  }

  async function refreshLists() {
    const answer = await getJSON('/api/lists');
    const lists = answer.lists;
    const names = lists.map((list) => list.id);
    if (!state.list || !names.includes(state.list)) {
      state.list = names.includes(answer.defaultList) ? answer.defaultList : names[0] || null;
    }
    const select = $('list-select');
    clear(select);
    for (const list of lists) {
      const option = el('option', { value: list.id }, list.id + ' (' + list.tasks + ')');
      option.selected = list.id === state.list;
      select.appendChild(option);
    }
    const current = lists.find((list) => list.id === state.list);
    const workflows = current ? current.workflows : [];
    if (state.workflow && !workflows.includes(state.workflow)) state.workflow = '';
    const choose = $('workflow-select');
    clear(choose);
    choose.appendChild(el('option', { value: '' }, 'All tasks'));
    for (const id of workflows) {
      const option = el('option', { value: id }, id);
      option.selected = id === state.workflow;
      choose.appendChild(option);
    }
    choose.disabled = workflows.length === 0;
  }

  // MARK: Time

  function isLive() {
    return state.at === null;
  }

  function moveTo(seq, immediately) {
    const slider = $('time-slider');
    const last = Number(slider.max);
    state.at = seq >= last ? null : seq;
    slider.value = String(seq >= last ? last : seq);
    updateLabel();
    clearTimeout(state.renderTimer);
    if (immediately) {
      render(false);
    } else {
      state.renderTimer = setTimeout(() => render(false), 120);
    }
  }

  function updateLabel(time) {
    const slider = $('time-slider');
    const last = Number(slider.max);
    const seq = state.at === null ? last : state.at;
    const label = $('time-label');
    if (last === 0) {
      label.textContent = 'no events yet';
    } else if (isLive()) {
      label.textContent = 'now: seq ' + last + (time ? ' · ' + time : '');
    } else {
      label.textContent = 'seq ' + seq + ' of ' + last + (time ? ' · ' + time : '') + ' · ' + (last - seq) + ' events since';
    }
    document.body.dataset.live = String(isLive());
    $('now-button').disabled = isLive();
  }

  function syncURL() {
    const parameters = new URLSearchParams();
    if (state.list) parameters.set('list', state.list);
    if (state.workflow) parameters.set('workflow', state.workflow);
    if (state.at !== null) parameters.set('at', String(state.at));
    const query = parameters.toString();
    history.replaceState(null, '', query ? '?' + query : location.pathname);
  }

  // MARK: Render

  async function render(withTimeline) {
    const generation = ++state.generation;
    document.body.dataset.state = 'loading';
    syncURL();
    if (!state.list) {
      drawEmpty();
      document.body.dataset.state = 'ready';
      document.body.dataset.renderedAt = '0';
      return;
    }
    const at = state.at === null ? null : String(state.at);
    const key = state.list + '\u0000' + state.workflow + '\u0000' + $('time-slider').max;
    const needTimeline = withTimeline || state.timelineKey !== key;
    try {
      const [tasks, graph, workflows, timeline] = await Promise.all([
        getJSON(listPath('tasks'), { at }),
        getJSON(listPath('graph'), { at, workflow: state.workflow }),
        getJSON(listPath('workflows'), { at }),
        needTimeline ? getJSON(listPath('timeline'), { workflow: state.workflow }) : Promise.resolve(null),
      ]);
      if (generation !== state.generation) return;
      if (timeline) {
        state.timeline = timeline;
        state.timelineKey = key;
      }
      showError(null);
      state.position = graph.at;
      updateLabel(graph.at.time);
      drawGraph(graph);
      drawWorkflows(workflows);
      drawTimeline();
      drawTasks(tasks);
      document.body.dataset.renderedAt = String(graph.at.seq);
      document.body.dataset.state = 'ready';
    } catch (error) {
      if (generation !== state.generation) return;
      showError(error.message);
      document.body.dataset.state = 'error';
    }
  }

  function drawEmpty() {
    for (const id of ['graph', 'workflows', 'timeline']) clear($(id));
    $('graph').appendChild(el('p', { class: 'empty' }, 'This store has no task lists yet.'));
    clear($('tasks-body'));
    updateLabel();
  }

  // MARK: Graph

  const NODE_W = 196;
  const NODE_H = 48;
  const COL_W = 252;
  const ROW_H = 64;
  const LANE_GAP = 18;
  const LABEL_W = 104;

  /// Layered layout: a node's column is its dependency depth (0 without blockers); rows are
  /// swimlanes by phase; inside a column of a lane, nodes go by parallel group then id.
  function layout(graph) {
    const blockers = new Map(graph.nodes.map((node) => [node.id, []]));
    for (const edge of graph.edges) {
      if (blockers.has(edge.to) && blockers.has(edge.from)) blockers.get(edge.to).push(edge.from);
    }
    const depth = new Map();
    const visiting = new Set();
    function depthOf(id) {
      if (depth.has(id)) return depth.get(id);
      if (visiting.has(id)) return 0; // a cycle cannot be stored, but never loop
      visiting.add(id);
      let value = 0;
      for (const blocker of blockers.get(id)) value = Math.max(value, depthOf(blocker) + 1);
      visiting.delete(id);
      depth.set(id, value);
      return value;
    }
    const lanes = [];
    for (const node of graph.nodes) {
      depthOf(node.id);
      const lane = node.phase || '';
      if (!lanes.includes(lane)) lanes.push(lane);
    }
    lanes.sort((a, b) => (a === '' ? 1 : 0) - (b === '' ? 1 : 0));
    const named = lanes.some((lane) => lane !== '');
    const positions = new Map();
    const laneBoxes = [];
    let top = 12;
    let columns = 0;
    for (const lane of lanes) {
      const cells = new Map();
      for (const node of graph.nodes) {
        if ((node.phase || '') !== lane) continue;
        const column = depth.get(node.id);
        if (!cells.has(column)) cells.set(column, []);
        cells.get(column).push(node);
      }
      let rows = 1;
      for (const [column, nodes] of cells) {
        nodes.sort((a, b) => (a.group || '').localeCompare(b.group || '') || Number(a.id) - Number(b.id));
        nodes.forEach((node, index) => {
          positions.set(node.id, {
            x: (named ? LABEL_W : 0) + 16 + column * COL_W,
            y: top + 22 + index * ROW_H,
            column,
          });
        });
        rows = Math.max(rows, nodes.length);
        columns = Math.max(columns, column + 1);
      }
      const height = rows * ROW_H + 22;
      laneBoxes.push({ name: lane, top, height });
      top += height + LANE_GAP;
    }
    const width = (named ? LABEL_W : 0) + 32 + Math.max(columns, 1) * COL_W - (COL_W - NODE_W);
    return { positions, lanes: laneBoxes, named, width, height: top, depth };
  }

  function drawGraph(graph) {
    const host = $('graph');
    clear(host);
    host.dataset.workflow = graph.workflow || '';
    host.dataset.at = String(graph.at.seq);
    if (graph.nodes.length === 0) {
      host.appendChild(el('p', { class: 'empty', id: 'graph-empty' },
        graph.workflow ? 'Workflow ' + graph.workflow + ' has no tasks at this point.' : 'No tasks at this point.'));
      return;
    }
    const shape = layout(graph);
    const root = svg('svg', {
      id: 'graph-svg', width: shape.width, height: shape.height,
      viewBox: '0 0 ' + shape.width + ' ' + shape.height, role: 'img', 'aria-label': 'Dependency graph',
    });
    const defs = svg('defs');
    for (const kind of ['done', 'open']) {
      const marker = svg('marker', {
        id: 'arrow-' + kind, viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse',
      });
      marker.appendChild(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrow-' + kind }));
      defs.appendChild(marker);
    }
    root.appendChild(defs);

    // Swimlanes by phase.
    for (const lane of shape.lanes) {
      const group = svg('g', { class: 'lane', 'data-phase': lane.name });
      group.appendChild(svg('rect', { x: 2, y: lane.top, width: shape.width - 4, height: lane.height, rx: 8, class: 'lane-box' }));
      if (shape.named) {
        group.appendChild(svg('text', { x: 12, y: lane.top + 20, class: 'lane-label' }, lane.name || '(no phase)'));
      }
      root.appendChild(group);
    }

    // Parallel groups: a dashed box around the members in each lane.
    const boxes = new Map();
    for (const node of graph.nodes) {
      if (!node.group) continue;
      const key = (node.phase || '') + '\u0000' + node.group;
      const at = shape.positions.get(node.id);
      const box = boxes.get(key) || { name: node.group, x1: Infinity, y1: Infinity, x2: -Infinity, y2: -Infinity };
      box.x1 = Math.min(box.x1, at.x);
      box.y1 = Math.min(box.y1, at.y);
      box.x2 = Math.max(box.x2, at.x + NODE_W);
      box.y2 = Math.max(box.y2, at.y + NODE_H);
      boxes.set(key, box);
    }
    for (const box of boxes.values()) {
      const group = svg('g', { class: 'parallel-group', 'data-group': box.name });
      group.appendChild(svg('rect', {
        x: box.x1 - 8, y: box.y1 - 11, width: box.x2 - box.x1 + 16, height: box.y2 - box.y1 + 17, rx: 6, class: 'group-box',
      }));
      group.appendChild(svg('text', { x: box.x1 - 4, y: box.y1 - 2, class: 'group-label' }, box.name));
      root.appendChild(group);
    }

    // Edges, blocker → blocked.
    const statusOf = new Map(graph.nodes.map((node) => [node.id, node.status]));
    for (const edge of graph.edges) {
      const from = shape.positions.get(edge.from);
      const to = shape.positions.get(edge.to);
      if (!from || !to) continue;
      const x1 = from.x + NODE_W;
      const y1 = from.y + NODE_H / 2;
      const x2 = to.x - 2;
      const y2 = to.y + NODE_H / 2;
      const bend = Math.max(30, (x2 - x1) / 2);
      const done = statusOf.get(edge.from) === 'completed';
      root.appendChild(svg('path', {
        d: 'M ' + x1 + ' ' + y1 + ' C ' + (x1 + bend) + ' ' + y1 + ', ' + (x2 - bend) + ' ' + y2 + ', ' + x2 + ' ' + y2,
        class: 'edge ' + (done ? 'edge-done' : 'edge-open'),
        'marker-end': 'url(#arrow-' + (done ? 'done' : 'open') + ')',
        'data-from': edge.from, 'data-to': edge.to,
      }));
    }

    // Nodes.
    for (const node of graph.nodes) {
      const at = shape.positions.get(node.id);
      const group = svg('g', {
        class: 'node status-' + node.status, id: 'node-' + node.id, transform: 'translate(' + at.x + ',' + at.y + ')',
        'data-task-id': node.id, 'data-status': node.status, 'data-phase': node.phase || '', 'data-group': node.group || '',
        'data-depth': shape.depth.get(node.id),
      });
      group.appendChild(svg('title', {}, '#' + node.id + ' ' + node.subject + ' — ' + STATUS_LABEL[node.status] +
        (node.owner ? ' (' + node.owner + ')' : '')));
      group.appendChild(svg('rect', { width: NODE_W, height: NODE_H, rx: 7, class: 'node-box' }));
      group.appendChild(svg('text', { x: 10, y: 19, class: 'node-title' }, truncate('#' + node.id + ' ' + node.subject, 27)));
      group.appendChild(svg('text', { x: 10, y: 37, class: 'node-detail' },
        truncate(STATUS_LABEL[node.status] + (node.owner ? ' · ' + node.owner : ''), 30)));
      root.appendChild(group);
    }
    host.appendChild(root);
    host.appendChild(legend());
  }

  function legend() {
    const box = el('div', { class: 'legend' });
    for (const status of STATUSES) {
      const item = el('span', { class: 'legend-item' });
      item.appendChild(el('span', { class: 'swatch status-' + status }));
      item.appendChild(document.createTextNode(STATUS_LABEL[status]));
      box.appendChild(item);
    }
    box.appendChild(el('span', { class: 'legend-item legend-note' }, 'arrows: blocker → blocked; columns: dependency depth; bands: phases; dashed: parallel groups'));
    return box;
  }

  // MARK: Workflows

  function stepStatus(view, step) {
    if (view.failedStep === step) return 'failed';
    if (view.checkpoints.some((checkpoint) => checkpoint.step === step)) return 'completed';
    const ids = view.steps[String(step)] || [];
    const tasks = view.tasks.filter((task) => ids.includes(task.id));
    if (tasks.length > 0 && tasks.every((task) => task.status === 'completed')) return 'completed';
    if (tasks.some((task) => task.status !== 'pending')) return 'in_progress';
    return 'pending';
  }

  function drawWorkflows(answer) {
    const host = $('workflows');
    clear(host);
    const views = answer.workflows.filter((view) => !state.workflow || view.id === state.workflow);
    if (views.length === 0) {
      host.appendChild(el('p', { class: 'empty' }, state.workflow ? 'Workflow ' + state.workflow + ' has not started at this point.' : 'No workflows in this list at this point.'));
      return;
    }
    for (const view of views) {
      const card = el('article', { class: 'workflow status-' + view.status, 'data-workflow-id': view.id, 'data-status': view.status });
      const head = el('header');
      head.appendChild(el('h3', {}, view.id));
      head.appendChild(el('span', { class: 'badge status-' + view.status }, STATUS_LABEL[view.status] || view.status));
      card.appendChild(head);
      const facts = 'type ' + view.type + ' · started ' + view.startedAt + ' · current step ' + view.currentStep +
        (view.failedStep ? ' · failed at step ' + view.failedStep + (view.failureReason ? ': ' + view.failureReason : '') : '');
      card.appendChild(el('p', { class: 'facts' }, facts));

      const stepNumbers = new Set(Object.keys(view.steps).map(Number));
      for (const checkpoint of view.checkpoints) stepNumbers.add(checkpoint.step);
      if (view.currentStep) stepNumbers.add(view.currentStep);
      const maxStep = Math.max(0, ...stepNumbers);
      if (maxStep > 0) {
        const steps = el('ol', { class: 'steps' });
        for (let step = 1; step <= maxStep; step++) {
          const status = stepStatus(view, step);
          const ids = view.steps[String(step)] || [];
          const checkpoint = view.checkpoints.find((item) => item.step === step);
          const title = 'step ' + step + (checkpoint ? ': ' + checkpoint.name : '') + (ids.length ? ' — tasks #' + ids.join(', #') : '');
          const item = el('li', { class: 'step status-' + status, 'data-step': step, 'data-status': status, title }, String(step));
          steps.appendChild(item);
        }
        card.appendChild(steps);
      }
      if (view.phases.length) {
        const phases = el('div', { class: 'phases' });
        phases.appendChild(el('span', { class: 'caption' }, 'phases'));
        for (const phase of view.phases) {
          phases.appendChild(el('span', { class: 'chip status-' + phase.status, 'data-phase': phase.name, 'data-status': phase.status },
            phase.name + ' (' + phase.tasks.length + ')' + (phase.dependsOn.length ? ' ← ' + phase.dependsOn.join(', ') : '')));
        }
        card.appendChild(phases);
      }
      if (view.parallelGroups.length) {
        const groups = el('div', { class: 'groups' });
        groups.appendChild(el('span', { class: 'caption' }, 'parallel groups'));
        for (const group of view.parallelGroups) {
          // The skill's aggregation: FAILED is every member not completed; results once it is empty.
          const results = group.results
            ? ' · results: ' + Object.keys(group.results).map((id) => '#' + id + ' ' + JSON.stringify(group.results[id])).join(', ')
            : '';
          groups.appendChild(el('span', { class: 'chip', 'data-group': group.id, 'data-failed': group.failed.length },
            group.id + ': ' + group.completed.length + ' of ' + group.members.length + ' completed' +
            (group.failed.length ? ' · FAILED ' + group.failed.map((id) => '#' + id).join(', ') : '') +
            (group.deleted.length ? ' (deleted ' + group.deleted.map((id) => '#' + id).join(', ') + ')' : '') + results));
        }
        card.appendChild(groups);
      }
      if (view.checkpoints.length) {
        const list = el('ul', { class: 'checkpoints' });
        for (const checkpoint of view.checkpoints) {
          list.appendChild(el('li', { 'data-step': checkpoint.step }, '✓ step ' + checkpoint.step + ' ' + checkpoint.name + ' · ' + checkpoint.completedAt));
        }
        card.appendChild(list);
      }
      host.appendChild(card);
    }
  }

  // MARK: Timeline

  function drawTimeline() {
    const host = $('timeline');
    clear(host);
    const timeline = state.timeline;
    const range = state.range;
    if (!timeline || !range || !range.last || timeline.tasks.length === 0) {
      host.appendChild(el('p', { class: 'empty' }, 'No task history yet.'));
      return;
    }
    const byTime = $('timeline-scale').value === 'time';
    const rows = timeline.tasks;
    const LABEL = 230;
    const ROW = 24;
    const width = Math.max(640, host.clientWidth || 900);
    const plot = width - LABEL - 20;
    const top = 26;
    const height = top + rows.length * ROW + 10;
    let low;
    let high;
    const lastSeq = range.last.seq;
    if (byTime) {
      low = Date.parse(rows.reduce((min, row) => (row.spans[0].fromTime < min ? row.spans[0].fromTime : min), range.last.time));
      high = Date.parse(range.last.time);
      high += Math.max(1, (high - low) * 0.03);
    } else {
      low = rows.reduce((min, row) => Math.min(min, row.spans[0].fromSeq), lastSeq);
      high = lastSeq + 1;
    }
    const x = (value) => LABEL + ((value - low) / Math.max(1, high - low)) * plot;
    const fromOf = (span) => (byTime ? Date.parse(span.fromTime) : span.fromSeq);
    const toOf = (span) => (span.toSeq === null ? high : byTime ? Date.parse(span.toTime) : span.toSeq);

    const root = svg('svg', { id: 'timeline-svg', width, height, viewBox: '0 0 ' + width + ' ' + height, role: 'img', 'aria-label': 'Timeline' });
    // Axis.
    const ticks = 6;
    for (let index = 0; index <= ticks; index++) {
      const value = low + ((high - low) * index) / ticks;
      const px = x(value);
      root.appendChild(svg('line', { x1: px, x2: px, y1: top - 6, y2: height, class: 'tick' }));
      const label = byTime ? new Date(value).toISOString().slice(11, 19) : 'seq ' + Math.round(value);
      root.appendChild(svg('text', { x: px, y: top - 10, class: 'tick-label', 'text-anchor': 'middle' }, label));
    }
    rows.forEach((row, index) => {
      const y = top + index * ROW;
      const group = svg('g', { class: 'timeline-row' + (row.deletedAt ? ' deleted' : ''), 'data-task-id': row.id, 'data-status': row.status });
      group.appendChild(svg('text', { x: 6, y: y + 15, class: 'row-label' }, truncate('#' + row.id + ' ' + row.subject, 30)));
      for (const span of row.spans) {
        const x1 = x(fromOf(span));
        const x2 = Math.max(x1 + 2, x(toOf(span)));
        const rect = svg('rect', {
          x: x1, y: y + 4, width: x2 - x1, height: ROW - 8, rx: 3, class: 'span status-' + span.status,
          'data-task-id': row.id, 'data-status': span.status, 'data-from-seq': span.fromSeq, 'data-to-seq': span.toSeq === null ? '' : span.toSeq,
        });
        rect.appendChild(svg('title', {}, '#' + row.id + ' ' + STATUS_LABEL[span.status] + ' from seq ' + span.fromSeq + ' (' + span.fromTime + ')' +
          (span.toSeq === null ? ' until now' : ' to seq ' + span.toSeq + ' (' + span.toTime + ')')));
        group.appendChild(rect);
      }
      root.appendChild(group);
    });
    // The slider's point: later history dimmed.
    if (state.position && state.position.seq < lastSeq) {
      const cursor = byTime ? Date.parse(state.position.time || range.first.time) : state.position.seq + 1;
      const px = Math.min(LABEL + plot, Math.max(LABEL, x(cursor)));
      root.appendChild(svg('rect', { x: px, y: top - 4, width: LABEL + plot - px + 10, height: height - top + 4, class: 'future' }));
      root.appendChild(svg('line', { x1: px, x2: px, y1: top - 8, y2: height, class: 'cursor', id: 'timeline-cursor' }));
    }
    host.appendChild(root);
  }

  // MARK: Tasks

  function drawTasks(answer) {
    const body = $('tasks-body');
    clear(body);
    const tasks = answer.tasks.filter((task) => !state.workflow || (task.metadata && task.metadata.workflow === state.workflow));
    if (tasks.length === 0) {
      const row = el('tr');
      row.appendChild(el('td', { colspan: 6, class: 'empty' }, 'No tasks at this point.'));
      body.appendChild(row);
      return;
    }
    for (const task of tasks) {
      const row = el('tr', { 'data-task-id': task.id, 'data-status': task.status });
      row.appendChild(el('td', {}, '#' + task.id));
      const status = el('td');
      status.appendChild(el('span', { class: 'badge status-' + task.status }, STATUS_LABEL[task.status]));
      row.appendChild(status);
      row.appendChild(el('td', {}, task.owner || '–'));
      row.appendChild(el('td', {}, task.blockedBy.length ? '#' + task.blockedBy.join(', #') : '–'));
      row.appendChild(el('td', {}, (task.metadata && task.metadata.phase) || '–'));
      row.appendChild(el('td', {}, task.subject));
      body.appendChild(row);
    }
  }

  // MARK: Live

  function follow() {
    if (!window.EventSource) return;
    const source = new EventSource('/api/events');
    state.source = source;
    const status = $('live-status');
    source.onopen = () => {
      status.textContent = 'live';
      status.dataset.live = 'true';
    };
    source.onerror = () => {
      status.textContent = 'reconnecting…';
      status.dataset.live = 'false';
    };
    source.onmessage = (message) => {
      let event;
      try {
        event = JSON.parse(message.data);
      } catch (error) {
        return;
      }
      document.body.dataset.lastEvent = String(event.seq);
      const slider = $('time-slider');
      slider.max = String(Math.max(Number(slider.max), event.seq));
      if (state.range) {
        state.range.last = { seq: event.seq, time: event.timestamp };
        if (!state.range.first) state.range.first = { seq: event.seq, time: event.timestamp };
      }
      slider.disabled = false;
      if (isLive()) slider.value = slider.max;
      updateLabel(isLive() ? event.timestamp : null);
      // Batch bursts of events into one redraw.
      clearTimeout(state.liveTimer);
      state.liveTimer = setTimeout(async () => {
        try {
          await refreshRange();
          await refreshLists();
        } catch (error) {
          showError(error.message);
        }
        if (isLive()) {
          render(true);
        } else {
          state.timelineKey = null;
          updateLabel();
        }
      }, 150);
    };
  }

  document.addEventListener('DOMContentLoaded', start);
})();
