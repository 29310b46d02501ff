// lifecycle.js: after signing (PROTOCOL.md "Lifecycle after signing"). A
// signed negotiation's room gets a bar under the signed banner (the next
// review, the amendments) and the "Signed" side panel: the next periodic
// review (its due date, "overdue" once the server says its day has passed),
// the amendments with their status, and for negotiators the forms that
// schedule the next review (`schedule_review`) and start an amendment
// (`create_negotiation` with `amends`: its version 1 is the signed text).
// An amendment's room says which signed text it amends, linking back.
//
// The titles and statuses of linked negotiations come from
// GET /api/negotiations, read when the room opens, when the panel is shown
// and when the tab comes back into view: an amendment's creation is an
// event of the new negotiation, not of the signed one.

import { api } from './api.js';
import { h, update, setText, errorBox, field, when, announce, describeError } from './dom.js';
import { STATUS_LABEL } from './state.js';

// dayMs is one day in milliseconds.
const dayMs = 86400000;

// daysUntil says how many days from today (UTC) to a YYYY-MM-DD date:
// 0 today, negative once past; NaN for anything else.
export function daysUntil(due, now = Date.now()) {
  const t = Date.parse(`${due}T00:00:00Z`);
  const today = Math.floor(now / dayMs) * dayMs;
  return Number.isNaN(t) ? NaN : Math.round((t - today) / dayMs);
}

// reviewSoon is how many days ahead a review counts as coming up.
export const reviewSoon = 30;

// reviewWords says a negotiation's review in words: "Review overdue since
// 2027-06-30" (the server's review_overdue), "Review due 2027-06-30", or ''.
export function reviewWords(n) {
  if (!n.review_due) return '';
  return n.review_overdue ? `Review overdue since ${n.review_due}` : `Review due ${n.review_due}`;
}

export class Lifecycle {
  constructor(room) {
    this.room = room;
    this.known = new Map(); // negotiation id → its list entry (title, status…)
    this.review = null; // {due, body, user, party, at} once an event told it
    this.titleEdited = false;

    // In an amendment's room, under the title: what it amends.
    this.amendsLine = h('p', { class: 'lc-amends', id: 'amends-line', hidden: true });

    // Under the signed banner: the review and the amendments at a glance.
    this.barText = h('span', { class: 'lc-bar-text' });
    this.barOpen = h('button', { type: 'button', class: 'secondary small', id: 'lifecycle-open', onclick: () => this.show(true) }, 'Reviews and amendments');
    this.bar = h('div', { class: 'lc-bar', id: 'lifecycle-bar', hidden: true }, this.barText, ' ', this.barOpen);

    // the side panel
    this.heading = h('h2', { id: 'lifecycle-h', tabindex: '-1' }, 'Signed text: reviews and amendments');
    this.signedLine = h('p', { class: 'lc-signed' });
    this.dueLine = h('p', { class: 'lc-due', id: 'lc-review-due', tabindex: '-1' });
    this.noteLine = h('p', { class: 'lc-note', id: 'lc-review-note', hidden: true });
    this.reviewForm = this.buildReviewForm();
    this.amendList = h('ul', { class: 'lc-amendments', id: 'lc-amendments' });
    this.amendForm = this.buildAmendForm();
    this.el = h('div', { class: 'side lifecycle' }, this.heading, this.signedLine,
      h('section', { class: 'card lc-review', 'aria-labelledby': 'lc-review-h' },
        h('h3', { id: 'lc-review-h' }, 'Periodic review'), this.dueLine, this.noteLine, this.reviewForm),
      h('section', { class: 'card lc-amend', 'aria-labelledby': 'lc-amend-h' },
        h('h3', { id: 'lc-amend-h' }, 'Amendments'), this.amendList, this.amendForm));

    this.onVisible = () => { if (document.visibilityState === 'visible') this.refresh(); };
    document.addEventListener('visibilitychange', this.onVisible);
  }

  close() { document.removeEventListener('visibilitychange', this.onVisible); }

  buildReviewForm() {
    this.dateInput = h('input', { type: 'date', id: 'lc-review-date', required: true });
    this.noteInput = h('textarea', { id: 'lc-review-note-input', rows: '2', maxlength: '20000' });
    this.reviewErr = errorBox();
    this.reviewErr.el.id = 'lc-review-error';
    this.reviewSubmit = h('button', { type: 'submit', class: 'primary', id: 'lc-review-submit' }, 'Schedule the review');
    const form = h('form', { class: 'lc-form', id: 'lc-review-form', novalidate: true, 'aria-labelledby': 'lc-review-form-h' },
      h('h4', { id: 'lc-review-form-h' }, 'Schedule the next review'),
      field('Date of the next review (today or later)', this.dateInput, 'Every party sees the date and the note.'),
      field('Note (optional)', this.noteInput), this.reviewErr.el, this.reviewSubmit);
    for (const el of [this.dateInput, this.noteInput]) el.addEventListener('input', () => this.reviewErr.clear());
    form.addEventListener('submit', (e) => { e.preventDefault(); this.schedule(); });
    return form;
  }

