import * as auth from './auth.js';
import { sessions as api, ApiError } from './api.js';
import { SessionSocket } from './socket.js';
import { initial, reduce } from './conversation.js';
import { createBranching } from './branching.js';
import { MessageList } from './messages.js';
import { $, closeSidebar } from './dom.js';
import { showLogin, showApp, completeLink } from './login.js';
import { createSidebar } from './sidebar.js';
import { createWatchers } from './watchers.js';

const ui = {
  current: null, // {id, title}
  socket: null,
  state: initial(), // the open conversation (conversation.js), changed only by dispatch()
  stopRequested: false, // Stop pressed before the answer's id was known
  held: null, // events that arrived while the history loads: applied after it, in order
};

// Edit, Regenerate and the version switcher (branching.js)
const branching = createBranching(ui, { dispatch, submit, loadHistory, showError });

// a refused message is sent again under its own client_message_id (an edit stays an edit)
const list = new MessageList($('messages'), {
  onRetry: (msg) => { if (ui.socket) submit(msg.clientId, msg.content, msg.editOf); },
  onPaint: () => scrollToEnd(true),
  ...branching,
});

const { loadSessions, updateSessionTitle, markUnread, titleOf } = createSidebar(ui, { showError, closeSession });
// sessions left with an answer in flight keep their socket until it ends; one that completed is marked
const watchers = createWatchers({ paint: markUnread, onTitle: updateSessionTitle });

// ---------- session of the signed-in user ----------

$('logout').addEventListener('click', async () => {
  closeSession();
  watchers.reset();
  await auth.logout().catch(() => {});
});

auth.onChange(({ signedIn }) => {
  if (signedIn) {
    if ($('app-view').hidden) { showApp(); loadSessions(); openFromHash(); }
    $('who').textContent = auth.user()?.email || '';
  } else {
    closeSession();
    watchers.reset();
    showLogin();
  }
});

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
  if (ui.current && ui.socket) {
    // an answer still running (or a send not out yet) goes on in the background, on the same socket
    watchers.leave(ui.current.id, ui.socket, !!(ui.state.turn || ui.state.streaming));
    ui.socket = null;
  }
  closeSession();
  watchers.opened(id); // its background socket (if any) closes: the new one replays the answer in flight
  ui.current = { id, title: '' };
  for (const b of document.querySelectorAll('#session-list button')) b.removeAttribute('aria-current');
  document.querySelector(`#session-list li[data-id="${CSS.escape(id)}"] button`)?.setAttribute('aria-current', 'true');
  $('chat-actions').hidden = false;
  $('session-title').textContent = titleOf(id) ?? 'Conversation';
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
  // a turn that changed the branch ended: the history holds the versions it made
  if (ui.state.stale && !before.stale) loadHistory();
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
// under the same client_message_id, so a retry is never a duplicate. `editOf`: the user message it is a new
// version of (that one and all after it leave the view).
function submit(clientId, content, editOf) {
  ui.stopRequested = false;
  dispatch({ type: 'send', client_id: clientId, content, edit_of: editOf || undefined });
  const frame = { type: 'message.send', content, client_message_id: clientId };
  if (editOf) frame.edit_of = editOf;
  ui.socket.sendMessage(frame);
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
