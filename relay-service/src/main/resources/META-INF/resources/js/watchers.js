// The sockets of sessions the user left with an answer in flight, and the sidebar's "new answer" marks.
// The page has a socket only for the open session, so an answer running elsewhere would end unheard: instead the
// open session's socket is kept (handed over here) until its answer ends. The rules are background.js's (pure);
// this keeps the sockets, the marks and their sessionStorage copy in step with them.
import { initial, track } from './background.js';

const STORAGE_KEY = 'chat-unread'; // per tab, so the marks survive a reload like the last event ids do

/** {@code paint(ids)} shows the marks (sidebar.js); {@code onTitle(id, title)} a title set in the background. */
export function createWatchers({ paint, onTitle }) {
  let state = initial(load());
  const sockets = new Map(); // session id -> its SessionSocket, while watched

  function apply(ev) {
    const before = state;
    state = track(state, ev);
    for (const [id, socket] of sockets) {
      if (!state.watching.includes(id)) { socket.stop(); sockets.delete(id); }
    }
    if (state.unread !== before.unread) { save(state.unread); paint(state.unread); }
  }

  /** The user switches away from session `id`: its socket goes on while its answer runs (busy), else closes. */
  function leave(id, socket, busy) {
    apply({ type: 'left', session_id: id, busy });
    if (!state.watching.includes(id)) { socket.stop(); return; }
    sockets.set(id, socket);
    socket.rebind({
      onEvent: (ev) => onEvent(id, socket, ev),
      onStatus: (s) => { if (s === 'signed-out') apply({ type: 'forget', session_id: id }); },
      onReady: (ready) => apply({ ...ready, type: 'ready', session_id: id }),
      onGone: () => apply({ type: 'forget', session_id: id }),
    });
  }

  function onEvent(id, socket, ev) {
    // the socket's outbox still works: a send not out yet when the user switched goes out on its next `ready`
    if (ev.type === 'message.created' && ev.client_message_id) socket.settle(ev.client_message_id);
    if (ev.type === 'accepted') socket.settle(ev.client_message_id);
    if (ev.type === 'session.updated' && ev.title) onTitle(id, ev.title);
    if (ev.type === 'error' && ev.code === 'send_failed') {
      const running = ev.status === 409 && socket.wasResent(ev.client_message_id); // as in app.js: not a failure
      socket.settle(ev.client_message_id);
      if (!running) apply({ type: 'send_failed', session_id: id });
      return;
    }
    apply({ ...ev, session_id: id });
  }

  paint(state.unread);
  return {
    leave,
    opened: (id) => apply({ type: 'opened', session_id: id }),
    reset: () => apply({ type: 'reset' }),
  };
}

function load() {
  try {
    const ids = JSON.parse(sessionStorage.getItem(STORAGE_KEY) || '[]');
    return Array.isArray(ids) ? ids.filter((x) => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

function save(ids) {
  try { sessionStorage.setItem(STORAGE_KEY, JSON.stringify(ids)); } catch { /* storage off: memory is enough */ }
}
