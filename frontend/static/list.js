// list.js: the user's negotiations with their status, and (for
// negotiators) the form that creates one.

import { api } from './api.js';
import { h, replace, errorBox, field, describeError } from './dom.js';
import { STATUS_LABEL } from './state.js';
import { reviewWords, daysUntil, reviewSoon } from './lifecycle.js';
import { listAgeing } from './ageing.js';

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
    replace(body, negotiations.length ? [reviewsAttention(negotiations), table(byReview(negotiations), app.user.party)]
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

// reviewState is how pressing a negotiation's periodic review is:
// 'overdue' (the server's review_overdue), 'soon' (due within reviewSoon
// days), or ''.
function reviewState(n) {
  if (!n.review_due) return '';
  if (n.review_overdue) return 'overdue';
  const days = daysUntil(n.review_due);
  return days >= 0 && days <= reviewSoon ? 'soon' : '';
}

// byReview puts the negotiations whose review is overdue first, then those
// due within reviewSoon days (the earliest first), then the rest in the
// server's order.
function byReview(negotiations) {
  const rank = (n) => ({ overdue: 0, soon: 1 })[reviewState(n)] ?? 2;
  return negotiations.map((n, i) => [n, i]).sort(([a, i], [b, j]) => rank(a) - rank(b)
    || (rank(a) < 2 ? String(a.review_due).localeCompare(String(b.review_due)) : 0) || i - j).map(([n]) => n);
}

// reviewsAttention says, above the table, how many reviews need attention.
function reviewsAttention(negotiations) {
  const overdue = negotiations.filter((n) => reviewState(n) === 'overdue').length;
  const soon = negotiations.filter((n) => reviewState(n) === 'soon').length;
  if (!overdue && !soon) return null;
  const parts = [];
  if (overdue) parts.push(`${overdue} periodic review${overdue === 1 ? ' is' : 's are'} overdue`);
  if (soon) parts.push(`${soon} ${soon === 1 ? 'is' : 'are'} due within ${reviewSoon} days`);
  return h('p', { class: `lc-attention${overdue ? ' overdue' : ''}`, id: 'reviews-attention' }, `${parts.join('; ')}. ${overdue + soon === 1 ? 'It is' : 'They are'} listed first.`);
}

// lifecycleLines are what the title cell says after signing: an
// amendment's "amends <title>", a signed text's next review (overdue
// marked, also in words) and its amendments.
function lifecycleLines(n, byId) {
  const out = [];
  if (n.amends) {
    const a = byId.get(n.amends);
    out.push(h('span', { class: 'lc-line lc-amends-of' }, 'amends ', h('a', { href: `#/n/${encodeURIComponent(n.amends)}` }, a ? a.title : n.amends)));
  }
  const state = reviewState(n);
  if (n.review_due) {
    const days = daysUntil(n.review_due);
    out.push(h('span', { class: `lc-line lc-review${state ? ` ${state}` : ''}` },
      state === 'overdue' ? h('strong', { class: 'pill overdue' }, 'Overdue') : state === 'soon' ? h('strong', { class: 'pill soon' }, days === 0 ? 'Today' : `In ${days} day${days === 1 ? '' : 's'}`) : null,
      state ? ' ' : null, reviewWords(n)));
  }
  if ((n.amended_by || []).length) {
    const k = n.amended_by.length;
    out.push(h('span', { class: 'lc-line' }, `${k} amendment${k === 1 ? '' : 's'}`));
  }
  return out;
}

// table lists the negotiations; "Waiting on US" says how many threads
// wait on the user's party (the server's `waiting_on_me`), first.
function table(negotiations, party) {
  const byId = new Map(negotiations.map((n) => [n.id, n]));
  return h('table', { class: 'negotiations', id: 'negotiations' },
    h('thead', null, h('tr', null, ['Title', 'Parties', 'Status', `Waiting on ${party}`, 'Open issues waiting', 'Latest version'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', null, negotiations.map((n) => {
      const w = n.waiting_on_me;
      const review = reviewState(n);
      return h('tr', { class: [w > 0 ? 'waits-on-us' : '', review ? `review-${review}` : ''].filter(Boolean).join(' ') || null, dataset: { id: n.id, waitingOnMe: w == null ? '' : String(w) } },
        h('td', null, h('a', { href: `#/n/${encodeURIComponent(n.id)}` }, n.title), lifecycleLines(n, byId)),
        h('td', null, (n.parties || []).join(' · ')),
        h('td', null, h('span', { class: `badge st-${n.status}` }, STATUS_LABEL[n.status] || n.status)),
        h('td', { class: 'waiting' }, w == null ? '—' : w === 0 ? 'Nothing'
          : h('strong', { class: 'pill turn-us' }, `${w} thread${w === 1 ? '' : 's'} wait${w === 1 ? 's' : ''} on ${party}`)),
        h('td', { class: 'ageing' }, listAgeing(n, party)), // ageing.js
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
