// ageing.js: how long open issues have waited (server/README "Ageing").
// The list of negotiations says, per party, how many open issues wait on it
// and how long the oldest has (the entry's `waiting`); the room's "Ageing"
// tab lists, per party, the open issues waiting on it, oldest first, each a
// link to its thread. Days are counted here, from the server's times to
// today's date on this computer (the reads do not depend on the date).

import { h, update, setText, when } from './dom.js';
import { compareTimes } from './state.js';
import { articleAt } from './text.js';

const dayMs = 86400000;

// daysSince counts the calendar days (local dates) from a contract time to
// now: 0 the same day; NaN for no time.
export function daysSince(iso, now = new Date()) {
  const t = new Date(iso);
  if (!iso || Number.isNaN(t.getTime())) return NaN;
  const day = (d) => Date.UTC(d.getFullYear(), d.getMonth(), d.getDate());
  return Math.max(0, Math.round((day(now) - day(t)) / dayMs));
}

// daysWords says a count of days waiting: "today", "1 day", "23 days".
export function daysWords(n) {
  if (Number.isNaN(n)) return '';
  return n === 0 ? 'today' : `${n.toLocaleString('en-GB')} day${n === 1 ? '' : 's'}`;
}

// oldestWords: "oldest 23 days", "oldest since today".
const oldestWords = (n) => (n === 0 ? 'oldest since today' : `oldest ${daysWords(n)}`);

// listAgeing is the list's cell for one negotiation entry: per party that
// open issues wait on (the user's own first, then in the entry's order),
// "Waiting on you: 4, oldest 23 days" / "Waiting on SG: 1, oldest 2 days".
export function listAgeing(n, me) {
  const w = n.waiting;
  if (!w || typeof w !== 'object') return '—';
  const order = [me, ...(n.parties || []).filter((p) => p !== me), ...Object.keys(w).filter((p) => p !== me && !(n.parties || []).includes(p))];
  const rows = order.filter((p) => w[p] && w[p].open_issues > 0).map((p) => {
    const { open_issues: k, oldest_since: since } = w[p];
    const days = daysSince(since);
    return h('li', { class: p === me ? 'ageing-us' : null, dataset: { party: p, openIssues: String(k), days: String(days) } },
      p === me ? h('strong', null, 'Waiting on you') : `Waiting on ${p}`,
      p === me ? h('span', { class: 'sr-only' }, ` (${p})`) : null,
      `: ${k.toLocaleString('en-GB')}, `, h('time', { datetime: since, title: since }, oldestWords(days)));
  });
  return rows.length ? h('ul', { class: 'ageing-cell' }, rows) : h('span', { class: 'muted' }, 'No open issue waits');
}

// Ageing is the room's "Ageing" side tab.
export class Ageing {
  constructor(room) {
    this.room = room;
    this.heading = h('h2', { id: 'ageing-h', tabindex: '-1' }, 'Ageing');
    this.body = h('div', { class: 'ageing-body', id: 'ageing-body' });
    this.el = h('div', { class: 'side ageing' }, this.heading,
      h('p', { class: 'muted' }, 'Open issues waiting on each party, oldest first. Days are counted to today’s date on this computer.'),
      this.body);
    this.outline = null; // the latest version's articles, once read (for each issue's article)
    this.outlineOf = 0;
  }

  // waiting returns, per party of the negotiation, the shared open issues
  // that wait on it, oldest first.
  waiting() {
    const st = this.room.st;
    const by = new Map((st.meta.parties || []).map((p) => [p, []]));
    for (const t of st.threads.values()) {
      if (t.kind !== 'open_issue' || t.status !== 'open' || t.visibility !== 'shared') continue;
      for (const p of t.waiting_on || []) if (by.has(p)) by.get(p).push(t);
    }
    for (const list of by.values()) {
      list.sort((a, b) => compareTimes(a.waiting_since, b.waiting_since) || String(a.id).localeCompare(String(b.id)));
    }
    return by;
  }

  render() {
    const room = this.room;
    const st = room.st;
    const latest = st.latest();
    if (latest && this.outlineOf !== latest.version) {
      this.outlineOf = latest.version;
      room.text(latest.version).then((t) => { if (this.outlineOf === t.version) { this.outline = t.outline; room.changed(); } }, () => {});
    }
    const me = room.user.party;
    const by = this.waiting();
    const parties = [me, ...[...by.keys()].filter((p) => p !== me)].filter((p) => by.has(p));
    const today = new Date().toDateString();
    const key = JSON.stringify([today, !!this.outline, parties.map((p) => [p, by.get(p).map((t) => [t.id, t.waiting_since, t.anchor && t.anchor.start])])]);
    const total = new Set([...by.values()].flat().map((t) => t.id)).size;
    setText(room.sideTabs.buttons.get('ageing'), total ? `Ageing (${total})` : 'Ageing');
    update(this.body, key, () => parties.map((p) => this.party(p, by.get(p), p === me)));
  }

  // party is one party's section: its open issues, oldest first.
  party(p, list, mine) {
    const id = `ageing-${p}`;
    const oldest = list.length ? daysSince(list[0].waiting_since) : NaN;
    return h('section', { class: `ageing-party${mine ? ' ageing-us' : ''}`, 'aria-labelledby': `${id}-h`, dataset: { party: p } },
      h('h3', { id: `${id}-h` }, mine ? `Waiting on you (${p})` : `Waiting on ${p}`,
        h('span', { class: 'ageing-count' }, list.length ? ` · ${list.length} open issue${list.length === 1 ? '' : 's'}, ${oldestWords(oldest)}` : ' · nothing')),
      list.length ? h('ol', { class: 'ageing-list', id }, list.map((t) => this.issue(t))) : h('p', { class: 'muted' }, 'No open issue waits on it.'));
  }

  issue(t) {
    const room = this.room;
    const days = daysSince(t.waiting_since);
    const a = t.anchor;
    const art = a && this.outline ? articleAt(this.outline, a.start) : null;
    const words = a && a.quote ? (a.quote.length > 80 ? `${a.quote.slice(0, 77)}…` : a.quote) : (t.messages[0] && t.messages[0].body) || '';
    const href = `#/n/${encodeURIComponent(room.id)}/t/${encodeURIComponent(t.id)}`;
    return h('li', { class: 'ageing-item', dataset: { thread: t.id, days: String(days) } },
      h('span', { class: 'ageing-days' }, days === 0 ? 'Today' : daysWords(days)), ' ',
      h('a', { href, class: 'ageing-link', onclick: (e) => { e.preventDefault(); room.openThread(t.id); } },
        art ? `${art.title}: ` : '', `“${words}”`),
      h('span', { class: 'muted ageing-meta' }, ` · raised by ${t.party} · waiting since `, when(t.waiting_since)));
  }
}
