// The sidebar: the session list, new/rename/delete/export of the open session, and search.
import { sessions as api } from './api.js';
import { $, el, ask, closeSidebar } from './dom.js';
import { renderSnippet } from './render.js';

/**
 * Wires the sidebar's controls. {@code ui.current} is the open session (app.js owns it); {@code showError} and
 * {@code closeSession} are app.js's. Returns what the conversation view calls back.
 */
export function createSidebar(ui, { showError, closeSession }) {
  let cursor = null;
  let unread = new Set(); // sessions with an answer that completed while they were not on screen (watchers.js)

  async function loadSessions(more = false) {
    try {
      const page = await api.list(more ? cursor : null);
      if (!more) $('session-list').replaceChildren();
      for (const s of page.items || []) {
        $('session-list').append(sessionItem(s));
        if (ui.current && ui.current.id === s.id && s.title) updateSessionTitle(s.id, s.title);
      }
      cursor = page.next_cursor || null;
      $('more-sessions').hidden = !cursor;
    } catch (err) {
      showError(err);
    }
  }

  function sessionItem(s) {
    const li = el('li');
    li.dataset.id = s.id;
    const b = el('button', 'session');
    b.type = 'button';
    b.append(el('span', 'title', s.title || 'Untitled'));
    if (ui.current && ui.current.id === s.id) b.setAttribute('aria-current', 'true');
    b.addEventListener('click', () => { location.hash = `#/s/${s.id}`; closeSidebar(); });
    li.append(b);
    paintMark(li);
    return li;
  }

  const itemTitle = (id) => document.querySelector(`#session-list li[data-id="${CSS.escape(id)}"] .title`);

  function updateSessionTitle(id, title) {
    const t = itemTitle(id);
    if (t) t.textContent = title;
    if (ui.current && ui.current.id === id) { ui.current.title = title; $('session-title').textContent = title; }
  }

  /** The title the list shows for a session, or null when it is not listed (yet). */
  function titleOf(id) {
    return itemTitle(id)?.textContent ?? null;
  }

  /** Shows a dot with an accessible name on each listed session in `ids`, and on no other. */
  function markUnread(ids) {
    unread = new Set(ids);
    for (const li of $('session-list').children) paintMark(li);
  }

  function paintMark(li) {
    const b = li.querySelector('button.session');
    let dot = b.querySelector('.unread');
    if (unread.has(li.dataset.id) && !dot) {
      dot = el('span', 'unread');
      dot.setAttribute('role', 'img');
      dot.setAttribute('aria-label', 'new answer');
      dot.title = 'New answer';
      b.append(dot);
    } else if (!unread.has(li.dataset.id) && dot) {
      dot.remove();
    }
  }

  $('more-sessions').addEventListener('click', () => loadSessions(true));

  $('new-session').addEventListener('click', async () => {
    try {
      const s = await api.create();
      $('session-list').prepend(sessionItem(s));
      location.hash = `#/s/${s.id}`;
      closeSidebar();
    } catch (err) { showError(err); }
  });

  $('rename').addEventListener('click', async () => {
    if (!ui.current) return;
    const title = await ask('Rename conversation', '', ui.current.title || '');
    if (!title) return;
    try {
      const s = await api.rename(ui.current.id, title);
      updateSessionTitle(s.id, s.title);
    } catch (err) { showError(err); }
  });

  $('delete').addEventListener('click', async () => {
    if (!ui.current) return;
    const ok = await ask('Delete conversation', `Delete “${ui.current.title || 'Untitled'}” and all its messages?`);
    if (!ok) return;
    try {
      const id = ui.current.id;
      await api.remove(id);
      document.querySelector(`#session-list li[data-id="${CSS.escape(id)}"]`)?.remove();
      location.hash = '';
      closeSession();
    } catch (err) { showError(err); }
  });

  for (const [id, format] of [['export-md', 'md'], ['export-json', 'json']]) {
    $(id).addEventListener('click', async () => {
      if (!ui.current) return;
      try {
        const res = await api.exportFile(ui.current.id, format);
        const blob = await res.blob();
        const a = el('a');
        a.href = URL.createObjectURL(blob);
        a.download = `${(ui.current.title || 'conversation').replace(/[^\w.-]+/g, '_')}.${format}`;
        document.body.append(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(a.href), 10000);
      } catch (err) { showError(err); }
    });
  }

  let searchTimer;
  $('search').addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(runSearch, 300);
  });
  $('search-form').addEventListener('submit', (e) => { e.preventDefault(); runSearch(); });

  async function runSearch() {
    const q = $('search').value.trim();
    const list = $('search-results');
    if (!q) { list.hidden = true; list.replaceChildren(); return; }
    try {
      const r = await api.search(q);
      list.replaceChildren();
      for (const hit of r.items || []) {
        const li = el('li');
        const b = el('button', 'hit');
        b.type = 'button';
        b.append(el('span', 'hit-title', hit.session_title || 'Untitled'));
        const snip = el('span', 'hit-snippet');
        renderSnippet(snip, hit.snippet);
        b.append(snip);
        b.addEventListener('click', () => { location.hash = `#/s/${hit.session_id}`; closeSidebar(); });
        li.append(b);
        list.append(li);
      }
      if (!list.children.length) list.append(el('li', 'muted', 'No matches.'));
      list.hidden = false;
    } catch (err) { showError(err); }
  }

  return { loadSessions, updateSessionTitle, titleOf, markUnread };
}
