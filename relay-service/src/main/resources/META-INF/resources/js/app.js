import * as auth from './auth.js';
import { sessions as api, ApiError } from './api.js';
import { SessionSocket } from './socket.js';
import { renderMarkdown, renderSnippet } from './render.js';
import { copyButton, decorateCode } from './copy.js';

const $ = (id) => document.getElementById(id);
const el = (tag, cls, text) => {
  const n = document.createElement(tag);
  if (cls) n.className = cls;
  if (text !== undefined) n.textContent = text;
  return n;
};

const ui = {
  current: null, // {id, title}
  socket: null,
  byMessageId: new Map(), // message_id -> {node, body, role, content, streaming, tools}
  byClientId: new Map(), // client_message_id -> entry (optimistic user messages)
  streaming: null, // message_id being generated
  turn: null, // {clientId, messageId, stopRequested}: our message from send until its answer ends
  cursor: null,
  renderQueued: new Set(),
  held: null, // events that arrived while the history loads: applied after it, in order
  turnStarted: false, // a message.created arrived since the history was loaded (the relay replays the turn in flight)
};

// ---------- login ----------
function showLogin(message) {
  $('app-view').hidden = true;
  $('login-view').hidden = false;
  $('login-error').textContent = message || '';
  $('email-form').hidden = false;
  $('code-form').hidden = true;
  $('confirm-box').hidden = true;
  $('email').focus();
}

function showApp() {
  $('login-view').hidden = true;
  $('app-view').hidden = false;
  const u = auth.user();
  $('who').textContent = u && u.email ? u.email : '';
}

$('email-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const email = $('email').value.trim();
  if (!email || !$('email').checkValidity()) { $('login-error').textContent = 'Enter a valid email address.'; return; }
  $('login-error').textContent = '';
  try {
    await auth.requestMagicLink(email);
    $('email-form').hidden = true;
    $('code-form').hidden = false;
    $('sent-note').textContent = `If ${email} can sign in, a link is on its way. Open it here, or type the code.`;
    $('code').focus();
  } catch (err) {
    $('login-error').textContent = err.status === 429 ? 'Too many attempts; wait a moment.' : 'Could not send the link. Try again.';
  }
});

$('code-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const code = $('code').value.trim();
  if (!/^\d{6}$/.test(code)) { $('login-error').textContent = 'The code has six digits.'; return; }
  try {
    await auth.verifyCode(code);
  } catch (err) {
    $('login-error').textContent = err.message || 'That code did not work.';
  }
});

$('restart-login').addEventListener('click', () => showLogin());

async function completeLink(token) {
  $('login-view').hidden = false;
  $('email-form').hidden = true;
  try {
    const r = await auth.verifyToken(token);
    if (r.confirm !== undefined) {
      $('confirm-box').hidden = false;
      $('confirm-email').textContent = r.confirm;
      $('confirm-yes').focus();
      $('confirm-yes').onclick = async () => {
        try { await auth.verifyToken(token, true); } catch (err) { showLogin(err.message); }
      };
      $('confirm-no').onclick = () => showLogin();
    }
  } catch (err) {
    showLogin('This sign-in link is invalid or has expired. Request a new one.');
  }
}

$('logout').addEventListener('click', async () => {
  closeSession();
  await auth.logout().catch(() => {});
});

auth.onChange(({ signedIn }) => {
  if (signedIn) {
    if ($('app-view').hidden) { showApp(); loadSessions(); openFromHash(); }
    $('who').textContent = auth.user()?.email || '';
  } else {
    closeSession();
    showLogin();
  }
});

// ---------- sessions ----------
async function loadSessions(more = false) {
  try {
    const page = await api.list(more ? ui.cursor : null);
    if (!more) $('session-list').replaceChildren();
    for (const s of page.items || []) {
      $('session-list').append(sessionItem(s));
      if (ui.current && ui.current.id === s.id && s.title) updateSessionTitle(s.id, s.title);
    }
    ui.cursor = page.next_cursor || null;
    $('more-sessions').hidden = !ui.cursor;
  } catch (err) {
    showError(err);
  }
}

