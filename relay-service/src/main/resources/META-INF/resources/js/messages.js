// Paints the conversation state (conversation.js) into #messages: one <article> per message, repainted only when
// its message object changed; a streaming answer at most once per frame.
import { renderMarkdown } from './render.js';
import { copyButton, decorateCode } from './copy.js';
import { createActions, paintActions } from './versions.js';

const el = (tag, cls, text) => {
  const n = document.createElement(tag);
  if (cls) n.className = cls;
  if (text !== undefined) n.textContent = text;
  return n;
};

export class MessageList {
  constructor(box, { onRetry, onPaint, onEdit, onRegenerate, onSwitch }) {
    this.box = box;
    this.onRetry = onRetry;
    this.onPaint = onPaint;
    this.actions = { onEdit, onRegenerate, onSwitch };
    this.views = new Map(); // key -> {node, body, tools, msg}
    this.queued = new Set();
  }

  clear() {
    this.views.clear();
    this.queued.clear();
    this.box.replaceChildren();
  }

  /** Brings the DOM to `state`; `rebuild` after a history load (the order changed, not only grew). */
  render(state, rebuild = false) {
    // an edit or a regenerate took messages off the view (the order changes only when messages come or go)
    if (!rebuild && this.latest && this.latest.order !== state.order) {
      for (const [key, v] of this.views) if (!state.byKey[key]) { v.node.remove(); this.views.delete(key); }
    }
    this.latest = state;
    if (rebuild) {
      for (const key of [...this.views.keys()]) if (!state.byKey[key]) this.views.delete(key);
      this.box.replaceChildren();
      for (const key of state.order) this.box.append((this.views.get(key) || this.create(state.byKey[key])).node);
    }
    for (const key of state.order) {
      const msg = state.byKey[key];
      let v = this.views.get(key);
      if (!v) {
        v = this.create(msg);
        this.box.append(v.node);
      }
      if (v.msg === msg) continue;
      if (msg.streaming && v.msg && v.msg.streaming) this.later(key);
      else this.paint(v, msg);
    }
  }

  create(msg) {
    const node = el('article', `msg ${msg.role === 'user' ? 'user' : 'assistant'}`);
    node.setAttribute('aria-label', msg.role === 'user' ? 'You' : 'Assistant');
    const tools = el('div', 'tools');
    const body = el('div', 'body');
    node.append(tools, body);
    const v = { node, body, tools, msg: null };
    if (msg.role !== 'user') node.append(copyButton('Copy answer', () => v.msg?.content ?? ''));
    v.actions = createActions(v, this.actions);
    node.append(v.actions.bar);
    if (msg.clientId) node.dataset.clientId = msg.clientId;
    this.views.set(msg.key, v);
    return v;
  }

  later(key) {
    if (this.queued.has(key)) return;
    this.queued.add(key);
    requestAnimationFrame(() => {
      this.queued.delete(key);
      const v = this.views.get(key);
      const msg = this.latest?.byKey[key];
      if (v && msg && v.msg !== msg) { this.paint(v, msg); this.onPaint?.(); }
    });
  }

  paint(v, msg) {
    const prev = v.msg;
    v.msg = msg;
    if (!prev || prev.content !== msg.content) {
      if (msg.role === 'user') v.body.textContent = msg.content; // user text is shown as typed
      else { renderMarkdown(v.body, msg.content); decorateCode(v.body); }
    }
    if (!prev || prev.tools !== msg.tools) {
      v.tools.replaceChildren(...msg.tools.map((t) => t.state === 'running'
        ? el('div', 'tool running', `Using ${t.tool}…`)
        : el('div', `tool ${t.ok ? 'ok' : 'failed'}`, `${t.ok ? '✓' : '✗'} ${t.tool}${t.summary ? ` — ${t.summary}` : ''}`)));
    }
    const n = v.node;
    n.classList.toggle('streaming', msg.streaming);
    n.classList.toggle('pending', msg.pending);
    n.classList.toggle('unsent', msg.unsent);
    n.classList.toggle('stopped', msg.stopped);
    paintActions(v.actions, msg);
    if (msg.stream) n.dataset.stream = msg.stream;
    const note = msg.failure || (msg.stopped ? 'Stopped.' : null);
    let p = n.querySelector(':scope > p.failure');
    if (note && !p) { p = el('p', 'failure'); n.append(p); }
    if (p) { if (note) p.textContent = note; else p.remove(); }
    let retry = n.querySelector(':scope > button.retry');
    if (msg.unsent && !retry) {
      retry = el('button', 'retry secondary', 'Retry');
      retry.type = 'button';
      retry.addEventListener('click', () => this.onRetry(v.msg));
      n.append(retry);
    } else if (!msg.unsent && retry) retry.remove();
  }
}
