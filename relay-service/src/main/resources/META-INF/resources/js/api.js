// REST calls to session-service (and friends) with the in-memory access token; one retry after a refresh.
import { accessToken, refresh } from './auth.js';

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export async function api(path, { method = 'GET', body, raw = false } = {}) {
  for (let attempt = 0; attempt < 2; attempt++) {
    const headers = { Accept: 'application/json' };
    const token = accessToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
    if (res.status === 401 && attempt === 0 && (await refresh())) continue;
    if (!res.ok) {
      let problem = null;
      try { problem = await res.json(); } catch { problem = null; }
      throw new ApiError(res.status, problem);
    }
    if (raw) return res;
    if (res.status === 204) return null;
    const text = await res.text();
    return text ? JSON.parse(text) : null;
  }
  throw new ApiError(401, null);
}

export const sessions = {
  list: (cursor) => api(`/api/sessions?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`),
  create: (title) => api('/api/sessions', { method: 'POST', body: title ? { title } : {} }),
  rename: (id, title) => api(`/api/sessions/${encodeURIComponent(id)}`, { method: 'PATCH', body: { title } }),
  remove: (id) => api(`/api/sessions/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  messages: (id, afterSeq) => api(`/api/sessions/${encodeURIComponent(id)}/messages?limit=200${afterSeq != null ? `&after_seq=${afterSeq}` : ''}`),
  branch: (id, messageId, version) => api(`/api/sessions/${encodeURIComponent(id)}/branch`, { method: 'PUT', body: { message_id: messageId, version } }),
  exportFile: (id, format) => api(`/api/sessions/${encodeURIComponent(id)}/export?format=${format}`, { raw: true }),
  search: (q) => api(`/api/search?q=${encodeURIComponent(q)}&limit=20`),
};