function sessionItem(s) {
  const li = el('li');
  li.dataset.id = s.id;
  const b = el('button', 'session', s.title || 'Untitled');
  b.type = 'button';
  if (ui.current && ui.current.id === s.id) b.setAttribute('aria-current', 'true');
  b.addEventListener('click', () => { location.hash = `#/s/${s.id}`; closeSidebar(); });
  li.append(b);
  return li;
}

function updateSessionTitle(id, title) {
  const b = document.querySelector(`#session-list li[data-id="${CSS.escape(id)}"] button`);
  if (b) b.textContent = title;
  if (ui.current && ui.current.id === id) { ui.current.title = title; $('session-title').textContent = title; }
}

$('more-sessions').addEventListener('click', () => loadSessions(true));

$('new-session').addEventListener('click', async () => {
  try {
    const s = await api.create();
    $('session-list').prepend(sessionItem(s));
    location.hash = `#/s/${s.id}`;
    closeSidebar();
  } catch (err) { showError(err); }
});

$('rename').addEventListener('click', async () => {
  if (!ui.current) return;
  const title = await ask('Rename conversation', '', ui.current.title || '');
  if (!title) return;
  try {
    const s = await api.rename(ui.current.id, title);
    updateSessionTitle(s.id, s.title);
  } catch (err) { showError(err); }
});

$('delete').addEventListener('click', async () => {
  if (!ui.current) return;
  const ok = await ask('Delete conversation', `Delete “${ui.current.title || 'Untitled'}” and all its messages?`);
  if (!ok) return;
  try {
    const id = ui.current.id;
    await api.remove(id);
    document.querySelector(`#session-list li[data-id="${CSS.escape(id)}"]`)?.remove();
    location.hash = '';
    closeSession();
  } catch (err) { showError(err); }
});

for (const [id, format] of [['export-md', 'md'], ['export-json', 'json']]) {
  $(id).addEventListener('click', async () => {
    if (!ui.current) return;
    try {
      const res = await api.exportFile(ui.current.id, format);
      const blob = await res.blob();
      const a = el('a');
      a.href = URL.createObjectURL(blob);
      a.download = `${(ui.current.title || 'conversation').replace(/[^\w.-]+/g, '_')}.${format}`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 10000);
    } catch (err) { showError(err); }
  });
}

let searchTimer;
$('search').addEventListener('input', () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(runSearch, 300);
});
$('search-form').addEventListener('submit', (e) => { e.preventDefault(); runSearch(); });

async function runSearch() {
  const q = $('search').value.trim();
  const list = $('search-results');
  if (!q) { list.hidden = true; list.replaceChildren(); return; }
  try {
    const r = await api.search(q);
    list.replaceChildren();
    for (const hit of r.items || []) {
      const li = el('li');
      const b = el('button', 'hit');
      b.type = 'button';
      b.append(el('span', 'hit-title', hit.session_title || 'Untitled'));
      const snip = el('span', 'hit-snippet');
      renderSnippet(snip, hit.snippet);
      b.append(snip);
      b.addEventListener('click', () => { location.hash = `#/s/${hit.session_id}`; closeSidebar(); });
      li.append(b);
      list.append(li);
    }
    if (!list.children.length) list.append(el('li', 'muted', 'No matches.'));
    list.hidden = false;
  } catch (err) { showError(err); }
}

// ---------- conversation ----------
function openFromHash() {
  const m = /^#\/s\/([\w-]+)$/.exec(location.hash);
  if (m) openSession(m[1]);
}

window.addEventListener('hashchange', () => {
  if (auth.accessToken()) openFromHash();
});