  buildAmendForm() {
    this.titleInput = h('input', { id: 'lc-amend-title', required: true, maxlength: '200' });
    this.titleInput.addEventListener('input', () => { this.titleEdited = true; this.amendErr.clear(); });
    this.amendHint = h('p', { class: 'hint', id: 'lc-amend-hint' });
    this.amendErr = errorBox();
    this.amendErr.el.id = 'lc-amend-error';
    this.amendSubmit = h('button', { type: 'submit', class: 'primary', id: 'lc-amend-submit', 'aria-describedby': 'lc-amend-hint' }, 'Start the amendment');
    const form = h('form', { class: 'lc-form', id: 'lc-amend-form', novalidate: true, 'aria-labelledby': 'lc-amend-form-h' },
      h('h4', { id: 'lc-amend-form-h' }, 'Start an amendment'),
      field('Title of the amendment', this.titleInput), this.amendHint, this.amendErr.el, this.amendSubmit);
    form.addEventListener('submit', (e) => { e.preventDefault(); this.amend(); });
    return form;
  }

  // ingest folds a lifecycle event into the room's state (after
  // state.js's own fold, which passes kinds it does not know); live: it
  // happened now, so another user's is read out.
  ingest(ev, live) {
    if (ev.kind !== 'review_scheduled') return;
    const d = ev.data || {};
    const meta = this.room.st.meta;
    meta.review_due = d.due;
    meta.review_overdue = false; // the server takes only today or later
    this.review = { due: d.due, body: d.body || '', user: ev.actor.user, party: ev.actor.party, at: ev.at };
    if (live && ev.actor.user !== this.room.user.id) {
      announce(`${this.room.st.userName(ev.actor.user)} (${ev.actor.party}) scheduled the next review: due ${d.due}.`);
    }
  }

  // refresh reads the list of negotiations for the linked ones' titles and
  // statuses (and amendments made since the room opened).
  async refresh() {
    const meta = this.room.st && this.room.st.meta;
    if (!meta || this.room.closed || !(meta.amends || this.room.st.frozen)) return;
    try {
      const { negotiations } = await api.negotiations();
      this.known = new Map((negotiations || []).map((n) => [n.id, n]));
    } catch {
      return; // the links still show, by id; the next refresh may do better
    }
    if (!this.room.closed) this.room.changed();
  }

  // amendments lists the negotiations that amend this one, oldest first.
  amendments() {
    const id = this.room.id;
    const ids = new Set(this.room.st.meta.amended_by || []);
    const self = this.known.get(id);
    for (const x of (self && self.amended_by) || []) ids.add(x);
    for (const n of this.known.values()) if (n.amends === id) ids.add(n.id);
    return [...ids].map((x) => this.known.get(x) || { id: x, title: x }).sort((a, b) => String(a.created_at || '').localeCompare(String(b.created_at || '')) || String(a.id).localeCompare(String(b.id)));
  }

  // show opens the panel (in a half-screen window, its column); focus puts
  // the focus on its heading.
  show(focus) {
    this.room.showSide('lifecycle', false);
    this.refresh();
    if (focus) this.heading.focus();
  }

