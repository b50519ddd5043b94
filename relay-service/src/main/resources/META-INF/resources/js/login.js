// Sign-in: the email form, the code form and the emailed link's confirmation.
import * as auth from './auth.js';
import { $ } from './dom.js';

export function showLogin(message) {
  $('app-view').hidden = true;
  $('login-view').hidden = false;
  $('login-error').textContent = message || '';
  $('email-form').hidden = false;
  $('code-form').hidden = true;
  $('confirm-box').hidden = true;
  $('email').focus();
}

export function showApp() {
  $('login-view').hidden = true;
  $('app-view').hidden = false;
  const u = auth.user();
  $('who').textContent = u && u.email ? u.email : '';
}

$('email-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const email = $('email').value.trim();
  if (!email || !$('email').checkValidity()) { $('login-error').textContent = 'Enter a valid email address.'; return; }
  $('login-error').textContent = '';
  try {
    await auth.requestMagicLink(email);
    $('email-form').hidden = true;
    $('code-form').hidden = false;
    $('sent-note').textContent = `If ${email} can sign in, a link is on its way. Open it here, or type the code.`;
    $('code').focus();
  } catch (err) {
    $('login-error').textContent = err.status === 429 ? 'Too many attempts; wait a moment.' : 'Could not send the link. Try again.';
  }
});

$('code-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const code = $('code').value.trim();
  if (!/^\d{6}$/.test(code)) { $('login-error').textContent = 'The code has six digits.'; return; }
  try {
    await auth.verifyCode(code);
  } catch (err) {
    $('login-error').textContent = err.message || 'That code did not work.';
  }
});

$('restart-login').addEventListener('click', () => showLogin());

export async function completeLink(token) {
  $('login-view').hidden = false;
  $('email-form').hidden = true;
  try {
    const r = await auth.verifyToken(token);
    if (r.confirm !== undefined) {
      $('confirm-box').hidden = false;
      $('confirm-email').textContent = r.confirm;
      $('confirm-yes').focus();
      $('confirm-yes').onclick = async () => {
        try { await auth.verifyToken(token, true); } catch (err) { showLogin(err.message); }
      };
      $('confirm-no').onclick = () => showLogin();
    }
  } catch (err) {
    showLogin('This sign-in link is invalid or has expired. Request a new one.');
  }
}
