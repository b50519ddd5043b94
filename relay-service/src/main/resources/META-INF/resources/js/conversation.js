// The open conversation as data, and the one pure function that moves it on: reduce(state, event) -> state.
// No DOM here (app.js paints what changed; `node --test` checks the rules). Messages keep their object identity
// while unchanged, so a painter can compare by reference. Events are the relay's frames plus the page's own:
//   history {items}   the stored history replaced the list (our unsettled sends stay, after it)
//   send {client_id, content, edit_of?}   our message, pending until its message.created / accepted / a refusal;
//                     with edit_of it is a new version of that user message, which leaves the view with all after it
//   regenerate {client_id, message_id}   a new answer to that user message: what followed it leaves the view
//   held-flush is not an event: app.js holds frames while the history loads and reduces them after it.
// A turn that changed the branch (edit, regenerate; ours or another tab's) leaves the state `stale` when it ends:
// app.js then reloads the history, which knows the new versions (the "< n/m >" switcher).

export function initial() {
  return { order: [], byKey: {}, ids: {}, clients: {}, streaming: null, turn: null, turnStarted: false,
    branching: false, stale: false };
}

function message(key, fields) {
  return { key, id: null, clientId: null, role: 'assistant', content: '', streamed: null, streaming: false,
    pending: false, unsent: false, stopped: false, failure: null, stream: null, tools: [], fromHistory: false,
    version: 1, versions: 1, editOf: null, ...fields };
}

function keyOf(state, id, clientId) {
  return (id && state.ids[id]) || (clientId && state.clients[clientId]) || null;
}

function put(state, msg) {
  const byKey = { ...state.byKey, [msg.key]: msg };
  const order = state.byKey[msg.key] ? state.order : [...state.order, msg.key];
  const ids = msg.id ? { ...state.ids, [msg.id]: msg.key } : state.ids;
  const clients = msg.clientId ? { ...state.clients, [msg.clientId]: msg.key } : state.clients;
  return { ...state, byKey, order, ids, clients };
}

/** The messages from `key` on (`inclusive`) or after it leave the view, with every id that names them. */
function truncate(state, key, inclusive) {
  const i = key ? state.order.indexOf(key) : -1;
  if (i < 0) return state;
  const gone = new Set(state.order.slice(inclusive ? i : i + 1));
  if (!gone.size) return state;
  const naming = (map) => Object.fromEntries(Object.entries(map).filter(([, k]) => !gone.has(k)));
  const byKey = Object.fromEntries(Object.entries(state.byKey).filter(([k]) => !gone.has(k)));
  return { ...state, order: state.order.filter((k) => !gone.has(k)), byKey, ids: naming(state.ids), clients: naming(state.clients) };
}

function update(state, key, fields) {
  return put(state, { ...state.byKey[key], ...fields });
}

/** The answer an event names, created (streaming) when the page has not seen it yet. */
function answer(state, id) {
  const key = state.ids[id];
  if (key) return [state, key];
  const created = message(`m:${id}`, { id, streaming: true });
  return [put(state, created), created.key];
}

function tool(tools, name, finished) {
  const rest = tools.filter((t) => t.tool !== name);
  const t = finished ? { tool: name, state: 'finished', ok: finished.ok, summary: finished.summary || '' } : { tool: name, state: 'running' };
  const i = tools.findIndex((x) => x.tool === name);
  if (i < 0) return [...tools, t];
  const out = [...rest];
  out.splice(i, 0, t);
  return out;
}

function endTurn(state, id) {
  const streaming = state.streaming === id ? null : state.streaming;
  const turn = state.turn && (!state.turn.messageId || state.turn.messageId === id) ? null : state.turn;
  return { ...state, streaming, turn };
}

/** A turn that changed the branch has ended: the history holds the versions it made. */
function settled(state) {
  return state.branching ? { ...state, branching: false, stale: true } : state;
}

function generating(state, id) {
  const turn = state.turn && !state.turn.messageId ? { ...state.turn, messageId: id } : state.turn;
  return { ...state, streaming: id, turn };
}

function fromHistory(state, items) {
  let next = { ...initial(), turn: state.turn };
  for (const m of items) {
    const meta = parseMeta(m.metadata);
    const msg = message(`h:${m.id}`, { id: m.id, clientId: m.client_message_id || null, role: m.role,
      content: m.content || '', fromHistory: true, version: m.version || 1, versions: m.versions || 1,
      stopped: m.role === 'assistant' && (meta.cancelled === true || meta.finish_reason === 'cancelled'),
      tools: (meta.tool_calls || []).map((t) => ({ tool: t.tool || t.name, state: 'finished', ok: t.ok !== false, summary: t.summary || '' })) });
    next = put(next, msg);
    // events name an answer by chat-service's message id: its stored id (metadata.message_id); answers stored
    // before the turn routes kept it as client_message_id
    if (m.role === 'assistant') {
      const eventId = meta.message_id || m.client_message_id;
      if (eventId && eventId !== m.id) next = { ...next, ids: { ...next.ids, [eventId]: msg.key } };
    }
  }
  // our sends the history does not hold yet stay, after it
  for (const key of state.order) {
    const m = state.byKey[key];
    if ((m.pending || m.unsent) && m.clientId && !next.clients[m.clientId]) next = put(next, m);
  }
  return next;
}

export function parseMeta(meta) {
  if (!meta) return {};
  if (typeof meta === 'object') return meta;
  try { return JSON.parse(meta); } catch { return {}; }
}

