/**
 * The report's own CSS and script, inlined into every report (no network, no CDN). The script is
 * plain ES2017 in a string, run by the browser only: it reads the items from the
 * `<script type="application/json" id="basalt-data">` element and renders one page of rows at a
 * time, so a report of 10,000 items × 3 runs opens as fast as one of ten (docs/experiments.md).
 * It writes every piece of user content with `textContent`, never as HTML.
 *
 * Data shape (built by `reportData` in render-html.ts):
 *   { runs: [label], items: [[key, inputText, idealText | null, [cell | null, …one per run]]] }
 *   cell = [status 's'|'f'|'c', outputText, errorText | null, durationMs | null,
 *           inputTokens | null, outputTokens | null, scores | null, scoreErrors | null]
 */

export const REPORT_CSS = `
:root { color-scheme: light dark; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg2: #f6f8fa;
  --bad: #cf222e; --good: #1a7f37; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #9198a1; --line: #3d444d; --bg2: #151b23;
  --bad: #ff7b72; --good: #3fb950; } }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); margin: 24px; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 28px 0 8px; }
.sub, .empty, .muted { color: var(--muted); }
table { border-collapse: collapse; }
th, td { border: 1px solid var(--line); padding: 4px 8px; vertical-align: top; text-align: left; }
th { background: var(--bg2); font-weight: 600; }
#summary td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.delta { color: var(--muted); font-size: 12px; margin-left: 4px; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; }
.charts { display: flex; flex-wrap: wrap; gap: 24px; }
.chart text { font-size: 11px; fill: var(--muted); }
.legend { display: flex; gap: 16px; flex-wrap: wrap; margin: 4px 0 8px; }
.warning { color: var(--bad); }
.controls { display: flex; gap: 12px; align-items: center; flex-wrap: wrap; margin-bottom: 8px; }
#items { table-layout: fixed; width: 100%; }
#items td pre { margin: 0; white-space: pre-wrap; word-break: break-word; max-height: 12em; overflow: auto;
  font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; }
#items td.key { word-break: break-all; font: 11px ui-monospace, monospace; color: var(--muted); }
#items .meta { margin-top: 4px; font-size: 12px; color: var(--muted); }
#items .meta span { margin-right: 8px; }
#items .error { margin-top: 4px; color: var(--bad); font-size: 12px; white-space: pre-wrap; }
#items .status-f, #items .status-c { color: var(--bad); font-weight: 600; }
#items .up { color: var(--good); } #items .down { color: var(--bad); }
#items td.differs { box-shadow: inset 3px 0 0 #d4a72c; }
#items td.missing-cell { background: var(--bg2); color: var(--muted); font-style: italic; }
#items .ideal { margin-top: 4px; font-size: 12px; color: var(--muted); white-space: pre-wrap; }
`;

