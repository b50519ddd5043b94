// Markdown -> HTML through marked, then DOMPurify: no HTML or script from a message ever runs.
import { Marked } from '/_static/marked/17.0.5/lib/marked.esm.js';
import DOMPurify from '/_static/dompurify/3.4.15/dist/purify.es.mjs';

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

// Raw HTML in a message is shown as the text it is, never parsed (DOMPurify below is the second line).
const marked = new Marked({
  gfm: true,
  breaks: true,
  renderer: { html: ({ text }) => String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]) },
});

DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A') {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer nofollow');
  }
});

const OPTIONS = {
  USE_PROFILES: { html: true },
  FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'object', 'embed'],
  FORBID_ATTR: ['style'],
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|#)/i,
};

export function renderMarkdown(target, markdown) {
  const html = marked.parse(String(markdown ?? ''), { async: false });
  target.replaceChildren(DOMPurify.sanitize(html, { ...OPTIONS, RETURN_DOM_FRAGMENT: true }));
}

/** Search snippets: escaped text with <mark> only. */
export function renderSnippet(target, snippet) {
  target.replaceChildren(DOMPurify.sanitize(String(snippet ?? ''), { ALLOWED_TAGS: ['mark'], ALLOWED_ATTR: [], RETURN_DOM_FRAGMENT: true }));
}