export function reduce(state, ev) {
  switch (ev.type) {
    case 'history':
      return fromHistory(state, ev.items || []);
    case 'send': {
      const edit = ev.edit_of || null;
      const s = edit ? truncate(state, state.ids[edit], true) : state;
      const key = s.clients[ev.client_id] || `c:${ev.client_id}`;
      const base = s.byKey[key] || message(key, { clientId: ev.client_id, role: 'user', content: ev.content, editOf: edit });
      const next = put(s, { ...base, pending: true, unsent: false });
      return { ...next, turn: { clientId: ev.client_id, messageId: null, branch: !!edit } };
    }
    case 'regenerate':
      return { ...truncate(state, state.ids[ev.message_id], false), turn: { clientId: ev.client_id, messageId: null, branch: true } };
    case 'message.created': {
      const branch = !!(ev.edit_of || ev.regenerate_of);
      // another tab's (or a replayed) edit or regenerate: the old version or answer leaves this view too
      let s = ev.edit_of && ev.edit_of !== ev.message_id ? truncate(state, state.ids[ev.edit_of], true) : state;
      if (ev.regenerate_of) s = truncate(s, s.ids[ev.regenerate_of], false);
      const started = { ...s, turnStarted: true, branching: s.branching || branch };
      const versions = ev.versions ? { version: ev.version || 1, versions: ev.versions } : {};
      if (started.ids[ev.message_id]) return ev.versions ? update(started, started.ids[ev.message_id], versions) : started;
      const key = keyOf(started, null, ev.client_message_id);
      if (key) return update({ ...started, ids: { ...started.ids, [ev.message_id]: key } }, key, { id: ev.message_id, pending: false, ...versions });
      return put(started, message(`m:${ev.message_id}`, { id: ev.message_id, clientId: ev.client_message_id || null,
        role: ev.role === 'user' ? 'user' : 'assistant', content: ev.content || '', streaming: ev.role !== 'user' && !ev.content,
        ...versions }));
    }
    case 'accepted':
      return state.turn && state.turn.clientId === ev.client_message_id && !state.turn.messageId
        ? { ...state, turn: { ...state.turn, messageId: ev.message_id } } : state;
    case 'message.delta': {
      const [s, key] = answer(state, ev.message_id);
      const m = s.byKey[key];
      // a stored partial answer (checkpoint) gives way to the replayed turn, which starts at its beginning
      const restart = m.fromHistory && m.streamed === null && s.turnStarted;
      const d = ev.delta || '';
      return generating(update(s, key, { streaming: true, content: (restart ? '' : m.content) + d,
        streamed: (m.streamed ?? '') + d }), ev.message_id);
    }
    case 'tool.started': {
      const [s, key] = answer(state, ev.message_id);
      return generating(update(s, key, { tools: tool(s.byKey[key].tools, ev.tool) }), ev.message_id);
    }
    case 'tool.finished': {
      const [s, key] = answer(state, ev.message_id);
      return update(s, key, { tools: tool(s.byKey[key].tools, ev.tool, { ok: ev.ok !== false, summary: ev.summary }) });
    }
    case 'message.completed': {
      const [s, key] = answer(state, ev.message_id);
      const m = s.byKey[key];
      const content = typeof ev.content === 'string' ? ev.content : m.content;
      // whether the deltas this page saw add up to the stored answer (none lost or repeated)
      const stream = m.streamed !== null && typeof ev.content === 'string' ? (m.streamed === ev.content ? 'complete' : 'diverged') : m.stream;
      const stopped = m.stopped || ev.cancelled === true || ev.finish_reason === 'cancelled';
      return settled(endTurn(update(s, key, { streaming: false, content, stream, stopped }), ev.message_id));
    }
    case 'message.failed': {
      const [s, key] = answer(state, ev.message_id);
      const cancelled = ev.error?.code === 'cancelled';
      const failure = cancelled ? 'Stopped.'
        : `The answer failed: ${ev.error?.message || 'unknown error'}${ev.retryable ? ' (you can try again)' : ''}`;
      return settled(endTurn(update(s, key, { streaming: false, failure, stopped: s.byKey[key].stopped || cancelled }), ev.message_id));
    }
    case 'send_failed': {
      const key = state.clients[ev.client_message_id];
      const next = key ? update(state, key, { pending: false, unsent: true }) : state;
      if (!next.turn || next.turn.clientId !== ev.client_message_id) return next;
      // a refused regenerate took the old answer off the view: the history puts it back
      return { ...next, turn: null, stale: next.stale || (next.turn.branch && !key) };
    }
    default:
      return state;
  }
}

/** The "< n/m >" switcher of a message: null with one version; else its label and the versions either side. */
export function switcher(msg) {
  if (!msg || !msg.id || !(msg.versions > 1)) return null;
  const n = Math.min(Math.max(msg.version || 1, 1), msg.versions);
  return { label: `${n}/${msg.versions}`, prev: n > 1 ? n - 1 : null, next: n < msg.versions ? n + 1 : null };
}

/** Edit, Regenerate and the switcher wait while a turn runs: one turn per session. */
export function idle(state) {
  return !state.turn && !state.streaming;
}

/** The stored user message an answer replies to (the nearest one before it in the view), or null. */
export function userBefore(state, key) {
  for (let i = state.order.indexOf(key) - 1; i >= 0; i--) {
    const m = state.byKey[state.order[i]];
    if (m.role === 'user') return m.id && !m.pending ? m.id : null;
  }
  return null;
}
