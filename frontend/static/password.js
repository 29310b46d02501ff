// password.js: a user changes their own password (`change_password`,
// PROTOCOL "Administration"): from the header (#/password), and forced
// after a login with a one-time password, when the session may do nothing
// else until it is changed. The page checks what it can before sending
// (length, the two new fields alike, not the old one); the server checks
// again and its message is shown as it comes.

import { api } from './api.js';
import { h, replace, errorBox, field, announce, describeError } from './dom.js';

// The contract's bounds on a new password, in characters (code points).
export const MIN_PASSWORD = 12;
export const MAX_PASSWORD = 256;

const chars = (s) => [...s].length;

// showPassword draws the form in main. forced: the session logged in with
// a one-time password (only this form, with the reason). onChanged runs
// after a change the server accepted; without it the form says so and
// stays.
export function showPassword(app, main, { forced = false, onChanged } = {}) {
  document.title = `${forced ? 'Choose your password' : 'Change your password'} — MRA`;
  const heading = h('h1', { tabindex: '-1', id: 'page-title' }, forced ? 'Choose your password' : 'Change your password');
  const old = h('input', { type: 'password', id: 'pw-old', autocomplete: 'current-password', required: true });
  const next = h('input', { type: 'password', id: 'pw-new', autocomplete: 'new-password', required: true });
  const again = h('input', { type: 'password', id: 'pw-again', autocomplete: 'new-password', required: true });
  const err = errorBox();
  err.el.id = 'pw-error';
  const done = h('p', { class: 'notice', id: 'pw-done', tabindex: '-1', hidden: true });
  const submit = h('button', { type: 'submit', class: 'primary', id: 'pw-submit' }, forced ? 'Save my password and continue' : 'Change password');
  const form = h('form', { class: 'card password-form', id: 'password-form', 'aria-labelledby': 'page-title', novalidate: true },
    heading,
    forced
      ? h('p', { class: 'notice warn', id: 'pw-why' }, 'You logged in with a one-time password from your administrator: choose your own before you go on.')
      : h('p', { class: 'muted', id: 'pw-why' }, `Your other sessions (other browsers, other computers) will be logged out; this one stays.`),
    field(forced ? 'One-time password (the one you just logged in with)' : 'Current password', old),
    field('New password', next, `${MIN_PASSWORD} to ${MAX_PASSWORD} characters. A few unrelated words make a strong one.`),
    field('Repeat the new password', again),
    err.el, done, h('div', { class: 'buttons' }, submit,
      forced ? null : h('a', { href: '#/', class: 'cancel-link' }, 'Back to the negotiations')));
  for (const f of [old, next, again]) f.addEventListener('input', () => { f.removeAttribute('aria-invalid'); });

  // refuse names the field that is wrong, says why, and puts the cursor there.
  const refuse = (input, message) => {
    input.setAttribute('aria-invalid', 'true');
    err.show(message);
    input.focus();
    input.select();
  };
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    err.clear();
    done.hidden = true;
    const n = chars(next.value);
    if (!old.value) return refuse(old, forced ? 'Enter the one-time password you logged in with.' : 'Enter your current password.');
    if (n < MIN_PASSWORD) return refuse(next, `The new password needs at least ${MIN_PASSWORD} characters; it has ${n}.`);
    if (n > MAX_PASSWORD) return refuse(next, `The new password may have at most ${MAX_PASSWORD} characters; it has ${n}.`);
    if (next.value === old.value) return refuse(next, forced ? 'Choose a password of your own, not the one-time password.' : 'The new password must differ from the current one.');
    if (again.value !== next.value) return refuse(again, 'The two new passwords are not the same. Type the new one again.');
    submit.disabled = true;
    try {
      await api.command('change_password', { old: old.value, new: next.value });
    } catch (e2) {
      if (e2.code === 'unauthenticated') return; // the login is shown
      if (e2.code === 'forbidden' || e2.code === 'bad_request') {
        const msg = e2.message ? e2.message.charAt(0).toUpperCase() + e2.message.slice(1) : describeError(e2);
        refuse(e2.code === 'forbidden' ? old : next, /[.!?]$/.test(msg) ? msg : `${msg}.`);
      } else {
        err.show(e2);
      }
      return;
    } finally {
      submit.disabled = false;
    }
    for (const f of [old, next, again]) f.value = '';
    const said = 'Your password is changed. Your other sessions were logged out.';
    if (onChanged) {
      onChanged(said);
      return;
    }
    done.textContent = said;
    done.hidden = false;
    announce(said);
  });
  replace(main, h('div', { class: 'page password-page' }, form));
  (forced ? old : heading).focus();
}
