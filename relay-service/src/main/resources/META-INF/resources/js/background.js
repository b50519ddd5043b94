// Answers that finish in sessions not on screen, as data, and the pure function that moves it on:
// track(state, event) -> state. No DOM, no sockets (watchers.js does those; `node --test` checks the rules).
//   watching  sessions left with an answer in flight: the page keeps their socket until that answer ends
//   unread    sessions whose answer completed while they were not on screen: marked until opened
// Events: the page's own (left, opened, forget, reset) and a watched socket's frames (ready, message.completed,
// message.failed, send_failed), each with the session_id it came from.

// Sockets the page keeps for sessions not on screen; the relay allows a user 20 (tabs x sessions).
export const MAX_WATCHED = 5;

export function initial(unread = []) {
  return { watching: [], unread: [...new Set(unread)] };
}

const add = (list, id) => (list.includes(id) ? list : [...list, id]);
const remove = (list, id) => (list.includes(id) ? list.filter((x) => x !== id) : list);

function stopWatching(state, id) {
  const watching = remove(state.watching, id);
  return watching === state.watching ? state : { ...state, watching };
}

export function track(state, ev) {
  const id = ev.session_id;
  switch (ev.type) {
    case 'left': // the user switched away from `id`; busy: its answer was still running (or its send not out yet)
      if (!ev.busy || state.watching.length >= MAX_WATCHED) return state;
      return { ...state, watching: add(state.watching, id) };
    case 'opened': // on screen now: its own socket shows the answer, and the news is read
    case 'forget': // deleted, or gone
      return { watching: remove(state.watching, id), unread: remove(state.unread, id) };
    case 'reset': // signed out
      return initial();
    default:
      return state.watching.includes(id) ? watched(state, id, ev) : state;
  }
}

/** A frame of a watched session's socket. A session runs one turn at a time, so any end is the end. */
function watched(state, id, ev) {
  switch (ev.type) {
    case 'message.completed': {
      const stopped = ev.cancelled === true || ev.finish_reason === 'cancelled'; // the user's own Stop: no news
      const next = stopWatching(state, id);
      return stopped ? next : { ...next, unread: add(next.unread, id) };
    }
    case 'message.failed':
    case 'send_failed':
      return stopWatching(state, id);
    case 'ready':
      // A reconnect whose missed events are gone and with no turn in flight to replay: the answer ended while
      // the socket was away, how is unknown; nothing more will come.
      return ev.resumed && !ev.recovered && !ev.replayed ? stopWatching(state, id) : state;
    default:
      return state;
  }
}
