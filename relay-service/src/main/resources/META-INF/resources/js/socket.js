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
    this.lastEventId = null;
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
      if (ev.id) this.lastEventId = ev.id;
      switch (ev.type) {
        case 'ready':
          this.attempt = 0;
          this.onStatus('online');
          this.onReady(ev);
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

  send(frame) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }
}
