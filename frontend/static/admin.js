// admin.js: the admin view (#/admin, PROTOCOL "Administration"): the users
// of the admin's own party (GET /api/users) with their state, Disable /
// Enable and Reset password on each (the two that cut a person off ask
// first), and the Add user form. The one-time password that add_user and
// reset_password answer is shown once, in a panel with a Copy button,
// until Done takes it off the page. The table is read again after every
// action. A user without the admin role gets a plain message.

import { api } from './api.js';
import { h, replace, errorBox, field, announce, describeError } from './dom.js';

// ROLES are the contract's roles, in the order the form offers them.
const ROLES = [
  ['negotiator', 'Negotiator', 'proposes versions, comments, resolves'],
  ['legal', 'Legal reviewer', 'reviews and signs off a version'],
  ['signatory', 'Signatory', 'signs the ready text'],
  ['admin', 'Administrator', 'manages these users'],
];
const ROLE_LABEL = Object.fromEntries(ROLES.map(([v, l]) => [v, l]));

// stateOf names a listed user's state: disabled, must_change (a one-time
// password not yet changed) or active.
export function stateOf(u) {
  if (u.disabled) return 'disabled';
  if (u.must_change_password) return 'must_change';
  return 'active';
}
const STATE_LABEL = { active: 'Active', disabled: 'Disabled', must_change: 'Must change password' };

export function showAdmin(app, main) {
  const party = app.user.party;
  if (!(app.user.roles || []).includes('admin')) {
    notAdmin(main, party);
    return null;
  }
  const view = new AdminView(app, main);
  view.load();
  return view;
}

// notAdmin is what a user who is not an admin of its party gets at #/admin.
function notAdmin(main, party) {
  document.title = 'Users — MRA';
  const heading = h('h1', { tabindex: '-1', id: 'page-title' }, 'Users');
  replace(main, h('div', { class: 'page' }, heading,
    h('p', { id: 'admin-denied' }, `Only an administrator of ${party} manages its users. Ask yours to add a user, disable one or reset a password.`),
    h('p', null, h('a', { href: '#/' }, 'Back to the negotiations'))));
  heading.focus({ preventScroll: true });
}

class AdminView {
  constructor(app, main) {
    this.app = app;
    this.main = main;
    this.party = app.user.party;
    this.users = [];
    document.title = `Users of ${this.party} — MRA`;
    this.heading = h('h1', { tabindex: '-1', id: 'page-title' }, `Users of ${this.party}`);
    this.secretSlot = h('div', { class: 'secret-slot' });
    this.actionErr = errorBox();
    this.actionErr.el.id = 'admin-error';
    this.body = h('div', { class: 'users-body' }, h('p', { class: 'loading' }, 'Loading…'));
    this.buildConfirm();
    this.form = this.addForm();
    main.replaceChildren(h('div', { class: 'page admin-page' },
      h('div', { class: 'admin-main' }, this.heading,
        h('p', { class: 'muted' }, `The people of ${this.party} who may log in, and what each may do. Other administrations manage their own.`),
        this.secretSlot, this.actionErr.el, this.body),
      h('div', { class: 'admin-side' }, this.form, this.partyForm()), this.dialog));
    this.heading.focus({ preventScroll: true });
  }

  get shown() { return this.main.contains(this.heading); }

  // load reads the users again and redraws the table; focus, when given,
  // is [user, action] whose button takes the focus afterwards.
  async load(focus) {
    let users;
    try {
      ({ users } = await api.users());
    } catch (err) {
      if (!this.shown) return;
      if (err.code === 'forbidden') { notAdmin(this.main, this.party); return; }
      replace(this.body, h('p', { class: 'error', role: 'alert' }, describeError(err)));
      return;
    }
    if (!this.shown) return;
    this.users = users || [];
    replace(this.body, this.table());
    if (focus) this.focusRow(...focus);
  }

