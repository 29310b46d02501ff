// app.js: the page's entry. It finds out who is logged in (GET /api/me),
// routes between the login, the list of negotiations (#/), a negotiation
// room (#/n/ID, #/n/ID/t/THREAD), changing one's password (#/password),
// the admin view (#/admin) and the partnerships (#/partnerships, #/p/ID),
// and logs out. A session that logged in with a
// one-time password gets only the form that changes it.

import { api, whenUnauthenticated } from './api.js';
import { h, replace, errorBox, field, describeError, announce } from './dom.js';
import { showList } from './list.js';
import { Room } from './room.js';
import { showPassword } from './password.js';
import { showAdmin } from './admin.js';
import { showPartnerships, showPartnership } from './partnership.js';
import { showCriteria } from './criteria.js';
import { showWork } from './items.js';

const main = document.getElementById('main');
const app = { user: null, room: null };

async function boot() {
  whenUnauthenticated(() => { if (app.user) showLogin('Your session has ended. Log in again to continue.'); });
  window.addEventListener('hashchange', route);
  try {
    app.user = sessionUser(await api.me());
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
  markCurrent();
  if (app.user.must_change_password) {
    closeRoom();
    showPassword(app, main, { forced: true, onChanged: passwordChosen });
    return;
  }
  if (location.hash === '#/password' || location.hash === '#/admin') {
    closeRoom();
    clearCrumbs();
    if (location.hash === '#/password') showPassword(app, main);
    else showAdmin(app, main);
    return;
  }
  // ---- the stages' views (issue 12): #/p/ID/criteria and #/p/ID/work ----
  const stages = location.hash.match(/^#\/p\/([^/]+)\/(criteria|work)$/);
  if (stages) {
    closeRoom();
    (stages[2] === 'criteria' ? showCriteria : showWork)(app, main, decodeURIComponent(stages[1]));
    return;
  }
  // ---- end of the stages' views ----
  if (location.hash === '#/partnerships' || location.hash.startsWith('#/p/')) {
    closeRoom();
    const p = location.hash.match(/^#\/p\/([^/]+)/);
    if (p) app.room = showPartnership(app, main, decodeURIComponent(p[1])); // closed as a room is
    else showPartnerships(app, main);
    return;
  }
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
  clearCrumbs(); // a partnership's page leaves its own
  showList(app, main);
}

function clearCrumbs() {
  const crumbs = document.getElementById('crumbs');
  if (crumbs) { replace(crumbs); crumbs.mraKey = ''; }
}

function closeRoom() {
  if (app.room) app.room.close();
  app.room = null;
}

// sessionUser is the user of a login or /api/me answer, with
// must_change_password whether the answer carries it in USER or beside it.
function sessionUser(r) {
  const u = { ...r.user };
  if (r.must_change_password) u.must_change_password = true;
  return u;
}

// passwordChosen: the one-time password is changed; the session may now
// do everything, so the page goes on as after a normal login.
async function passwordChosen(said) {
  try {
    app.user = sessionUser(await api.me());
  } catch {
    return; // a 401 shows the login
  }
  renderWho();
  if (location.hash === '#/password') history.replaceState(null, '', '#/'); // changed already
  route();
  announce(said);
}

function renderWho() {
  const who = document.getElementById('whoami');
  if (!app.user) { replace(who); return; }
  const u = app.user;
  const free = !u.must_change_password; // a one-time session gets only Log out
  replace(who,
    h('span', { class: 'who-name' }, h('strong', null, u.name || u.id), ` · ${u.party}`, h('span', { class: 'who-roles' }, ` · ${(u.roles || []).join(', ')}`)),
    free ? h('a', { href: '#/partnerships', id: 'partnerships-link', class: 'top-link' }, 'Partnerships') : null,
    free && (u.roles || []).includes('admin') ? h('a', { href: '#/admin', id: 'admin-link', class: 'top-link' }, 'Users') : null,
    free ? h('a', { href: '#/password', id: 'password-link', class: 'top-link' }, 'Change password') : null,
    h('button', { type: 'button', class: 'secondary small', id: 'logout', onclick: logout }, 'Log out'));
  markCurrent();
}

// markCurrent marks the header link of the view shown (aria-current).
function markCurrent() {
  for (const a of document.querySelectorAll('#whoami a.top-link')) {
    if (a.getAttribute('href') === location.hash) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
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
      app.user = sessionUser(await api.login(user.value.trim(), password.value));
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