function closeSession() {
  if (ui.socket) ui.socket.stop();
  ui.socket = null;
  ui.current = null;
  ui.byMessageId.clear();
  ui.byClientId.clear();
  ui.streaming = null;
  ui.turn = null;
  ui.held = null;
  $('messages').replaceChildren();
  $('session-title').textContent = 'No conversation open';
  $('chat-actions').hidden = true;
  $('composer-input').disabled = true;
  $('send').disabled = true;
  $('stop').hidden = true;
  setConn('offline');
}

async function openSession(id) {
  if (ui.current && ui.current.id === id) return;
  closeSession();
  ui.current = { id, title: '' };
  for (const b of document.querySelectorAll('#session-list button')) b.removeAttribute('aria-current');
  document.querySelector(`#session-list li[data-id="${CSS.escape(id)}"] button`)?.setAttribute('aria-current', 'true');
  $('chat-actions').hidden = false;
  const label = document.querySelector(`#session-list li[data-id="${CSS.escape(id)}"] button`);
  $('session-title').textContent = label ? label.textContent : 'Conversation';
  ui.current.title = $('session-title').textContent;
  const socket = new SessionSocket(id, {
    onEvent: (ev) => {
      if (ui.socket !== socket) return;
      if (ui.held) ui.held.push(ev); else handleEvent(ev);
    },
    onStatus: (s) => { if (ui.socket === socket) setConn(s); },
    onReady: (ready) => {
      if (ui.socket !== socket) return;
      // what the last (re)connect got: resumed with last_event_id, and whether every missed event was replayed
      $('conn').dataset.resumed = String(!!ready.resumed);
      $('conn').dataset.recovered = String(!!ready.recovered);
      $('conn').dataset.replayed = String(ready.replayed ?? 0);
      // First open, or the stream no longer reaches back: the history is the source of truth.
      // The relay then replays the answer in flight from its start; those events wait for the history.
      if (!ready.resumed || !ready.recovered) {
        ui.held = ui.held || [];
        loadHistory().finally(() => {
          if (ui.socket !== socket) return;
          const held = ui.held || [];
          ui.held = null;
          for (const ev of held) handleEvent(ev);
        });
      }
    },
    onGone: () => { showError(new Error('This conversation no longer exists.')); closeSession(); },
  });
  ui.socket = socket;
  socket.start();
  $('composer-input').disabled = false;
  $('send').disabled = false;
}

async function loadHistory() {
  const id = ui.current?.id;
  if (!id) return;
  const items = [];
  try {
    let after = null;
    for (let page = 0; page < 20; page++) {
      const r = await api.messages(id, after);
      items.push(...(r.items || []));
      if (r.next_after_seq == null) break;
      after = r.next_after_seq;
    }
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) { showError(new Error('This conversation no longer exists.')); closeSession(); return; }
    showError(err);
    return;
  }
  if (!ui.current || ui.current.id !== id) return;
  // Replace everything with the stored history; an answer in flight is replayed from its start after it.
  ui.turnStarted = false;
  // our sends the history does not hold yet stay, after it
  const unsettled = [...ui.byClientId.entries()].filter(([, e]) => e.node.classList.contains('pending') || e.node.classList.contains('unsent'));
  $('messages').replaceChildren();
  ui.byMessageId.clear();
  ui.byClientId.clear();
  for (const m of items) {
    const entry = addMessage(m.id, m.role, m.content, { clientId: m.client_message_id });
    entry.fromHistory = true;
    const meta = parseMeta(m.metadata);
    // events name an answer by chat-service's message id: the stored answer's id (also metadata.message_id);
    // answers stored before the turn routes kept it as client_message_id
    if (m.role === 'assistant') {
      const eventId = meta.message_id || m.client_message_id || m.id;
      if (eventId) ui.byMessageId.set(eventId, entry);
      if (meta.cancelled || meta.finish_reason === 'cancelled') markStopped(entry);
    }
    for (const t of meta.tool_calls || []) addTool(entry, t.tool || t.name, { ok: t.ok !== false, summary: t.summary || '' });
  }
  for (const [clientId, entry] of unsettled) {
    if (ui.byClientId.has(clientId)) continue;
    ui.byClientId.set(clientId, entry);
    $('messages').append(entry.node);
  }
  scrollToEnd();
}

