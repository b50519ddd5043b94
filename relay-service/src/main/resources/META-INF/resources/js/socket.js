// One WebSocket per open session, with resume (last_event_id), backoff and the relay's close codes:
//   4001 token expired -> refresh, reconnect at once      1012 server restart -> reconnect after `reconnect.delay_ms`
//   1013 too slow / 1001 idle / 1006 dropped -> backoff    1008 rate / 1009 too big -> backoff (client bug)
import { accessToken, refresh } from './auth.js';

const PING_EVERY = 25000;
const PONG_WITHIN = 10000;

export class SessionSocket {
  constructor(sessionId, { onEvent, onStatus, onReady, onGone }) {
    this.sessionId = sessionId;
    this.onEvent = onEvent;
    this.onStatus = onStatus;
    this.onReady = onReady;
    this.onGone = onGone;
    // Per session in sessionStorage for plain reconnects. A fresh open deliberately starts without it: the page
    // then loads the history and the relay replays the answer in flight from its start (see relay README).
    this.storageKey = `chat-last-event-id:${sessionId}`;
    this.lastEventId = null;
    this.isReady = false;
    // message.send frames by client_message_id until the relay took them (accepted) or refused them: a send is
    // queued while the socket opens or reconnects and goes out on `ready`, always with the same id.
    this.outbox = new Map();
    this.attempt = 0;
    this.failuresBeforeOpen = 0;
    this.closedByUs = false;
    this.nextDelay = null;
    this.ws = null;
    this.timers = new Set();
    this.online = () => { if (!this.ws) this.reconnectNow(); };
    window.addEventListener('online', this.online);
  }

  start() {
    this.connect();
  }

  /** New callbacks for the same connection: a session left with its answer in flight keeps it (watchers.js). */
  rebind({ onEvent, onStatus, onReady, onGone }) {
    Object.assign(this, { onEvent, onStatus, onReady, onGone });
  }

  stop() {
    this.closedByUs = true;
    window.removeEventListener('online', this.online);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    clearInterval(this.pinger);
    if (this.ws) this.ws.close(1000, 'bye');
    this.ws = null;
  }

  later(fn, ms) {
    const t = setTimeout(() => { this.timers.delete(t); fn(); }, ms);
    this.timers.add(t);
  }

  reconnectNow() {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.connect();
  }

  async connect() {
    if (this.closedByUs) return;
    this.onStatus('connecting');
    let token = accessToken();
    if (!token) {
      const ok = await refresh().catch(() => false);
      // stop() may have run while the refresh was in flight (session closed, page switched)
      if (this.closedByUs) return;
      token = accessToken();
      if (!ok || !token) { this.onStatus('signed-out'); return; }
    }
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const query = this.lastEventId ? `?last_event_id=${encodeURIComponent(this.lastEventId)}` : '';
    const url = `${scheme}://${location.host}/ws/sessions/${encodeURIComponent(this.sessionId)}${query}`;
    // The token rides in the subprotocol list (never in the URL); the relay answers with "quarkus".
    const ws = new WebSocket(url, ['quarkus', encodeURIComponent(`quarkus-http-upgrade#Authorization#Bearer ${token}`)]);
    this.ws = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      this.failuresBeforeOpen = 0;
      this.lastFrameAt = Date.now();
      clearInterval(this.pinger);
      this.pinger = setInterval(() => this.heartbeat(), PING_EVERY);
    };
    ws.onmessage = (m) => {
      this.lastFrameAt = Date.now();
      let ev;
      try { ev = JSON.parse(m.data); } catch { return; }
      if (ev.id) this.rememberEventId(ev.id);
      switch (ev.type) {
        case 'ready':
          this.attempt = 0;
          this.isReady = true;
          this.onStatus('online');
          this.onReady(ev);
          this.flushOutbox();
          break;
        case 'reconnect':
          this.nextDelay = Number(ev.delay_ms) || 1000;
          break;
        case 'pong':
          break;
        default:
          this.onEvent(ev);
      }
    };
    ws.onclose = (e) => {
      clearInterval(this.pinger);
      if (this.ws === ws) this.isReady = false;
      if (this.ws === ws) this.ws = null;
      if (this.closedByUs) return;
      this.onStatus('offline');
      if (!opened) this.failuresBeforeOpen++;
      if (e.code === 4001) {
        refresh().then((ok) => {
          if (this.closedByUs) return;
          if (ok) this.reconnectNow(); else this.onStatus('signed-out');
        }, () => this.backoff());
      } else if (e.code === 1012 && this.nextDelay !== null) {
        const d = this.nextDelay;
        this.nextDelay = null;
        this.later(() => this.connect(), d);
      } else if (!opened && this.failuresBeforeOpen >= 2) {
        // A refused upgrade shows up as 1006 without a status: refresh, then check the session still exists.
        this.checkAfterRefusal();
      } else {
        this.backoff();
      }
    };
  }

  async checkAfterRefusal() {
    const ok = await refresh().catch(() => false);
    if (this.closedByUs) return;
    if (!ok) { this.onStatus('signed-out'); return; }
    try {
      const res = await fetch(`/api/sessions/${encodeURIComponent(this.sessionId)}`, { headers: { Authorization: `Bearer ${accessToken()}` } });
      if (res.status === 404) { this.onGone(); this.stop(); return; }
    } catch { /* network: keep trying */ }
    this.backoff();
  }

  backoff() {
    const base = Math.min(30000, 500 * 2 ** Math.min(this.attempt, 6));
    this.attempt++;
    this.later(() => this.connect(), base / 2 + Math.random() * (base / 2));
  }

  heartbeat() {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return;
    if (Date.now() - this.lastFrameAt > PING_EVERY + PONG_WITHIN) {
      this.ws.close(4000, 'heartbeat lost'); // triggers onclose -> backoff with resume
      return;
    }
    this.send({ type: 'ping' });
  }

  rememberEventId(id) {
    this.lastEventId = id;
    try { sessionStorage.setItem(this.storageKey, id); } catch { /* storage full or off: memory is enough */ }
  }

  /** Queues a message.send; it goes out now if the socket is ready, else on the next `ready`. */
  sendMessage(frame) {
    const item = { frame, sent: false, resent: false };
    this.outbox.set(frame.client_message_id, item);
    if (this.send(frame)) item.sent = true;
  }

  /** The relay answered for this client_message_id (accepted, refused, or its message.created arrived). */
  settle(clientId) {
    this.outbox.delete(clientId);
  }

  /** Whether this send was written to an earlier socket and sent again (a 409 for it means it is running). */
  wasResent(clientId) {
    return !!this.outbox.get(clientId)?.resent;
  }

  flushOutbox() {
    for (const item of this.outbox.values()) {
      if (item.sent) item.resent = true; // its socket closed before the relay answered: same id, never a duplicate
      if (this.send(item.frame)) item.sent = true;
    }
  }

  send(frame) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN || !this.isReady) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }
}