  table() {
    const me = this.app.user.id;
    return h('table', { class: 'users', id: 'users' },
      h('caption', { class: 'sr-only' }, `Users of ${this.party}`),
      h('thead', null, h('tr', null, ['Login name', 'Name', 'Roles', 'State', 'Actions'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', null, this.users.map((u) => {
        const state = stateOf(u);
        const self = u.id === me;
        // one's own account is neither disabled nor reset here (the server
        // refuses both: it would end this session); its password is changed
        const toggle = self ? null : u.disabled
          ? h('button', { type: 'button', class: 'small', dataset: { action: 'enable' }, 'aria-label': `Enable ${u.id}`, onclick: () => this.enable(u) }, 'Enable')
          : h('button', { type: 'button', class: 'small danger', dataset: { action: 'disable' }, 'aria-label': `Disable ${u.id}`, onclick: () => this.confirm('disable', u) }, 'Disable');
        const reset = self ? h('a', { href: '#/password', class: 'small-link' }, 'Change your password')
          : h('button', { type: 'button', class: 'small', dataset: { action: 'reset' }, 'aria-label': `Reset password of ${u.id}`, onclick: () => this.confirm('reset', u) }, 'Reset password');
        return h('tr', { dataset: { user: u.id, state }, class: `u-${state}` },
          h('th', { scope: 'row' }, h('code', null, u.id)),
          h('td', null, u.name || '', self ? h('span', { class: 'muted' }, ' (you)') : null),
          h('td', { class: 'u-roles' }, (u.roles || []).map((r) => ROLE_LABEL[r] || r).join(', ')),
          h('td', null, h('span', { class: `u-state st-u-${state}` }, STATE_LABEL[state])),
          h('td', null, h('div', { class: 'u-actions' }, toggle, reset)));
      })));
  }

  focusRow(user, action) {
    const row = this.body.querySelector(`tr[data-user="${CSS.escape(user)}"]`);
    const want = row && (row.querySelector(`[data-action="${action}"]`) || row.querySelector('button, a'));
    if (want) want.focus();
  }

  // ---- disable, enable, reset ----

  buildConfirm() {
    this.dialogTitle = h('h2', { id: 'admin-confirm-h' });
    this.dialogText = h('div', { id: 'admin-confirm-text' });
    this.dialogErr = errorBox();
    this.dialogOK = h('button', { type: 'button', class: 'danger', id: 'admin-confirm-ok', onclick: () => this.confirmed() });
    // Cancel has the focus, so Enter alone cuts nobody off
    this.dialogCancel = h('button', { type: 'button', class: 'secondary', id: 'admin-confirm-cancel', autofocus: true, onclick: () => this.dialog.close() }, 'Cancel');
    this.dialog = h('dialog', { class: 'confirm', id: 'admin-confirm', 'aria-labelledby': 'admin-confirm-h', 'aria-describedby': 'admin-confirm-text' },
      this.dialogTitle, this.dialogText, this.dialogErr.el, h('div', { class: 'buttons' }, this.dialogCancel, this.dialogOK));
    this.dialog.addEventListener('close', () => {
      const p = this.pending;
      this.pending = null;
      if (p && !p.went) this.focusRow(p.user.id, p.action);
    });
  }

  confirm(action, u) {
    this.actionErr.clear();
    this.dialogErr.clear();
    const who = u.name ? `${u.id} (${u.name})` : u.id;
    this.pending = { action, user: u, went: false };
    if (action === 'disable') {
      this.dialogTitle.textContent = `Disable ${u.id}?`;
      replace(this.dialogText,
        h('p', null, `${who} is logged out at once: every page they have open loses its connection, and they can no longer log in.`),
        h('p', null, 'Nothing they wrote is removed. Enable gives them their login back.'));
      this.dialogOK.textContent = `Disable ${u.id}`;
    } else {
      this.dialogTitle.textContent = `Reset the password of ${u.id}?`;
      replace(this.dialogText,
        h('p', null, `The password of ${who} stops working, and they are logged out at once.`),
        h('p', null, 'You get a one-time password to hand to them; they choose their own at their next login.'));
      this.dialogOK.textContent = 'Reset password';
    }
    this.dialog.showModal();
    this.dialogCancel.focus();
  }

  async confirmed() {
    const p = this.pending;
    if (!p) return;
    this.dialogOK.disabled = true;
    let r;
    try {
      r = await api.command(p.action === 'disable' ? 'disable_user' : 'reset_password', { user: p.user.id });
    } catch (err) {
      if (err.code !== 'unauthenticated') this.dialogErr.show(this.explain(err));
      return;
    } finally {
      this.dialogOK.disabled = false;
    }
    p.went = true;
    this.dialog.close();
    if (p.action === 'disable') {
      announce(`${p.user.id} is disabled and logged out.`);
      await this.load([p.user.id, 'enable']);
    } else {
      await this.load();
      this.showSecret('reset', (r && r.user) || p.user, r && r.password);
    }
  }

  async enable(u) {
    this.actionErr.clear();
    try {
      await api.command('enable_user', { user: u.id });
    } catch (err) {
      if (err.code !== 'unauthenticated') this.actionErr.show(this.explain(err));
      return;
    }
    announce(`${u.id} is enabled and may log in again.`);
    await this.load([u.id, 'disable']);
  }