  render() {
    const room = this.room;
    const st = room.st;
    const meta = st.meta;
    const signed = st.frozen;

    this.amendsLine.hidden = !meta.amends;
    if (meta.amends) {
      const a = this.known.get(meta.amends);
      const latest = st.latest();
      update(this.amendsLine, JSON.stringify([meta.amends, a && a.title, a && a.status, latest && latest.version]), () => [
        'Amends ', h('a', { href: `#/n/${encodeURIComponent(meta.amends)}`, id: 'amends-link' }, a ? a.title : meta.amends),
        a ? ` (${STATUS_LABEL[a.status] || a.status})` : '', '. Version 1 is its signed text.',
        // the amendment is the redline of the signed text to the latest version
        latest && latest.version > 1 ? [' ', h('button', {
          type: 'button', class: 'link', id: 'amends-redline',
          onclick: () => { room.showColumn('text'); room.compare.show(1, latest.version); },
        }, `Show what it changes (version 1 → ${latest.version})`)] : null]);
    }

    this.bar.hidden = !signed;
    if (!signed) return;
    const amendments = this.amendments();
    const words = reviewWords(meta);
    setText(this.barText, `${words ? `${words}.` : 'No periodic review scheduled.'} ${amendments.length === 0 ? 'No amendments.' : `${amendments.length} amendment${amendments.length === 1 ? '' : 's'}.`}`);
    this.bar.classList.toggle('overdue', !!meta.review_overdue);

    const r = st.readiness;
    update(this.signedLine, r.sha256, () => [`Version ${r.version} is signed by every party; its text is frozen. SHA-256 `, h('code', { class: 'hash-full' }, r.sha256), '.']);
    update(this.dueLine, JSON.stringify([meta.review_due, meta.review_overdue]), () => {
      if (!meta.review_due) return 'No periodic review is scheduled yet.';
      const days = daysUntil(meta.review_due);
      if (meta.review_overdue) return [h('strong', { class: 'pill overdue' }, 'Overdue'), ' ', `The periodic review is overdue since ${meta.review_due}.`];
      return [`Next review due ${meta.review_due}`, days >= 0 && days <= reviewSoon ? [' ', h('strong', { class: 'pill soon' }, days === 0 ? 'today' : `in ${days} day${days === 1 ? '' : 's'}`)] : null, '.'];
    });
    // the review as an event told it, or as the snapshot holds it
    const held = meta.review && meta.review.due === meta.review_due
      ? { due: meta.review.due, body: meta.review.body || '', user: meta.review.by, party: meta.review.party, at: meta.review.at } : null;
    const rv = this.review && this.review.due === meta.review_due ? this.review : held;
    this.noteLine.hidden = !rv;
    if (rv) {
      update(this.noteLine, JSON.stringify(rv), () => [`Scheduled by ${st.userName(rv.user)} (${rv.party}), `, when(rv.at), rv.body ? [': ', h('span', { class: 'm-body' }, rv.body)] : '.']);
    }

    const neg = room.may.isNegotiator;
    this.reviewForm.hidden = !neg;
    this.amendForm.hidden = !neg;
    update(this.amendList, JSON.stringify(amendments.map((a) => [a.id, a.title, a.status])), () => (amendments.length
      ? amendments.map((a) => h('li', { dataset: { id: a.id } },
        h('a', { href: `#/n/${encodeURIComponent(a.id)}` }, a.title), ' ',
        a.status ? h('span', { class: `badge st-${a.status}` }, STATUS_LABEL[a.status] || a.status) : null))
      : h('li', { class: 'muted' }, 'None yet.')));
    if (neg) {
      if (!this.titleEdited) this.titleInput.value = `Amendment ${amendments.length + 1} to ${meta.title}`;
      update(this.amendHint, JSON.stringify([r.version, r.sha256, meta.parties]), () =>
        `The amendment is a new negotiation between ${(meta.parties || []).join(' and ')}; its version 1 is the signed text (version ${r.version}, SHA-256 ${String(r.sha256).slice(0, 12)}…), and its redlines show what the amendment changes.`);
    }
  }

  async schedule() {
    const room = this.room;
    this.reviewErr.clear();
    const due = this.dateInput.value;
    if (!due) {
      this.reviewErr.show('Choose the date of the next review.');
      this.dateInput.focus();
      return;
    }
    this.reviewSubmit.disabled = true;
    let ok = false;
    try {
      const res = await room.run('schedule_review', { due, body: this.noteInput.value });
      const meta = room.st.meta;
      meta.review_due = (res && res.review_due) || due;
      meta.review_overdue = false;
      this.noteInput.value = '';
      this.dateInput.value = '';
      ok = true;
      announce(`The next review is scheduled: due ${meta.review_due}.`);
      await room.settle(() => !!this.review && this.review.due === meta.review_due);
    } catch (err) {
      this.reviewErr.show(err);
      this.dateInput.focus();
    } finally {
      this.reviewSubmit.disabled = false;
      room.render();
      if (ok) this.dueLine.focus();
    }
  }

  async amend() {
    const room = this.room;
    const meta = room.st.meta;
    this.amendErr.clear();
    const title = this.titleInput.value.trim();
    if (!title) {
      this.amendErr.show('Give the amendment a title.');
      this.titleInput.focus();
      return;
    }
    this.amendSubmit.disabled = true;
    try {
      const r = await api.command('create_negotiation', {
        title, parties: meta.parties, required_approvals: meta.required_approvals || 1, amends: room.id,
      });
      announce(`Amendment “${title}” started; version 1 is the signed text.`);
      location.hash = `#/n/${encodeURIComponent(r.negotiation)}`; // the new room takes the focus
    } catch (err) {
      this.amendErr.show(err.code === 'bad_request' ? `The amendment was not started: ${describeError(err)}` : err);
      this.titleInput.focus();
    } finally {
      this.amendSubmit.disabled = false;
    }
  }
}
