// The open conversation as data, and the one pure function that moves it on: reduce(state, event) -> state.
// No DOM here (app.js paints what changed; `node --test` checks the rules). Messages keep their object identity
// while unchanged, so a painter can compare by reference. Events are the relay's frames plus the page's own:
//   history {items}   the stored history replaced the list (our unsettled sends stay, after it)
//   send {client_id, content}   our message, pending until its message.created / accepted / a refusal
//   held-flush is not an event: app.js holds frames while the history loads and reduces them after it.

export function initial() {
  return { order: [], byKey: {}, ids: {}, clients: {}, streaming: null, turn: null, turnStarted: false };
}

function message(key, fields) {
  return { key, id: null, clientId: null, role: 'assistant', content: '', streamed: null, streaming: false,
    pending: false, unsent: false, stopped: false, failure: null, stream: null, tools: [], fromHistory: false, ...fields };
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

function generating(state, id) {
  const turn = state.turn && !state.turn.messageId ? { ...state.turn, messageId: id } : state.turn;
  return { ...state, streaming: id, turn };
}

function fromHistory(state, items) {
  let next = { ...initial(), turn: state.turn };
  for (const m of items) {
    const meta = parseMeta(m.metadata);
    const msg = message(`h:${m.id}`, { id: m.id, clientId: m.client_message_id || null, role: m.role,
      content: m.content || '', fromHistory: true,
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
      const key = state.clients[ev.client_id] || `c:${ev.client_id}`;
      const base = state.byKey[key] || message(key, { clientId: ev.client_id, role: 'user', content: ev.content });
      const next = put(state, { ...base, pending: true, unsent: false });
      return { ...next, turn: { clientId: ev.client_id, messageId: null } };
    }
    case 'message.created': {
      const started = { ...state, turnStarted: true };
      if (state.ids[ev.message_id]) return started;
      const key = keyOf(state, null, ev.client_message_id);
      if (key) return update({ ...started, ids: { ...started.ids, [ev.message_id]: key } }, key, { id: ev.message_id, pending: false });
      return put(started, message(`m:${ev.message_id}`, { id: ev.message_id, clientId: ev.client_message_id || null,
        role: ev.role === 'user' ? 'user' : 'assistant', content: ev.content || '', streaming: ev.role !== 'user' && !ev.content }));
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
      return endTurn(update(s, key, { streaming: false, content, stream, stopped }), ev.message_id);
    }
    case 'message.failed': {
      const [s, key] = answer(state, ev.message_id);
      const cancelled = ev.error?.code === 'cancelled';
      const failure = cancelled ? 'Stopped.'
        : `The answer failed: ${ev.error?.message || 'unknown error'}${ev.retryable ? ' (you can try again)' : ''}`;
      return endTurn(update(s, key, { streaming: false, failure, stopped: s.byKey[key].stopped || cancelled }), ev.message_id);
    }
    case 'send_failed': {
      const key = state.clients[ev.client_message_id];
      const next = key ? update(state, key, { pending: false, unsent: true }) : state;
      return next.turn && next.turn.clientId === ev.client_message_id ? { ...next, turn: null } : next;
    }
    default:
      return state;
  }
}