  // explain says what the server refused, in its own words where it gave
  // them (the last active admin, a login name taken, a bad role).
  explain(err) {
    const m = err.message || '';
    const end = /[.!?]$/.test(m) ? '' : '.';
    const said = m ? m.charAt(0).toUpperCase() + m.slice(1) + end : '';
    switch (err.code) {
      case 'forbidden': return m ? `Not allowed: ${m}${end}` : 'Not allowed.';
      case 'not_found': return 'There is no such user in your administration.';
      case 'bad_request': return said || describeError(err);
      default: return describeError(err);
    }
  }

  // ---- the one-time password, shown once ----

  // showSecret shows the one-time password for u until Done; kind is
  // "added" or "reset".
  showSecret(kind, u, password) {
    this.hideSecret(false);
    if (!password) {
      this.actionErr.show('The server sent no one-time password. Reset the password again.');
      return;
    }
    const value = h('code', { class: 'secret-value', id: 'secret-password' }, password);
    const status = h('p', { class: 'secret-status', id: 'secret-status', role: 'status' });
    const copy = h('button', { type: 'button', id: 'secret-copy' }, 'Copy');
    const doneBtn = h('button', { type: 'button', class: 'primary', id: 'secret-done' }, 'Done');
    const name = u.name || u.id;
    const panel = h('section', { class: 'card secret', id: 'secret', tabindex: '-1', 'aria-labelledby': 'secret-h', dataset: { user: u.id } },
      h('h2', { id: 'secret-h' }, `One-time password for ${u.id}`),
      h('p', null, {
        added: `${name} can now log in as ${u.id} with this password:`,
        reset: `The password of ${name} is reset. Their new one-time password:`,
        party: `${u.party} is added, with ${name} as its first administrator. They log in as ${u.id} with this password, and then manage ${u.party}’s users themselves (you cannot see them):`,
      }[kind]),
      h('p', { class: 'secret-line' }, value, ' ', copy),
      status,
      h('p', { id: 'secret-advice' }, `Hand it to ${name} privately, in person or by telephone, never in a shared message. It works for one login, at which it must be changed. It is shown only this once: after Done it is gone from this page.`),
      h('div', { class: 'buttons' }, doneBtn));
    copy.addEventListener('click', () => copySecret(value, password, status));
    doneBtn.addEventListener('click', () => this.hideSecret(true));
    this.secret = { panel, user: u.id, back: kind === 'party' ? this.partySummary : null };
    this.secretSlot.append(panel);
    panel.focus();
    announce(`One-time password for ${u.id} shown. Copy it, then press Done.`);
  }

  // hideSecret takes the panel (and the password in it) off the page; back,
  // the focus returns to that user's row.
  hideSecret(back) {
    const s = this.secret;
    if (!s) return;
    this.secret = null;
    s.panel.remove();
    if (back) {
      const row = this.body.querySelector(`tr[data-user="${CSS.escape(s.user)}"]`);
      if (row) this.focusRow(s.user, 'reset');
      else (s.back && s.back.isConnected ? s.back : this.heading).focus();
    }
  }

  // ---- add a user ----

  addForm() {
    const id = h('input', { id: 'new-user-id', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', required: true, maxlength: '64' });
    const name = h('input', { id: 'new-user-name', autocomplete: 'off', required: true, maxlength: '200' });
    const boxes = ROLES.map(([v]) => h('input', { type: 'checkbox', value: v, id: `new-role-${v}`, name: 'roles' }));
    const roles = h('fieldset', { class: 'roles', id: 'new-user-roles' }, h('legend', null, 'Roles (at least one)'),
      ROLES.map(([, label, hint], k) => h('label', { class: 'check', for: boxes[k].id }, boxes[k], ' ', h('strong', null, label), h('span', { class: 'muted' }, ` — ${hint}`))));
    const err = errorBox();
    err.el.id = 'add-user-error';
    const submit = h('button', { type: 'submit', class: 'primary', id: 'add-user-submit' }, 'Add user');
    const form = h('form', { class: 'card add-user', id: 'add-user', 'aria-labelledby': 'add-user-h', novalidate: true },
      h('h2', { id: 'add-user-h' }, `Add a user to ${this.party}`),
      field('Login name', id, 'What they type to log in, such as alice. It cannot be changed later.'),
      field('Full name', name),
      roles, err.el, submit);
    for (const f of [id, name]) f.addEventListener('input', () => f.removeAttribute('aria-invalid'));
    const refuse = (el, message) => {
      if (el.tagName === 'INPUT' && el.type !== 'checkbox') el.setAttribute('aria-invalid', 'true');
      err.show(message);
      el.focus();
    };
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      err.clear();
      const chosen = boxes.filter((b) => b.checked).map((b) => b.value);
      const uid = id.value.trim();
      if (!uid) return refuse(id, 'Enter a login name.');
      if (!name.value.trim()) return refuse(name, 'Enter their full name.');
      if (!chosen.length) return refuse(boxes[0], 'Choose at least one role.');
      const full = name.value.trim();
      submit.disabled = true;
      let r;
      try {
        r = await api.command('add_user', { user: { id: uid, name: full, party: this.party, roles: chosen } });
      } catch (e2) {
        if (e2.code === 'unauthenticated') return;
        if (e2.code === 'conflict') refuse(id, `The login name ${uid} is taken already: choose another.`);
        else if (e2.code === 'bad_request') refuse(id, this.explain(e2));
        else err.show(this.explain(e2));
        return;
      } finally {
        submit.disabled = false;
      }
      form.reset();
      await this.load();
      this.showSecret('added', (r && r.user) || { id: uid, name: full }, r && r.password);
    });
    return form;
  }

