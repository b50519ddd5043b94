// The message actions of a conversation with versions: Edit (an inline editor with Send / Cancel) on the user's
// messages, Regenerate on answers, and the "< n/m >" switcher on a message with more than one version.
// DOM only; what they do is app.js' (callbacks), which versions exist is conversation.js' (switcher()).
import { switcher } from './conversation.js';

const button = (cls, text, label, onClick) => {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = `${cls} secondary`;
  b.textContent = text;
  if (label) b.setAttribute('aria-label', label);
  b.addEventListener('click', onClick);
  return b;
};

/** The actions bar of one message view; `current()` is the message it shows now. */
export function createActions(v, { onEdit, onRegenerate, onSwitch }) {
  const bar = document.createElement('div');
  bar.className = 'msg-actions';
  const versions = document.createElement('div');
  versions.className = 'versions';
  versions.setAttribute('role', 'group');
  versions.setAttribute('aria-label', 'Versions');
  const label = document.createElement('span');
  label.className = 'version-label';
  const prev = button('version-prev', '<', 'Previous version', () => go(v, onSwitch, 'prev'));
  const next = button('version-next', '>', 'Next version', () => go(v, onSwitch, 'next'));
  versions.append(prev, label, next);
  const user = v.node.classList.contains('user');
  const act = user
    ? button('edit', 'Edit', 'Edit message', () => openEditor(v, onEdit))
    : button('regenerate', 'Regenerate', 'Regenerate answer', () => onRegenerate(v.msg));
  bar.append(versions, act);
  return { bar, versions, label, prev, next, act };
}

function go(v, onSwitch, side) {
  const s = switcher(v.msg);
  if (s && s[side]) onSwitch(v.msg, s[side]);
}

/** Brings the bar to the message: the switcher only with versions, the action only on a stored, settled message. */
export function paintActions(a, msg) {
  const s = switcher(msg);
  a.versions.hidden = !s;
  if (s) {
    a.label.textContent = s.label;
    a.label.setAttribute('aria-label', `Version ${s.label.replace('/', ' of ')}`);
    a.prev.disabled = !s.prev;
    a.next.disabled = !s.next;
  }
  a.act.hidden = !msg.id || msg.pending || msg.unsent || msg.streaming;
}

function openEditor(v, onEdit) {
  if (v.node.querySelector(':scope > form.editor')) return;
  const form = document.createElement('form');
  form.className = 'editor';
  const input = document.createElement('textarea');
  input.rows = 3;
  input.value = v.msg.content;
  input.setAttribute('aria-label', 'Edit your message');
  const send = document.createElement('button');
  send.type = 'submit';
  send.className = 'editor-send';
  send.textContent = 'Send';
  const cancel = button('editor-cancel', 'Cancel', null, () => close());
  const buttons = document.createElement('div');
  buttons.className = 'editor-buttons';
  buttons.append(cancel, send);
  form.append(input, buttons);
  const close = () => { form.remove(); v.body.hidden = false; v.node.classList.remove('editing'); };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    close();
    onEdit(v.msg, text);
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') { e.preventDefault(); close(); }
  });
  v.body.hidden = true;
  v.node.classList.add('editing');
  v.body.after(form);
  input.focus();
}
