// Outreach ops dashboard: plain JS, no dependencies. Reads the JSON endpoints under /v1/ops (session
// cookie) and draws SVG charts. Every text from the server goes through textContent, never innerHTML.
'use strict';

(function () {
  const STATES = ['waiting', 'sending', 'paused', 'failed', 'completed'];
  const SVGNS = 'http://www.w3.org/2000/svg';
  const $ = (id) => document.getElementById(id);
  let session = null;
  let timer = null;
  const pages = { tokens: [undefined], index: 0 };

  // --- tiny DOM helpers ----------------------------------------------------------------------------
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v);
    }
    for (const c of children.flat()) if (c !== undefined && c !== null) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return e;
  }
  function svg(tag, attrs, ...children) {
    const e = document.createElementNS(SVGNS, tag);
    for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) e.setAttribute(k, v);
    for (const c of children.flat()) if (c) e.append(c);
    return e;
  }
  const fmt = (n) => (n === null || n === undefined ? '–' : Number(n).toLocaleString('en'));
  const pct = (r) => (r === null || r === undefined ? '–' : `${Math.round(r * 100)}%`);
  const utc = (iso) => (iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : '');
  const hourLabel = (iso) => iso.slice(11, 13);
  function local(iso, zone) {
    if (!iso) return '';
    const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
    const off = /([+-]\d{2}:\d{2})$/.exec(iso);
    return `${m ? `${m[1]} ${m[2]}` : iso}${off ? ` (${off[1]})` : ''}${zone ? ` ${zone}` : ''}`;
  }
  function table(headers, rows, empty) {
    if (!rows.length) return el('div', { class: 'empty', text: empty || 'nothing here' });
    return el('table', {},
      el('thead', {}, el('tr', {}, headers.map((h) => el('th', { class: h.num ? 'num' : undefined, text: h.label || h })))),
      el('tbody', {}, rows.map((r) => el('tr', {}, r.map((c, i) => (c instanceof Node && c.tagName === 'TD' ? c : el('td', { class: headers[i].num ? 'num' : headers[i].cls }, c)))))));
  }
  const badge = (s) => el('span', { class: `badge ${s}`, text: s });
  const runLink = (id) => el('a', { href: `#run/${encodeURIComponent(id)}`, text: id, 'data-run': id });

  // --- data ------------------------------------------------------------------------------------------
  async function get(path) {
    const res = await fetch(path, { credentials: 'same-origin', headers: { accept: 'application/json' } });
    if (res.status === 401 || res.status === 403) {
      const err = new Error('unauthorized');
      err.unauthorized = true;
      err.status = res.status;
      throw err;
    }
    const body = await res.json();
    if (!res.ok) throw new Error(body.error || `HTTP ${res.status}`);
    return body;
  }

  // --- charts ----------------------------------------------------------------------------------------
  /** Vertical stacked columns: data = [{ label, values: { key: n } }], keys drawn bottom-up. */
  function columns(data, keys, opts = {}) {
    const W = 640, H = opts.height || 200, L = 34, B = 22, T = 8;
    const max = Math.max(1, ...data.map((d) => keys.reduce((s, k) => s + (d.values[k] || 0), 0)));
    const step = (W - L - 4) / Math.max(1, data.length);
    const y = (v) => T + (H - T - B) * (1 - v / max);
    const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': opts.label || 'chart' });
    for (const t of ticks(max)) {
      root.append(svg('line', { class: 'grid', x1: L, x2: W, y1: y(t), y2: y(t) }));
      root.append(svg('text', { x: L - 4, y: y(t) + 4, 'text-anchor': 'end' }, document.createTextNode(fmt(t))));
    }
    data.forEach((d, i) => {
      let acc = 0;
      const x = L + i * step + step * 0.12;
      const w = Math.max(1, step * 0.76);
      for (const k of keys) {
        const v = d.values[k] || 0;
        if (!v) continue;
        const r = svg('rect', { class: 'bar', x, y: y(acc + v), width: w, height: Math.max(0.5, y(acc) - y(acc + v)), fill: `var(--${k})`, 'data-key': k, 'data-value': v });
        r.append(svg('title', {}, document.createTextNode(`${d.title || d.label}: ${fmt(v)} ${k}`)));
        root.append(r);
        acc += v;
      }
      const every = Math.ceil(data.length / (opts.maxLabels || 24));
      if (i % every === 0) root.append(svg('text', { x: x + w / 2, y: H - 6, 'text-anchor': 'middle' }, document.createTextNode(d.label)));
    });
    root.append(svg('line', { class: 'axis', x1: L, x2: W, y1: y(0), y2: y(0) }));
    return root;
  }

  /** Horizontal stacked bars: rows = [{ label, values }]. */
  function bars(rows, keys, opts = {}) {
    const W = 640, rowH = 26, L = opts.labelWidth || 150, R = 50;
    const H = Math.max(rowH, rows.length * rowH) + 6;
    const max = Math.max(1, ...rows.map((r) => keys.reduce((s, k) => s + (r.values[k] || 0), 0)));
    const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': opts.label || 'chart' });
    rows.forEach((r, i) => {
      const yy = 3 + i * rowH;
      const label = svg('text', { x: L - 8, y: yy + 16, 'text-anchor': 'end' }, document.createTextNode(r.label));
      root.append(label);
      let acc = 0, total = 0;
      for (const k of keys) {
        const v = r.values[k] || 0;
        total += v;
        if (!v) continue;
        const x = L + ((W - L - R) * acc) / max;
        const w = ((W - L - R) * v) / max;
        const rect = svg('rect', { class: 'bar', x, y: yy + 3, width: Math.max(1, w), height: rowH - 8, fill: `var(--${k})`, 'data-key': k, 'data-value': v });
        rect.append(svg('title', {}, document.createTextNode(`${r.label}: ${fmt(v)} ${k}`)));
        root.append(rect);
        acc += v;
      }
      root.append(svg('text', { x: L + ((W - L - R) * acc) / max + 6, y: yy + 16 }, document.createTextNode(fmt(total))));
    });
    return root;
  }

  /** Lines over days: series = [{ key, points: [{ label, value|null }] }]. */
  function lines(series, opts = {}) {
    const W = 640, H = 180, L = 34, B = 22, T = 8;
    const n = Math.max(1, ...series.map((s) => s.points.length));
    const vals = series.flatMap((s) => s.points.map((p) => p.value)).filter((v) => v !== null && v !== undefined);
    const min = opts.min !== undefined ? opts.min : Math.min(0, ...vals);
    const max = opts.max !== undefined ? opts.max : Math.max(1, ...vals);
    const x = (i) => L + ((W - L - 8) * i) / Math.max(1, n - 1);
    const y = (v) => T + (H - T - B) * (1 - (v - min) / (max - min || 1));
    const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': opts.label || 'chart' });
    for (const t of opts.ticks || ticks(max, min)) {
      root.append(svg('line', { class: 'grid', x1: L, x2: W, y1: y(t), y2: y(t) }));
      root.append(svg('text', { x: L - 4, y: y(t) + 4, 'text-anchor': 'end' }, document.createTextNode(`${t}${opts.suffix || ''}`)));
    }
    const labels = series[0] ? series[0].points : [];
    const every = Math.ceil(labels.length / 10);
    labels.forEach((p, i) => { if (i % every === 0) root.append(svg('text', { x: x(i), y: H - 6, 'text-anchor': 'middle' }, document.createTextNode(p.label))); });
    for (const s of series) {
      let d = '';
      s.points.forEach((p, i) => {
        if (p.value === null || p.value === undefined) return;
        d += `${d && s.points[i - 1] && s.points[i - 1].value !== null ? 'L' : 'M'}${x(i).toFixed(1)},${y(p.value).toFixed(1)} `;
        const c = svg('circle', { cx: x(i), cy: y(p.value), r: 3, fill: `var(--${s.key})`, 'data-key': s.key, 'data-value': p.value });
        c.append(svg('title', {}, document.createTextNode(`${s.key.toUpperCase()} ${p.label}: ${p.value}${opts.suffix || ''}`)));
        root.append(c);
      });
      if (d) root.insertBefore(svg('path', { d, fill: 'none', stroke: `var(--${s.key})`, 'stroke-width': 2 }), root.firstChild ? root.firstChild.nextSibling : null);
    }
    return root;
  }

  function ticks(max, min = 0) {
    const span = max - min;
    const raw = span / 4;
    const mag = Math.pow(10, Math.floor(Math.log10(raw || 1)));
    const stepv = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) || raw;
    const out = [];
    for (let t = Math.ceil(min / stepv) * stepv; t <= max + 1e-9; t += stepv) out.push(Math.round(t * 100) / 100);
    return out;
  }

  function place(id, node) {
    const target = $(id);
    target.replaceChildren(node);
  }

  // --- views -----------------------------------------------------------------------------------------
  function tile(cls, n, label, href, testid) {
    const inner = [el('div', { class: 'n', text: n, 'data-testid': testid }), el('div', { class: 'l', text: label })];
    return el('div', { class: `tile ${cls}` }, href ? el('a', { href }, inner) : inner);
  }

  function reasonCell(w) {
    const full = w.failure ? `${w.failure.type ? `${w.failure.type}: ` : ''}${w.failure.message}${w.failure.retryState ? ` (${w.failure.retryState})` : ''}` : w.executionStatus;
    return el('td', { class: 'err', title: full, text: full.length > 160 ? `${full.slice(0, 157)}…` : full });
  }

  async function loadOverview() {
    const [o, failures] = await Promise.all([get('/v1/ops/overview'), get('/v1/ops/failures')]);
    const problems = ['failed', 'ambiguous', 'retry'].reduce((s, k) => s + (failures.ledgerCounts[k] || 0), 0);
    place('tiles', el('div', { class: 'contents' },
      STATES.map((s) => tile(s, fmt(o.totals[s]), s, `#runs/${s}`, `total-${s}`)),
      tile('sent', fmt(failures.ledgerCounts.sent || 0), 'emails sent', null, 'total-sent'),
      tile('problems', fmt(problems), 'emails needing attention', null, 'total-problems')));

    const seqRows = o.sequences.map((s) => ({ label: s.sequenceId, values: s }));
    place('by-sequence', seqRows.length ? bars(seqRows, STATES, { label: 'runs by sequence and state' }) : el('div', { class: 'empty', text: 'no sequences yet' }));
    $('state-legend').replaceChildren(...STATES.map((s) => el('span', {}, el('span', { class: `sw ${s}` }), s)));

    const stepRows = [];
    for (const s of o.sequences) for (const st of s.steps) if (st.waiting + st.sending + st.paused > 0) stepRows.push({ label: `${s.sequenceId} · ${st.stepId}`, values: st });
    place('by-step', stepRows.length ? bars(stepRows, ['waiting', 'sending', 'paused'], { labelWidth: 230, label: 'running runs by step' }) : el('div', { class: 'empty', text: 'no running runs' }));

    const opts = $('f-sequence');
    const chosen = opts.value;
    opts.replaceChildren(el('option', { value: '', text: 'all' }), ...o.sequences.map((s) => el('option', { value: s.sequenceId, text: s.sequenceId })));
    opts.value = chosen;

    $('failed-count').textContent = `${fmt(failures.failedWorkflows)} in total`;
    place('failed-runs', table(
      ['run', 'sequence', { label: 'reason' }, 'closed'],
      failures.workflows.map((w) => [runLink(w.workflowId), w.sequence || '', reasonCell(w), utc(w.closedAt)]),
      'no failed runs'));
    $('ledger-counts').textContent = ['failed', 'ambiguous', 'retry'].map((k) => `${k} ${fmt(failures.ledgerCounts[k] || 0)}`).join(' · ');
    place('ledger-problems', table(
      ['run', 'step', 'template', 'status', { label: 'attempts', num: true }, { label: 'error' }],
      failures.ledger.map((r) => [runLink(r.workflowId), `${r.stepId}${r.iteration ? `#${r.iteration}` : ''}`, `${r.template} (${r.locale})`, badge(r.status), String(r.attempts), el('td', { class: 'err', text: r.error || '' })]),
      'no failed, ambiguous or retrying emails'));
  }

  async function loadTimelines() {
    const [due, sends] = await Promise.all([get('/v1/ops/due'), get('/v1/ops/sends')]);
    $('overdue').textContent = due.overdue ? `· ${fmt(due.overdue)} due now` : '';
    place('due', columns(due.buckets.map((b) => ({ label: hourLabel(b.hour), title: utc(b.hour), values: { send: b.sends, other: b.other } })), ['send', 'other'], { label: 'due in the next 24 hours' }));
    place('sends', columns(sends.hours.map((h) => ({ label: hourLabel(h.hour), title: utc(h.hour), values: h })), ['sent', 'failed', 'suppressed', 'ambiguous'], { label: 'emails per hour', maxLabels: 16 }));
    const head = ['', { label: 'sent', num: true }, { label: 'failed', num: true }, { label: 'suppressed', num: true }, { label: 'ambiguous', num: true }];
    place('sends-locale', table([{ label: 'locale' }, ...head.slice(1)], sends.byLocale.map((r) => [r.locale, fmt(r.sent), fmt(r.failed), fmt(r.suppressed), fmt(r.ambiguous)]), 'no emails yet'));
    place('sends-country', table([{ label: 'country' }, ...head.slice(1)], sends.byCountry.map((r) => [r.country, fmt(r.sent), fmt(r.failed), fmt(r.suppressed), fmt(r.ambiguous)]), 'no emails yet'));
  }

  const scoreText = (k, v) => (v === null || v === undefined ? '–' : k === 'csat' ? `${v}%` : k === 'nps' && v > 0 ? `+${v}` : String(v));
  const scoreName = { nps: 'NPS', csat: 'CSAT (4–5)', ces: 'CES (mean)' };

  async function loadSurveys() {
    const s = await get('/v1/ops/surveys');
    place('survey-tiles', s.kinds.length
      ? el('div', { class: 'contents' }, s.kinds.flatMap((k) => [
        tile(k.kind, scoreText(k.kind, k.score), scoreName[k.kind] || k.kind, null, `survey-${k.kind}-score`),
        tile(k.kind, pct(k.responseRate), `${k.kind.toUpperCase()} response rate · ${fmt(k.answered)}/${fmt(k.sent)}`, null, `survey-${k.kind}-rate`),
      ]))
      : el('div', { class: 'empty', text: 'no surveys sent in the last 30 days' }));
    const kinds = s.kinds.map((k) => k.kind);
    const series = (field, scale) => kinds.map((kind) => ({ key: kind, points: s.trend.filter((t) => t.kind === kind).map((t) => ({ label: t.day.slice(5), value: t[field] === null ? null : scale(t[field]) })) }));
    const scored = kinds.filter((k) => k === 'nps' || k === 'csat');
    place('survey-trend', scored.length ? lines(series('score', (v) => v).filter((x) => scored.includes(x.key)), { min: -100, max: 100, ticks: [-100, -50, 0, 50, 100], label: 'daily NPS and CSAT' }) : el('div', { class: 'empty', text: 'no answers yet' }));
    $('survey-legend').replaceChildren(...scored.map((k) => el('span', {}, el('span', { class: `sw ${k}` }), scoreName[k])));
    place('survey-rate', kinds.length ? lines(series('responseRate', (v) => Math.round(v * 100)), { min: 0, max: 100, ticks: [0, 25, 50, 75, 100], suffix: '%', label: 'daily response rate' }) : el('div', { class: 'empty', text: 'no surveys yet' }));
    const cols = (first) => [{ label: first }, 'kind', { label: 'sent', num: true }, { label: 'answered', num: true }, { label: 'response', num: true }, { label: 'score', num: true }];
    const row = (name) => (r) => [r[name], r.kind.toUpperCase(), fmt(r.sent), fmt(r.answered), pct(r.responseRate), scoreText(r.kind, r.score)];
    place('survey-locale', table(cols('locale'), s.byLocale.map(row('locale')), 'no surveys yet'));
    place('survey-country', table(cols('country'), s.byCountry.map(row('country')), 'no surveys yet'));
  }

  function filterQuery() {
    const q = new URLSearchParams({ pageSize: '25' });
    if ($('f-sequence').value) q.set('sequence', $('f-sequence').value);
    if ($('f-state').value) q.set('state', $('f-state').value);
    if ($('f-next').value) q.set('nextBefore', new Date($('f-next').value).toISOString());
    const token = pages.tokens[pages.index];
    if (token) q.set('pageToken', token);
    return q;
  }

  async function loadRuns() {
    const page = await get(`/v1/ops/runs?${filterQuery()}`);
    pages.tokens[pages.index + 1] = page.nextPageToken;
    place('runs', table(
      ['run', 'sequence', 'step', 'state', 'next action (local)', 'next action (UTC)', 'started', ''],
      page.runs.map((r) => [
        el('td', { class: 'id' }, runLink(r.workflowId)), r.sequence || '', r.step || '', badge(r.state), local(r.nextActionLocal, r.nextActionZone), utc(r.nextActionAt), utc(r.startedAt),
        el('a', { href: r.temporalUrl, target: '_blank', rel: 'noopener', text: 'Temporal ↗' }),
      ]),
      'no runs match'));
    $('prev').disabled = pages.index === 0;
    $('next').disabled = !page.nextPageToken;
    $('page-info').textContent = `page ${pages.index + 1}`;
  }

  async function loadRun(id) {
    const r = await get(`/v1/ops/runs/${encodeURIComponent(id)}`);
    const next = r.next;
    const kv = [
      ['workflow', el('span', { class: 'id', text: r.workflowId, 'data-testid': 'run-id' })],
      ['sequence', `${r.sequence || '?'}${r.sequenceVersion !== undefined ? ` v${r.sequenceVersion}` : ''}${r.variant ? ` · variant ${r.variant}` : ''}`],
      ['state', el('span', {}, badge(r.state), ` ${r.executionStatus}${r.status ? ` · ${r.status}` : ''}${r.step ? ` · step ${r.step}` : ''}`)],
      ['started', utc(r.startedAt)],
      r.closedAt ? ['closed', utc(r.closedAt)] : null,
      r.exitReason ? ['reason', r.exitReason] : null,
      next ? ['next action', el('span', { 'data-testid': 'run-next' }, `${next.kind} “${next.stepId}” · `, next.at ? el('b', { text: local(next.local, next.zone) || '(local time unknown)' }) : '(waiting for an outcome)', next.at ? ` · ${utc(next.at)}` : '')] : null,
      ['Temporal', el('a', { href: r.temporalUrl, target: '_blank', rel: 'noopener', text: 'open in Temporal Web UI ↗', 'data-testid': 'temporal-link' })],
    ].filter(Boolean);
    const failure = r.failure ? el('div', { class: 'failure', 'data-testid': 'run-failure' },
      el('b', { text: `${r.failure.type || 'Failure'}: ` }), r.failure.message,
      r.failure.activityType ? ` (activity ${r.failure.activityType}${r.failure.attempts ? `, ${r.failure.attempts} attempt${r.failure.attempts === 1 ? '' : 's'}` : ''}${r.failure.retryState ? `, ${r.failure.retryState}` : ''})` : '') : null;
    const pending = r.pendingActivities.length ? el('div', { class: 'failure' }, r.pendingActivities.map((p) => el('div', { text: `retrying ${p.activityType}: attempt ${p.attempt}${p.lastFailure ? ` · ${p.lastFailure}` : ''}${p.nextAttemptAt ? ` · next ${utc(p.nextAttemptAt)}` : ''}` }))) : null;
    $('run').replaceChildren(...[
      el('p', {}, el('a', { href: '#', text: '← all runs' })),
      el('h2', { text: 'Run' }),
      el('dl', { class: 'kv' }, kv.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', {}, v)])),
      failure, pending,
      r.note ? el('p', { class: 'muted', text: r.note }) : null,
      el('h3', { text: 'Timeline' }),
      table(['#', 'step', 'type', 'started', 'finished', 'outcome', 'email', { label: 'attempts', num: true }, { label: 'error' }],
        r.timeline.map((t, i) => [String(i + 1), `${t.stepId}${t.iteration ? `#${t.iteration}` : ''}`, t.type || (t.unfinished ? '(unfinished)' : ''), utc(t.startedAt), utc(t.finishedAt), t.outcome || '',
          t.email ? el('span', {}, badge(t.email.status), ` ${t.email.templateId} (${t.email.locale})`) : '', t.email ? String(t.email.attempts) : '', el('td', { class: 'err', text: t.email && t.email.error ? t.email.error : '' })]),
        'no steps done yet'),
    ].filter(Boolean));
  }

  // --- routing, auth, refresh ------------------------------------------------------------------------
  function showLogin(message) {
    session = null;
    $('home').hidden = true;
    $('run').hidden = true;
    $('login').hidden = false;
    $('login-error').hidden = !message;
    $('login-error').textContent = message || '';
    $('login-key').focus();
  }

  function fail(err) {
    if (err && err.unauthorized) return showLogin(err.status === 403 ? 'This key lacks the "ops" scope.' : null);
    $('updated').textContent = `error: ${err.message}`;
  }

  async function render() {
    const hash = decodeURIComponent(location.hash.slice(1));
    if (hash === 'login-failed') {
      history.replaceState(null, '', '/dashboard');
      return showLogin('That is not an active API key with the "ops" scope.');
    }
    try {
      if (!session) session = await get('/v1/ops/session');
      $('where').textContent = `namespace ${session.namespace} · task queue ${session.taskQueue}`;
      $('login').hidden = true;
      if (hash.startsWith('run/')) {
        $('home').hidden = true;
        $('run').hidden = false;
        await loadRun(hash.slice(4));
      } else {
        if (hash.startsWith('runs/')) {
          $('f-state').value = hash.slice(5);
          pages.tokens = [undefined];
          pages.index = 0;
        }
        $('run').hidden = true;
        $('home').hidden = false;
        await Promise.all([loadOverview(), loadTimelines(), loadSurveys(), loadRuns()]);
        if (hash.startsWith('runs/')) $('runs-card').scrollIntoView();
      }
      $('updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
      document.body.dataset.loaded = String(Date.now());
    } catch (err) {
      fail(err);
    }
  }

  function schedule() {
    clearInterval(timer);
    if ($('auto').checked) timer = setInterval(() => { if (!document.hidden && session) render(); }, 30000);
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('f-state').append(...STATES.map((s) => el('option', { value: s, text: s })));
    $('refresh').addEventListener('click', render);
    $('auto').addEventListener('change', schedule);
    $('logout').addEventListener('click', async () => {
      await fetch('/dashboard/logout', { method: 'POST', credentials: 'same-origin' });
      showLogin('Logged out.');
    });
    $('login-form').addEventListener('submit', async (e) => {
      e.preventDefault();
      const res = await fetch('/dashboard/login', { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: $('login-key').value }) });
      if (res.ok) {
        $('login-key').value = '';
        render();
      } else {
        showLogin('That is not an active API key with the "ops" scope.');
      }
    });
    $('filters').addEventListener('submit', (e) => {
      e.preventDefault();
      pages.tokens = [undefined];
      pages.index = 0;
      loadRuns().catch(fail);
    });
    $('next').addEventListener('click', () => { pages.index += 1; loadRuns().catch(fail); });
    $('prev').addEventListener('click', () => { pages.index = Math.max(0, pages.index - 1); loadRuns().catch(fail); });
    window.addEventListener('hashchange', render);
    render();
    schedule();
  });
})();