export const REPORT_SCRIPT = `(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('basalt-data').textContent);
  var runs = data.runs, items = data.items;
  var body = document.getElementById('items-body');
  var info = document.getElementById('items-info');
  var prev = document.getElementById('prev'), next = document.getElementById('next');
  var filterEl = document.getElementById('filter'), queryEl = document.getElementById('query');
  var sizeEl = document.getElementById('page-size');
  var state = { page: 0, size: Number(sizeEl.value) || 100 };
  var shown = items, haystacks = null;
  var STATUS = { s: 'ok', f: 'failed', c: 'cancelled' };

  function cells(it) { return it[3]; }
  function differs(it) {
    var c = cells(it), first = c[0];
    for (var i = 1; i < c.length; i++) {
      if (!first || !c[i] || c[i][0] !== first[0] || c[i][1] !== first[1]) return true;
    }
    return false;
  }
  function failed(it) {
    return cells(it).some(function (c) { return c !== null && c[0] !== 's'; });
  }
  function unmatched(it) {
    return cells(it).some(function (c) { return c === null; });
  }
  function haystack(i) {
    if (haystacks === null) haystacks = new Array(items.length);
    if (haystacks[i] === undefined) {
      var it = items[i], parts = [it[0], it[1], it[2] || ''];
      cells(it).forEach(function (c) { if (c) parts.push(c[1], c[2] || ''); });
      haystacks[i] = parts.join('\\n').toLowerCase();
    }
    return haystacks[i];
  }
  function apply() {
    var filter = filterEl.value, query = queryEl.value.trim().toLowerCase();
    var test = filter === 'differ' ? differs : filter === 'failed' ? failed : filter === 'unmatched' ? unmatched : null;
    shown = items.filter(function (it, i) {
      return (test === null || test(it)) && (query === '' || haystack(i).indexOf(query) !== -1);
    });
    state.page = 0;
    render();
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function runCell(c, first) {
    var td = el('td', 'run');
    if (c === null) {
      td.className += ' missing-cell';
      td.textContent = 'not in this run';
      return td;
    }
    if (first !== undefined && (first === null || first[1] !== c[1] || first[0] !== c[0])) td.className += ' differs';
    td.appendChild(el('pre', 'out', c[1]));
    var meta = el('div', 'meta');
    if (c[0] !== 's') meta.appendChild(el('span', 'status-' + c[0], STATUS[c[0]]));
    if (c[3] !== null) meta.appendChild(el('span', 'ms', c[3].toFixed(1) + ' ms'));
    if (c[4] !== null || c[5] !== null) meta.appendChild(el('span', 'tokens', (c[4] || 0) + ' → ' + (c[5] || 0) + ' tokens'));
    var scores = c[6] || {};
    Object.keys(scores).sort().forEach(function (name) {
      var base = first && first[6] ? first[6][name] : undefined;
      var cls = base === undefined || first === undefined ? 'score' : scores[name] > base ? 'score up' : scores[name] < base ? 'score down' : 'score';
      meta.appendChild(el('span', cls, name + ' ' + scores[name]));
    });
    td.appendChild(meta);
    if (c[2] !== null) td.appendChild(el('div', 'error', c[2]));
    var scoreErrors = c[7] || {};
    Object.keys(scoreErrors).forEach(function (name) {
      td.appendChild(el('div', 'error', 'scorer ' + name + ' threw: ' + scoreErrors[name]));
    });
    return td;
  }
  function render() {
    var pages = Math.max(1, Math.ceil(shown.length / state.size));
    if (state.page >= pages) state.page = pages - 1;
    var start = state.page * state.size, end = Math.min(start + state.size, shown.length);
    var frag = document.createDocumentFragment();
    for (var i = start; i < end; i++) {
      var it = shown[i], tr = el('tr', 'item');
      tr.appendChild(el('td', 'key', it[0]));
      var input = el('td', 'input');
      input.appendChild(el('pre', null, it[1]));
      if (it[2] !== null) input.appendChild(el('div', 'ideal', 'ideal: ' + it[2]));
      tr.appendChild(input);
      for (var r = 0; r < runs.length; r++) tr.appendChild(runCell(cells(it)[r], r === 0 ? undefined : cells(it)[0]));
      frag.appendChild(tr);
    }
    body.textContent = '';
    body.appendChild(frag);
    info.textContent = shown.length === 0 ? 'No items match.' :
      'Items ' + (start + 1) + '–' + end + ' of ' + shown.length +
      (shown.length !== items.length ? ', filtered, of ' + items.length + ' in all' : '') +
      ' · page ' + (state.page + 1) + ' of ' + pages;
    prev.disabled = state.page === 0;
    next.disabled = end >= shown.length;
  }
  prev.addEventListener('click', function () { state.page--; render(); });
  next.addEventListener('click', function () { state.page++; render(); });
  filterEl.addEventListener('change', apply);
  sizeEl.addEventListener('change', function () { state.size = Number(sizeEl.value) || 100; state.page = 0; render(); });
  var timer = 0;
  queryEl.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(apply, 150); });
  render();
  document.documentElement.setAttribute('data-rendered', 'true');
})();
`;
