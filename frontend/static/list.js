// list.js: the user's negotiations with their status, and (for
// negotiators) the form that creates one.

import { api } from './api.js';
import { h, replace, errorBox, field, describeError } from './dom.js';
import { STATUS_LABEL } from './state.js';

export async function showList(app, main) {
  document.title = 'Negotiations — MRA';
  const heading = h('h1', { tabindex: '-1', id: 'page-title' }, 'Negotiations');
  const body = h('div', { class: 'list-body' }, h('p', { class: 'loading' }, 'Loading…'));
  const canCreate = (app.user.roles || []).includes('negotiator');
  const side = h('div', { class: 'list-side' });
  replace(main, h('div', { class: 'page list-page' },
    h('div', { class: 'list-main' }, heading,
      h('p', { class: 'muted' }, `Negotiations in which ${app.user.party} takes part.`), body), side));
  heading.focus({ preventScroll: true });

  // The list has no live feed in the contract: it is read again whenever
  // the tab comes back into view.
  const refresh = async () => {
    let negotiations;
    try {
      ({ negotiations } = await api.negotiations());
    } catch (err) {
      replace(body, h('p', { class: 'error', role: 'alert' }, describeError(err)));
      return;
    }
    if (!main.contains(heading)) return; // the user moved on
    replace(body, negotiations.length ? table(negotiations, app.user.party)
      : h('p', { class: 'empty' }, canCreate ? 'None yet. Create the first one.' : 'None yet. A negotiator of your administration creates one.'));
  };
  const onVisible = () => {
    if (!main.contains(heading)) document.removeEventListener('visibilitychange', onVisible);
    else if (document.visibilityState === 'visible') refresh();
  };
  document.addEventListener('visibilitychange', onVisible);
  const [, parties] = await Promise.all([refresh(), canCreate ? api.parties().then((r) => r.parties).catch(() => null) : null]);
  if (!main.contains(heading)) return;
  if (canCreate && parties) side.append(createForm(app, parties));
}

// table lists the negotiations; "Waiting on US" says how many threads
// wait on the user's party (the server's `waiting_on_me`), first.
function table(negotiations, party) {
  return h('table', { class: 'negotiations', id: 'negotiations' },
    h('thead', null, h('tr', null, ['Title', 'Parties', 'Status', `Waiting on ${party}`, 'Latest version'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', null, negotiations.map((n) => {
      const w = n.waiting_on_me;
      return h('tr', { class: w > 0 ? 'waits-on-us' : null, dataset: { waitingOnMe: w == null ? '' : String(w) } },
        h('td', null, h('a', { href: `#/n/${encodeURIComponent(n.id)}` }, n.title)),
        h('td', null, (n.parties || []).join(' · ')),
        h('td', null, h('span', { class: `badge st-${n.status}` }, STATUS_LABEL[n.status] || n.status)),
        h('td', { class: 'waiting' }, w == null ? '—' : w === 0 ? 'Nothing'
          : h('strong', { class: 'pill turn-us' }, `${w} thread${w === 1 ? '' : 's'} wait${w === 1 ? 's' : ''} on ${party}`)),
        h('td', null, n.latest_version ? `Version ${n.latest_version}` : '—'));
    })));
}

function createForm(app, parties) {
  const title = h('input', { id: 'new-title', required: true, maxlength: '200' });
  const others = parties.filter((p) => p.id !== app.user.party);
  const boxes = others.map((p) => h('input', { type: 'checkbox', value: p.id, id: `party-${p.id}`, checked: others.length === 1 }));
  const approvals = h('input', { type: 'number', id: 'new-approvals', min: '1', max: '20', value: '1' });
  const err = errorBox();
  const submit = h('button', { type: 'submit', class: 'primary', id: 'create-submit' }, 'Create negotiation');
  const form = h('form', { class: 'card create', 'aria-labelledby': 'create-h' },
    h('h2', { id: 'create-h' }, 'New negotiation'),
    field('Title', title),
    h('fieldset', null, h('legend', null, 'Other parties'),
      h('p', { class: 'muted' }, `${app.user.party} (your administration) takes part.`),
      others.length ? others.map((p, k) => h('label', { class: 'radio', for: boxes[k].id }, boxes[k], ' ', h('strong', null, p.id), ` — ${p.name}`))
        : h('p', null, 'No other administration is registered yet.')),
    field('Legal approvals required per party', approvals),
    err.el, submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    err.clear();
    const chosen = boxes.filter((b) => b.checked).map((b) => b.value);
    if (!chosen.length) { err.show('Choose at least one other party.'); return; }
    submit.disabled = true;
    try {
      const r = await api.command('create_negotiation', {
        title: title.value, parties: [app.user.party, ...chosen], required_approvals: Number(approvals.value) || 1,
      });
      location.hash = `#/n/${encodeURIComponent(r.negotiation)}`;
    } catch (e2) {
      err.show(e2);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}