function parseMeta(meta) {
  if (!meta) return {};
  if (typeof meta === 'object') return meta;
  try { return JSON.parse(meta); } catch { return {}; }
}

function addMessage(messageId, role, content, { clientId, streaming = false } = {}) {
  const node = el('article', `msg ${role === 'user' ? 'user' : 'assistant'}`);
  node.setAttribute('aria-label', role === 'user' ? 'You' : 'Assistant');
  const tools = el('div', 'tools');
  const body = el('div', 'body');
  node.append(tools, body);
  const entry = { node, body, tools, role, content: content || '', streamed: null, streaming, toolNodes: new Map() };
  if (role !== 'user') node.append(copyButton('Copy answer', () => entry.content));
  if (messageId) ui.byMessageId.set(messageId, entry);
  if (clientId) ui.byClientId.set(clientId, entry);
  paint(entry);
  $('messages').append(node);
  return entry;
}

function paint(entry) {
  if (entry.role === 'user') entry.body.textContent = entry.content; // user text is shown as typed
  else { renderMarkdown(entry.body, entry.content); decorateCode(entry.body); }
  entry.node.classList.toggle('streaming', entry.streaming);
}

// Coalesce re-renders of a streaming answer to one per frame.
function repaint(entry) {
  if (ui.renderQueued.has(entry)) return;
  ui.renderQueued.add(entry);
  requestAnimationFrame(() => {
    ui.renderQueued.delete(entry);
    paint(entry);
    scrollToEnd(true);
  });
}

function addTool(entry, tool, finished) {
  let chip = entry.toolNodes.get(tool);
  if (!chip) {
    chip = el('div', 'tool');
    entry.toolNodes.set(tool, chip);
    entry.tools.append(chip);
  }
  if (!finished) {
    chip.className = 'tool running';
    chip.textContent = `Using ${tool}…`;
  } else {
    chip.className = `tool ${finished.ok ? 'ok' : 'failed'}`;
    chip.textContent = `${finished.ok ? '✓' : '✗'} ${tool}${finished.summary ? ` — ${finished.summary}` : ''}`;
  }
}

function assistantEntry(messageId) {
  let entry = ui.byMessageId.get(messageId);
  if (!entry) entry = addMessage(messageId, 'assistant', '', { streaming: true });
  return entry;
}

function setGenerating(messageId) {
  ui.streaming = messageId;
  if (messageId && ui.turn && !ui.turn.messageId) learnTurnId(messageId);
  updateStop();
}

// Stop is offered from send until the answer ends (completed, failed or refused).
function updateStop() {
  const busy = !!(ui.streaming || ui.turn);
  $('stop').hidden = !busy;
  if (!busy) { $('stop').disabled = false; $('stop').textContent = 'Stop'; }
  $('messages').setAttribute('aria-busy', busy ? 'true' : 'false');
}

function learnTurnId(messageId) {
  ui.turn.messageId = messageId;
  if (ui.turn.stopRequested && ui.socket) ui.socket.send({ type: 'cancel', message_id: messageId });
}

function endTurn(messageId) {
  if (ui.streaming === messageId) ui.streaming = null;
  if (ui.turn && (!ui.turn.messageId || ui.turn.messageId === messageId)) ui.turn = null;
  updateStop();
}

function markStopped(entry) {
  entry.node.classList.add('stopped');
  if (!entry.node.querySelector('.failure')) entry.node.append(el('p', 'failure', 'Stopped.'));
}

