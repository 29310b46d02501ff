// app.js: the page's entry. It finds out who is logged in (GET /api/me),
// routes between the login, the list of negotiations (#/) and a
// negotiation room (#/n/ID, #/n/ID/t/THREAD), and logs out.

import { api, whenUnauthenticated } from './api.js';
import { h, replace, errorBox, field, describeError } from './dom.js';
import { showList } from './list.js';
import { Room } from './room.js';

const main = document.getElementById('main');
const app = { user: null, room: null };

async function boot() {
  whenUnauthenticated(() => { if (app.user) showLogin('Your session has ended. Log in again to continue.'); });
  window.addEventListener('hashchange', route);
  try {
    app.user = (await api.me()).user;
  } catch (err) {
    if (err.code === 'unauthenticated') showLogin();
    else replace(main, h('div', { class: 'page' }, h('h1', null, 'The server cannot be reached'), h('p', null, describeError(err))));
    return;
  }
  renderWho();
  if (!location.hash.startsWith('#/')) history.replaceState(null, '', '#/');
  route();
}

function route() {
  if (location.hash && !location.hash.startsWith('#/')) return; // e.g. the skip link
  if (!app.user) { showLogin(); return; }
  const m = location.hash.match(/^#\/n\/([^/]+)(?:\/t\/([^/]+))?/);
  if (m) {
    const id = decodeURIComponent(m[1]);
    const thread = m[2] ? decodeURIComponent(m[2]) : null;
    if (app.room && app.room.id === id) {
      if (thread) app.room.openThread(thread);
      return;
    }
    closeRoom();
    app.room = new Room(app, main, id);
    app.room.load(thread);
    return;
  }
  closeRoom();
  showList(app, main);
}

function closeRoom() {
  if (app.room) app.room.close();
  app.room = null;
}

function renderWho() {
  const who = document.getElementById('whoami');
  if (!app.user) { replace(who); return; }
  const u = app.user;
  replace(who,
    h('span', { class: 'who-name' }, h('strong', null, u.name || u.id), ` · ${u.party} · ${(u.roles || []).join(', ')}`),
    h('button', { type: 'button', class: 'secondary small', id: 'logout', onclick: logout }, 'Log out'));
}

async function logout() {
  try { await api.logout(); } catch { /* the session is gone either way */ }
  closeRoom();
  app.user = null;
  history.replaceState(null, '', '#/');
  showLogin('You have logged out.');
}

function showLogin(message) {
  closeRoom();
  app.user = null;
  renderWho();
  document.title = 'Log in — MRA';
  const user = h('input', { id: 'login-user', name: 'user', autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false', required: true });
  const password = h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const err = errorBox();
  const submit = h('button', { type: 'submit', class: 'primary', id: 'login-submit' }, 'Log in');
  const form = h('form', { class: 'card login', id: 'login-form', 'aria-labelledby': 'login-h' },
    h('h1', { id: 'login-h' }, 'Log in'),
    message ? h('p', { class: 'notice', role: 'status' }, message) : null,
    field('User name', user), field('Password', password), err.el, submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    err.clear();
    submit.disabled = true;
    try {
      app.user = (await api.login(user.value.trim(), password.value)).user;
      renderWho();
      route();
    } catch (e2) {
      err.show(e2.code === 'unauthenticated' ? 'Unknown user or wrong password.' : e2);
      password.select();
    } finally {
      submit.disabled = false;
    }
  });
  replace(main, h('div', { class: 'login-page' },
    h('div', { class: 'intro' },
      h('p', { class: 'eyebrow' }, 'Mutual Recognition Arrangements'),
      h('p', { class: 'lead' }, 'Negotiate the text with your partner administration, review it legally, and sign it — with every version, comment and approval on record.')),
    form));
  user.focus();
}

document.querySelector('.skip').addEventListener('click', (e) => {
  e.preventDefault();
  (main.querySelector('h1') || main).focus();
});

boot();
