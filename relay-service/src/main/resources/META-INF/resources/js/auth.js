// Everything the UI knows about auth-service lives here, so the final auth API can be reconciled in one place.
//
// Assumed contract (DESIGN.md + auth-service):
//   POST /api/auth/magic-link {email}            -> 202 (always), sets a nonce cookie for the code path
//   POST /api/auth/verify {token}                -> 200 {access_token, token_type, expires_in, user{id,email}}
//        409 problem {confirmation_required: true, email} -> ask, then POST {token, confirm: true}
//   POST /api/auth/verify {code}                 -> same 200 (6-digit code from the mail, same browser only)
//   POST /api/auth/refresh (HttpOnly cookie)     -> 200 same body, rotated cookie; 401 -> signed out
//   POST /api/auth/logout                        -> 204
// The emailed link lands on the UI as /auth/callback#token=<t> (auth-service) or /#/auth?token=<t>.
//
// The access token is kept in memory only. Refresh tokens rotate on every use and a reused one revokes the
// whole family, so tabs must never refresh concurrently: one refresh at a time across tabs (Web Locks), and
// the result is shared with the other tabs over a BroadcastChannel.

const CHANNEL = 'chat-auth';
const LOCK = 'chat-auth-refresh';

let state = { token: null, expiresAt: 0, user: null };
let refreshTimer = null;
let inflight = null;
const listeners = new Set();
const bc = 'BroadcastChannel' in window ? new BroadcastChannel(CHANNEL) : null;

export class AuthError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
}

export function onChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function accessToken() {
  return state.token;
}

export function user() {
  return state.user;
}

function emit() {
  for (const fn of listeners) fn({ user: state.user, signedIn: !!state.token });
}

function adopt(body, { broadcast = true } = {}) {
  const expiresIn = Number(body.expires_in || 900);
  state = { token: body.access_token, expiresAt: Date.now() + expiresIn * 1000, user: body.user || state.user };
  if (broadcast && bc) bc.postMessage({ type: 'token', body: { ...body, expires_in: Math.max(1, Math.floor((state.expiresAt - Date.now()) / 1000)) } });
  schedule();
  emit();
}

function clear({ broadcast = true } = {}) {
  state = { token: null, expiresAt: 0, user: null };
  clearTimeout(refreshTimer);
  if (broadcast && bc) bc.postMessage({ type: 'signed-out' });
  emit();
}

// Refresh a minute before expiry, with jitter so open tabs do not all wake at once (the lock dedupes anyway).
function schedule() {
  clearTimeout(refreshTimer);
  const wait = Math.max(5000, state.expiresAt - Date.now() - 60000 - Math.random() * 15000);
  refreshTimer = setTimeout(() => refresh().catch(() => {}), wait);
}

if (bc) {
  bc.onmessage = (e) => {
    const m = e.data || {};
    if (m.type === 'token' && m.body && m.body.access_token) adopt(m.body, { broadcast: false });
    if (m.type === 'signed-out') clear({ broadcast: false });
  };
}

async function post(path, body) {
  const res = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  const text = await res.text();
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!res.ok) throw new AuthError(res.status, data);
  return data;
}

export async function requestMagicLink(email) {
  await post('/api/auth/magic-link', { email });
}

/** Returns {signedIn: true} or {confirm: email} when the link was requested from another browser. */
export async function verifyToken(token, confirm = false) {
  try {
    adopt(await post('/api/auth/verify', confirm ? { token, confirm: true } : { token }));
    return { signedIn: true };
  } catch (e) {
    if (e instanceof AuthError && e.status === 409 && e.problem.confirmation_required) {
      return { confirm: e.problem.email || '' };
    }
    throw e;
  }
}

export async function verifyCode(code) {
  adopt(await post('/api/auth/verify', { code }));
  return { signedIn: true };
}

/**
 * One refresh for all tabs. Inside the lock, a token that another tab obtained while we waited is reused
 * instead of presenting the (already rotated) cookie again.
 */
export function refresh() {
  if (inflight) return inflight;
  const startedWith = state.token;
  const run = async () => {
    if (state.token && state.token !== startedWith && state.expiresAt - Date.now() > 60000) return true;
    try {
      adopt(await post('/api/auth/refresh'));
      return true;
    } catch (e) {
      if (e instanceof AuthError && (e.status === 401 || e.status === 403)) {
        clear();
        return false;
      }
      throw e;
    }
  };
  inflight = (navigator.locks ? navigator.locks.request(LOCK, run) : run()).finally(() => { inflight = null; });
  return inflight;
}

export async function logout() {
  try { await post('/api/auth/logout'); } finally { clear(); }
}

/** Reads a magic-link token from the URL (either shape) and removes it from the address bar at once. */
export function takeLinkToken() {
  const hash = location.hash || '';
  let token = null;
  if (hash.startsWith('#/auth')) {
    const q = hash.indexOf('?');
    token = q >= 0 ? new URLSearchParams(hash.slice(q + 1)).get('token') : null;
  } else if (hash.startsWith('#token=') || hash.includes('&token=')) {
    token = new URLSearchParams(hash.slice(1)).get('token');
  }
  if (token !== null || location.pathname !== '/') {
    history.replaceState(null, '', '/');
  }
  return token;
}