  // partyForm adds another administration (add_party) with its first
  // admin, folded away: a rare act, and the new party's users are its own.
  partyForm() {
    const code = h('input', { id: 'new-party-id', autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', maxlength: '16' });
    const pname = h('input', { id: 'new-party-name', autocomplete: 'off', maxlength: '200' });
    const program = h('input', { id: 'new-party-program', autocomplete: 'off', maxlength: '200' });
    const adminId = h('input', { id: 'new-party-admin-id', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', maxlength: '64' });
    const adminName = h('input', { id: 'new-party-admin-name', autocomplete: 'off', maxlength: '200' });
    const err = errorBox();
    err.el.id = 'add-party-error';
    const submit = h('button', { type: 'submit', class: 'primary', id: 'add-party-submit' }, 'Add administration');
    this.partySummary = h('summary', { id: 'add-party-h' }, 'Add another administration');
    const form = h('form', { id: 'add-party', novalidate: true, 'aria-labelledby': 'add-party-h' },
      h('p', { class: 'muted' }, 'A new party to negotiate with, and the person who will administer it. You will not see or manage its users.'),
      field('Party code', code, 'A short code, such as JP.'), field('Name of the administration', pname), field('Its AEO program', program),
      h('fieldset', null, h('legend', null, 'Its first administrator'), field('Login name', adminId), field('Full name', adminName)),
      err.el, submit);
    for (const f of [code, pname, adminId]) f.addEventListener('input', () => f.removeAttribute('aria-invalid'));
    const refuse = (el, message) => { el.setAttribute('aria-invalid', 'true'); err.show(message); el.focus(); };
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      err.clear();
      const party = { id: code.value.trim(), name: pname.value.trim(), program: program.value.trim() };
      const admin = { id: adminId.value.trim(), name: adminName.value.trim() };
      if (!party.id) return refuse(code, 'Enter the party code.');
      if (!party.name) return refuse(pname, 'Enter the name of the administration.');
      if (!admin.id) return refuse(adminId, 'Enter the login name of its first administrator.');
      submit.disabled = true;
      let r;
      try {
        r = await api.command('add_party', { party, admin });
      } catch (e2) {
        if (e2.code === 'unauthenticated') return;
        const msg = this.explain(e2);
        if (e2.code === 'conflict') refuse(/login/i.test(e2.message) ? adminId : code, msg);
        else if (e2.code === 'bad_request') refuse(/^admin/i.test(e2.message) || /login/i.test(e2.message) ? adminId : code, msg);
        else err.show(msg);
        return;
      } finally {
        submit.disabled = false;
      }
      form.reset();
      const u = (r && (r.admin || r.user)) || { id: admin.id, name: admin.name, party: party.id };
      this.showSecret('party', { ...u, party: u.party || party.id }, r && r.password);
    });
    return h('details', { class: 'card add-party' }, this.partySummary, form);
  }
}

// copySecret puts the password on the clipboard; where the browser refuses
// (a page not served over HTTPS has no navigator.clipboard), it selects the
// text so that Ctrl+C copies it.
async function copySecret(el, password, status) {
  try {
    if (!navigator.clipboard) throw new Error('no clipboard');
    await navigator.clipboard.writeText(password);
    status.textContent = 'Copied to the clipboard.';
    return;
  } catch { /* select it instead */ }
  const range = document.createRange();
  range.selectNodeContents(el);
  const sel = getSelection();
  sel.removeAllRanges();
  sel.addRange(range);
  status.textContent = 'The password is selected: press Ctrl+C (⌘C on a Mac) to copy it.';
}
