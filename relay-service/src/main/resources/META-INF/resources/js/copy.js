// Copy buttons: one per answer (its Markdown source) and one per code block (the code as text).
// The last copied text is also kept on <body data-last-copied-length> (its length only) for tests and operators.

export function copyButton(label, text) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'copy secondary';
  b.textContent = 'Copy';
  b.setAttribute('aria-label', label);
  b.addEventListener('click', () => copy(b, text()));
  return b;
}

async function copy(button, text) {
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = 'Copied';
    button.dataset.copied = 'true';
    document.body.dataset.lastCopiedLength = String(text.length);
  } catch {
    button.textContent = 'Copy failed';
    button.dataset.copied = 'false';
  }
  setTimeout(() => { button.textContent = 'Copy'; }, 2000);
}

/** Adds a copy button to every code block of a rendered answer (after each render: the body is rebuilt). */
export function decorateCode(body) {
  for (const pre of body.querySelectorAll('pre')) {
    const code = pre.querySelector('code');
    if (!code || pre.querySelector(':scope > button.copy')) continue;
    pre.append(copyButton('Copy code', () => code.textContent));
  }
}