function handleEvent(ev) {
  switch (ev.type) {
    case 'message.created': {
      ui.turnStarted = true;
      if (ev.client_message_id) ui.socket?.settle(ev.client_message_id);
      if (ui.byMessageId.has(ev.message_id)) return;
      const pending = ev.client_message_id ? ui.byClientId.get(ev.client_message_id) : null;
      if (pending) {
        pending.node.classList.remove('pending');
        ui.byMessageId.set(ev.message_id, pending);
        return;
      }
      addMessage(ev.message_id, ev.role, ev.content, { clientId: ev.client_message_id, streaming: ev.role !== 'user' && !ev.content });
      scrollToEnd(true);
      break;
    }
    case 'accepted':
      ui.socket?.settle(ev.client_message_id);
      if (ui.turn && ui.turn.clientId === ev.client_message_id && !ui.turn.messageId) learnTurnId(ev.message_id);
      break;
    case 'message.delta': {
      const entry = assistantEntry(ev.message_id);
      if (!entry.streaming) { entry.streaming = true; $('announcer').textContent = 'Assistant is answering…'; }
      // the stored answer so far (a checkpoint) gives way to the replayed turn, which starts at its beginning
      if (entry.fromHistory && entry.streamed === null && ui.turnStarted) entry.content = '';
      entry.content += ev.delta || '';
      entry.streamed = (entry.streamed ?? '') + (ev.delta || '');
      setGenerating(ev.message_id);
      repaint(entry);
      break;
    }
    case 'tool.started':
      addTool(assistantEntry(ev.message_id), ev.tool);
      setGenerating(ev.message_id);
      break;
    case 'tool.finished':
      addTool(assistantEntry(ev.message_id), ev.tool, { ok: ev.ok !== false, summary: ev.summary || '' });
      break;
    case 'message.completed': {
      const entry = assistantEntry(ev.message_id);
      entry.streaming = false;
      // Whether the deltas this page saw add up to the stored answer (none lost or repeated, also across a
      // reconnect); shown as data-stream on the bubble, harmless, and what the end-to-end test checks.
      if (entry.streamed !== null && typeof ev.content === 'string') {
        entry.node.dataset.stream = entry.streamed === ev.content ? 'complete' : 'diverged';
      }
      if (typeof ev.content === 'string') entry.content = ev.content;
      paint(entry);
      const stopped = ev.cancelled === true || ev.finish_reason === 'cancelled';
      if (stopped) markStopped(entry);
      endTurn(ev.message_id);
      $('announcer').textContent = stopped ? 'Stopped.' : `Assistant: ${entry.content.slice(0, 500)}`;
      scrollToEnd(true);
      break;
    }
    case 'message.failed': {
      const entry = assistantEntry(ev.message_id);
      entry.streaming = false;
      paint(entry);
      const note = el('p', 'failure', ev.error?.code === 'cancelled' ? 'Stopped.' : `The answer failed: ${ev.error?.message || 'unknown error'}${ev.retryable ? ' (you can try again)' : ''}`);
      entry.node.append(note);
      if (ev.error?.code === 'cancelled') entry.node.classList.add('stopped');
      endTurn(ev.message_id);
      $('announcer').textContent = note.textContent;
      break;
    }
    case 'session.updated':
      if (ev.title) updateSessionTitle(ev.session_id, ev.title);
      break;
    case 'error':
      if (ev.code === 'send_failed') {
        // sent again after a reconnect, and already running from the first time: not a failure
        if (ev.status === 409 && ui.socket?.wasResent(ev.client_message_id)) { ui.socket.settle(ev.client_message_id); break; }
        ui.socket?.settle(ev.client_message_id);
        const entry = ev.client_message_id ? ui.byClientId.get(ev.client_message_id) : null;
        if (entry) markUnsent(entry, ev.client_message_id);
        if (ui.turn && ui.turn.clientId === ev.client_message_id) { ui.turn = null; updateStop(); }
        showError(new Error(ev.status === 429 ? 'Slow down a little: too many messages.' : 'Your message could not be sent.'));
      } else if (ev.code !== 'history_reload_required') {
        showError(new Error(ev.message || 'Something went wrong.'));
      }
      break;
    default:
      break; // typing and future event types
  }
}

