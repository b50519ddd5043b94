// BENCHMARK BASELINE ONLY, not part of the platform.
// A minimal reference relay built from the npm `ws` and `ioredis` packages, doing relay-service's fan-out job
// so bench/relay-fanout can measure both in the same run:
//   GET /ws/sessions/{sid} (WebSocket) -> SUBSCRIBE chat:events:{sid} (one subscriber connection for the whole
//   process, one SUBSCRIBE per session, UNSUBSCRIBE when its last client leaves) -> a `ready` frame -> every
//   published event forwarded as the same JSON text frame, each stream `id` once and in order.
// Deliberately left out (say so when quoting numbers): JWT verification (the token subprotocol only has to be
// present), the session-ownership call to session-service, resume from chat:stream:{sid} (last_event_id),
// inbound frames other than ping, metrics, idle timeouts, graceful drain. The Origin check and the slow-consumer
// close (1013 above 1 MiB queued) are kept, as relay-service does them per frame/handshake.
'use strict';
const http = require('http');
const crypto = require('crypto');
const { WebSocketServer } = require('ws');
const Redis = require('ioredis');

const PORT = parseInt(process.env.PORT || '28095', 10);
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const ORIGINS = (process.env.CORS_ORIGINS || 'http://localhost:8080').split(',').map((s) => s.trim());
const MAX_PENDING = 1024 * 1024;
const SID = /^\/ws\/sessions\/([A-Za-z0-9_-]{1,64})(\?.*)?$/;
const TOKEN_PROTOCOL = 'quarkus-http-upgrade#Authorization#Bearer ';

const sub = new Redis(REDIS_URL, { connectionName: 'relay-baseline-' + process.pid });
const clients = new Map(); // sid -> Set<ws>
let delivered = 0;

// "a stream id once, in order": ids compare as milliseconds, then sequence
function after(id, last) {
  if (!last) return true;
  const [a1, a2] = id.split('-').map(Number);
  const [b1, b2] = last.split('-').map(Number);
  return a1 > b1 || (a1 === b1 && a2 > b2);
}

sub.on('message', (channel, text) => {
  const sid = channel.slice('chat:events:{'.length, -1);
  const set = clients.get(sid);
  if (!set) return;
  let ev;
  try { ev = JSON.parse(text); } catch (e) { return; }
  for (const ws of set) {
    if (ev.id) {
      if (!after(ev.id, ws.lastId)) continue;
      ws.lastId = ev.id;
    }
    if (ws.bufferedAmount > MAX_PENDING) { ws.close(1013, 'slow consumer'); continue; }
    ws.send(text);
    delivered++;
  }
});

const server = http.createServer((req, res) => {
  if (req.url === '/q/health/ready') {
    const up = sub.status === 'ready';
    res.writeHead(up ? 200 : 503, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ status: up ? 'UP' : 'DOWN', connections: [...clients.values()].reduce((n, s) => n + s.size, 0), delivered }));
    return;
  }
  res.writeHead(404);
  res.end();
});

const wss = new WebSocketServer({
  noServer: true,
  perMessageDeflate: false,
  handleProtocols: (protocols) => (protocols.has('quarkus') ? 'quarkus' : false),
});

function refuse(socket, status) {
  socket.write(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

server.on('upgrade', (req, socket, head) => {
  const m = SID.exec(req.url);
  if (!m) return refuse(socket, 400);
  if (!ORIGINS.includes(req.headers.origin)) return refuse(socket, 403);
  const protocols = (req.headers['sec-websocket-protocol'] || '').split(',').map((p) => decodeURIComponent(p.trim()));
  const token = protocols.find((p) => p.startsWith(TOKEN_PROTOCOL));
  // trivial authentication: a JWT-shaped bearer must be there; it is not verified
  if (!token || token.slice(TOKEN_PROTOCOL.length).split('.').length !== 3) return refuse(socket, 401);
  const sid = m[1];
  wss.handleUpgrade(req, socket, head, async (ws) => {
    let set = clients.get(sid);
    const first = !set;
    if (first) { set = new Set(); clients.set(sid, set); }
    set.add(ws);
    ws.on('close', () => {
      set.delete(ws);
      if (set.size === 0 && clients.get(sid) === set) {
        clients.delete(sid);
        sub.unsubscribe(`chat:events:{${sid}}`).catch(() => {});
      }
    });
    ws.on('message', (data) => {
      try {
        const f = JSON.parse(data.toString());
        if (f && f.type === 'ping') ws.send(JSON.stringify({ type: 'pong', ts: Date.now() }));
      } catch (e) { /* ignored */ }
    });
    try {
      if (first) await sub.subscribe(`chat:events:{${sid}}`);
    } catch (e) {
      ws.close(1011, 'event feed');
      return;
    }
    // like relay-service: `ready` only once the subscription is live
    ws.send(JSON.stringify({ type: 'ready', session_id: sid, connection_id: crypto.randomUUID(),
      resumed: false, recovered: false, replayed: 0, expires_at: 0 }));
  });
});

server.listen(PORT, '127.0.0.1', () => console.log(`relay-baseline (ws + ioredis) on 127.0.0.1:${PORT}`));
const stop = () => { server.close(); for (const ws of wss.clients) ws.terminate(); sub.quit().finally(() => process.exit(0)); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
