import * as auth from './auth.js';
import { sessions as api, ApiError } from './api.js';
import { SessionSocket } from './socket.js';
import { renderSnippet } from './render.js';
import { initial, reduce } from './conversation.js';
import { MessageList } from './messages.js';

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
  state: initial(), // the open conversation (conversation.js), changed only by dispatch()
  stopRequested: false, // Stop pressed before the answer's id was known
  held: null, // events that arrived while the history loads: applied after it, in order
  cursor: null,
};

// a refused message is sent again under its own client_message_id
const list = new MessageList($('messages'), {
  onRetry: (msg) => { if (ui.socket) submit(msg.clientId, msg.content); },
  onPaint: () => scrollToEnd(true),
});

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
  ui.state = initial();
  ui.stopRequested = false;
  ui.held = null;
  list.clear();
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
  dispatch({ type: 'history', items }, true);
  scrollToEnd();
}

/** The one way the conversation changes: reduce, then paint what changed and do the side effects. */
function dispatch(ev, rebuild = false) {
  const before = ui.state;
  ui.state = reduce(before, ev);
  list.render(ui.state, rebuild);
  const turn = ui.state.turn;
  // Stop pressed before the answer's id was known: cancel as soon as it is
  if (turn && turn.messageId && ui.stopRequested && !(before.turn && before.turn.messageId)) {
    ui.socket?.send({ type: 'cancel', message_id: turn.messageId });
  }
  if (!turn && !ui.state.streaming) ui.stopRequested = false;
  updateStop();
}

function answerOf(ev) {
  const key = ui.state.ids[ev.message_id];
  return key ? ui.state.byKey[key] : null;
}

function handleEvent(ev) {
  switch (ev.type) {
    case 'message.created':
      if (ev.client_message_id) ui.socket?.settle(ev.client_message_id);
      dispatch(ev);
      scrollToEnd(true);
      break;
    case 'accepted':
      ui.socket?.settle(ev.client_message_id);
      dispatch(ev);
      break;
    case 'message.delta': {
      const was = answerOf(ev);
      dispatch(ev);
      if (!was || !was.streaming) $('announcer').textContent = 'Assistant is answering…';
      break;
    }
    case 'tool.started':
    case 'tool.finished':
      dispatch(ev);
      break;
    case 'message.completed': {
      dispatch(ev);
      const m = answerOf(ev);
      $('announcer').textContent = m?.stopped ? 'Stopped.' : `Assistant: ${(m?.content || '').slice(0, 500)}`;
      scrollToEnd(true);
      break;
    }
    case 'message.failed':
      dispatch(ev);
      $('announcer').textContent = answerOf(ev)?.failure || '';
      break;
    case 'session.updated':
      if (ev.title) updateSessionTitle(ev.session_id, ev.title);
      break;
    case 'error':
      if (ev.code === 'send_failed') {
        // sent again after a reconnect, and already running from the first time: not a failure
        if (ev.status === 409 && ui.socket?.wasResent(ev.client_message_id)) { ui.socket.settle(ev.client_message_id); break; }
        ui.socket?.settle(ev.client_message_id);
        dispatch({ type: 'send_failed', client_message_id: ev.client_message_id });
        showError(new Error(ev.status === 429 ? 'Slow down a little: too many messages.' : 'Your message could not be sent.'));
      } else if (ev.code !== 'history_reload_required') {
        showError(new Error(ev.message || 'Something went wrong.'));
      }
      break;
    default:
      break; // typing and future event types
  }
}

// Stop is offered from send until the answer ends (completed, failed or refused).
function updateStop() {
  const busy = !!(ui.state.streaming || ui.state.turn);
  $('stop').hidden = !busy;
  if (!busy) { $('stop').disabled = false; $('stop').textContent = 'Stop'; }
  $('messages').setAttribute('aria-busy', busy ? 'true' : 'false');
}

// ---------- composer ----------
$('composer').addEventListener('submit', (e) => { e.preventDefault(); sendMessage(); });
$('composer-input').addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); sendMessage(); }
});
$('stop').addEventListener('click', () => {
  if (!ui.socket) return;
  const messageId = ui.state.streaming || ui.state.turn?.messageId;
  if (messageId) ui.socket.send({ type: 'cancel', message_id: messageId });
  else if (ui.state.turn) ui.stopRequested = true; // cancelled as soon as the answer's id is known
  else return;
  $('stop').disabled = true;
  $('stop').textContent = 'Stopping…';
});

function sendMessage() {
  const input = $('composer-input');
  const content = input.value.trim();
  if (!content || !ui.socket) return;
  submit(crypto.randomUUID(), content);
  input.value = '';
  scrollToEnd();
}

// Shown at once as pending; the socket sends it when it is ready (now, or once it has (re)connected), always
// under the same client_message_id, so a retry is never a duplicate.
function submit(clientId, content) {
  ui.stopRequested = false;
  dispatch({ type: 'send', client_id: clientId, content });
  ui.socket.sendMessage({ type: 'message.send', content, client_message_id: clientId });
  $('chat-error').textContent = '';
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
