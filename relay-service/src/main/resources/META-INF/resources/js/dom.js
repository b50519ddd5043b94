// DOM helpers every part of the page uses.

export const $ = (id) => document.getElementById(id);

export const el = (tag, cls, text) => {
  const n = document.createElement(tag);
  if (cls) n.className = cls;
  if (text !== undefined) n.textContent = text;
  return n;
};

/** A modal question; resolves to true (or the typed value) on OK, null on cancel. */
export function ask(title, text, value) {
  const d = $('dialog');
  $('dialog-title').textContent = title;
  $('dialog-text').textContent = text || '';
  const withInput = value !== undefined;
  $('dialog-input').hidden = !withInput;
  $('dialog-label').hidden = !withInput;
  $('dialog-input').value = value || '';
  return new Promise((resolve) => {
    d.onclose = () => resolve(d.returnValue === 'ok' ? (withInput ? $('dialog-input').value.trim() : true) : null);
    d.returnValue = '';
    d.showModal();
    if (withInput) $('dialog-input').focus();
  });
}

export function closeSidebar() {
  document.body.classList.remove('sidebar-open');
  $('toggle-sidebar').setAttribute('aria-expanded', 'false');
}