// ---------- composer ----------
$('composer').addEventListener('submit', (e) => { e.preventDefault(); sendMessage(); });
$('composer-input').addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); sendMessage(); }
});
$('stop').addEventListener('click', () => {
  if (!ui.socket) return;
  const messageId = ui.streaming || ui.turn?.messageId;
  if (messageId) ui.socket.send({ type: 'cancel', message_id: messageId });
  else if (ui.turn) ui.turn.stopRequested = true; // cancelled as soon as the answer's id is known
  else return;
  $('stop').disabled = true;
  $('stop').textContent = 'Stopping…';
});

function sendMessage() {
  const input = $('composer-input');
  const content = input.value.trim();
  if (!content || !ui.socket) return;
  const clientId = crypto.randomUUID();
  const entry = addMessage(null, 'user', content, { clientId });
  entry.node.dataset.clientId = clientId;
  submit(entry, clientId);
  input.value = '';
  scrollToEnd();
}

// Shown at once as pending; the socket sends it when it is ready (now, or once it has (re)connected).
function submit(entry, clientId) {
  entry.node.classList.remove('unsent');
  entry.node.querySelector('.retry')?.remove();
  entry.node.classList.add('pending');
  ui.socket.sendMessage({ type: 'message.send', content: entry.content, client_message_id: clientId });
  ui.turn = { clientId, messageId: null, stopRequested: false };
  updateStop();
  $('chat-error').textContent = '';
}

// A real refusal (not a timing matter): the message stays, with a retry under the same client_message_id.
function markUnsent(entry, clientId) {
  entry.node.classList.add('unsent');
  entry.node.classList.remove('pending');
  if (entry.node.querySelector('.retry')) return;
  const b = el('button', 'retry secondary', 'Retry');
  b.type = 'button';
  b.addEventListener('click', () => { if (ui.socket) submit(entry, clientId); });
  entry.node.append(b);
}

// ---------- bits ----------
function setConn(s) {
  const text = { online: 'connected', connecting: 'connecting…', offline: 'reconnecting…', 'signed-out': 'signed out' }[s] || s;
  $('conn').dataset.state = s;
  $('conn-text').textContent = ui.current || s === 'signed-out' ? text : 'idle';
  if (s === 'signed-out') { closeSession(); showLogin('Your sign-in expired. Sign in again.'); }
}

function scrollToEnd(onlyIfNear = false) {
  const box = $('messages');
  if (onlyIfNear && box.scrollHeight - box.scrollTop - box.clientHeight > 200) return;
  box.scrollTop = box.scrollHeight;
}

function showError(err) {
  if (err instanceof ApiError && err.status === 401) { showLogin('Your sign-in expired. Sign in again.'); return; }
  $('chat-error').textContent = err.message || 'Something went wrong.';
}

function ask(title, text, value) {
  const d = $('dialog');
  $('dialog-title').textContent = title;
  $('dialog-text').textContent = text || '';
  const withInput = value !== undefined;
  $('dialog-input').hidden = !withInput;
  $('dialog-label').hidden = !withInput;
  $('dialog-input').value = value || '';
  return new Promise((resolve) => {
    d.onclose = () => resolve(d.returnValue === 'ok' ? (withInput ? $('dialog-input').value.trim() : true) : null);
    d.returnValue = '';
    d.showModal();
    if (withInput) $('dialog-input').focus();
  });
}

function closeSidebar() {
  document.body.classList.remove('sidebar-open');
  $('toggle-sidebar').setAttribute('aria-expanded', 'false');
}
$('toggle-sidebar').addEventListener('click', () => {
  const open = document.body.classList.toggle('sidebar-open');
  $('toggle-sidebar').setAttribute('aria-expanded', String(open));
});
document.addEventListener('keydown', (e) => { if (e.key === 'Escape') closeSidebar(); });

// ---------- start ----------
(async function start() {
  const linkToken = auth.takeLinkToken();
  if (linkToken) { await completeLink(linkToken); return; }
  const ok = await auth.refresh().catch(() => false);
  if (!ok) showLogin();
})();
