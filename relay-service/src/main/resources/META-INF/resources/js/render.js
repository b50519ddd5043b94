// Markdown -> HTML through marked, then DOMPurify: no HTML or script from a message ever runs.
// Libraries are named without a version: the relay serves the one of the pom's mvnpm jar (see README, "Web UI").
import { Marked } from '/_static/marked/lib/marked.esm.js';
import DOMPurify from '/_static/dompurify/dist/purify.es.mjs';
import bash from '/_static/highlight.js/es/languages/bash.js';
import css from '/_static/highlight.js/es/languages/css.js';
import go from '/_static/highlight.js/es/languages/go.js';
import java from '/_static/highlight.js/es/languages/java.js';
import javascript from '/_static/highlight.js/es/languages/javascript.js';
import json from '/_static/highlight.js/es/languages/json.js';
import python from '/_static/highlight.js/es/languages/python.js';
import rust from '/_static/highlight.js/es/languages/rust.js';
import sql from '/_static/highlight.js/es/languages/sql.js';
import typescript from '/_static/highlight.js/es/languages/typescript.js';
import xml from '/_static/highlight.js/es/languages/xml.js';
import yaml from '/_static/highlight.js/es/languages/yaml.js';

// highlight.js core, loaded before this module by index.html (see cjs-shim.js)
const hljs = window.module?.exports?.highlight ? window.module.exports : null;
delete window.module;
if (hljs) {
  hljs.configure({ ignoreUnescapedHTML: true });
  for (const [name, lang] of Object.entries({ bash, css, go, java, javascript, json, python, rust, sql, typescript, xml, yaml })) {
    hljs.registerLanguage(name, lang);
  }
}

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
  highlightCode(target);
}

/** Colours the code blocks (escaped text in, spans with classes out: no HTML of the message runs, no style attribute). */
function highlightCode(root) {
  if (!hljs) return;
  for (const code of root.querySelectorAll('pre > code')) {
    const lang = /(?:^|\s)language-([\w-]+)/.exec(code.className)?.[1];
    if (lang && !hljs.getLanguage(lang)) continue; // an unknown language stays plain
    hljs.highlightElement(code);
  }
}

/** Search snippets: escaped text with <mark> only. */
export function renderSnippet(target, snippet) {
  target.replaceChildren(DOMPurify.sanitize(String(snippet ?? ''), { ALLOWED_TAGS: ['mark'], ALLOWED_ATTR: [], RETURN_DOM_FRAGMENT: true }));
}
