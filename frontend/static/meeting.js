// meeting.js: meetings in the room (server/README "Meetings"; issue 13).
// While a meeting runs, a bar under the room's head shows it to everyone:
// its title, chair and parties present, the issue taken up, and, for a
// follower, "Following the chair" / "Step away" / "Follow again". The
// chair (or a negotiator of the chair's party) moves with "Previous issue"
// / "Next issue" through the shared open issues in the order of the text,
// or picks one; the page of everyone following scrolls to that issue's
// text and opens its thread (folding `meeting_focused` from the socket),
// but never moves the focus, nor hides the column or panel where it is.
// The move is read out in the polite live region.
//
// A negotiator of a party present records the focused issue's outcome
// (agreed, agreed ad referendum, bracket kept, an action); the outcome
// shows in the bar, on the issue's card and in the "Meetings" side panel,
// where a pending ad referendum is confirmed or withdrawn by its party
// (also after the meeting). "End meeting" (confirmed first) makes the
// minutes, shown in the panel with the approvals of each party present,
// "Approve minutes" / "Request changes" (bound to their SHA-256) and the
// downloads (html, docx). Past meetings stay listed there with their
// minutes.

import { h, replace, update, setText, when, announce, errorBox, field, select, radios, nextId, shortHash } from './dom.js';

export const OUTCOME_LABEL = {
  agreed: 'Agreed', ad_referendum: 'Agreed ad referendum', bracket_kept: 'Bracket kept', action: 'Action',
};

const enc = encodeURIComponent;
const has = (user, role) => (user.roles || []).includes(role);

// cut shortens s to n code points, with "…".
function cut(s, n) {
  const cps = [...String(s || '')];
  return cps.length > n ? cps.slice(0, n).join('') + '…' : cps.join('');
}

// and joins names in words: "US", "US and SG", "EX, SG and US".
function and(list) {
  const a = list || [];
  return a.length <= 1 ? a.join('') : `${a.slice(0, -1).join(', ')} and ${a[a.length - 1]}`;
}

// today is the UTC date, YYYY-MM-DD (the server's `due` is today or later).
function today() { return new Date().toISOString().slice(0, 10); }

// outcomeWords says a disposition in words.
export function outcomeWords(d) {
  switch (d.outcome) {
    case 'agreed': return `Agreed by ${and(d.parties)}`;
    case 'ad_referendum':
      if (d.confirmed === 'confirmed') return `Agreed: ad referendum, confirmed by ${d.owner}’s capital`;
      if (d.confirmed === 'withdrawn') return `Bracket kept: ad referendum withdrawn by ${d.owner}`;
      return `Agreed ad referendum, pending confirmation by ${d.owner}’s capital`;
    case 'bracket_kept': return 'Bracket kept';
    case 'action': return `Action for ${d.owner}, due ${d.due}: ${d.body}`;
    default: return OUTCOME_LABEL[d.outcome] || String(d.outcome || '');
  }
}

// issueOutcome is a thread's outcome in a meeting: the latest disposition
// that is not an action (null when none); actions are every action.
export function issueOutcome(m, thread) {
  const ds = m.dispositions.filter((d) => d.thread === thread);
  const last = ds.filter((d) => d.outcome !== 'action').pop() || null;
  return { outcome: last, actions: ds.filter((d) => d.outcome === 'action') };
}

export class Meetings {
  constructor(room) {
    this.room = room;
    this.away = new Set(); // meetings this page stepped away from
    this.form = null; // the disposition form, built when first asked for

    // ---- the bar, while a meeting runs ----
    this.barTitle = h('h2', { class: 'mt-title', id: 'mt-title', tabindex: '-1' });
    this.barWho = h('p', { class: 'mt-who', id: 'mt-who' });
    this.focusLine = h('p', { class: 'mt-focus', id: 'mt-focus', tabindex: '-1' });
    this.followState = h('span', { class: 'mt-follow-state', id: 'mt-follow-state' });
    this.followBtn = h('button', { type: 'button', class: 'small secondary', id: 'mt-follow', 'aria-describedby': 'mt-follow-state', onclick: () => this.toggleFollow() });
    this.prevBtn = h('button', { type: 'button', class: 'small secondary', id: 'mt-prev', onclick: () => this.step(-1) }, '‹ Previous issue');
    this.nextBtn = h('button', { type: 'button', class: 'small secondary', id: 'mt-next', onclick: () => this.step(1) }, 'Next issue ›');
    this.pick = h('select', { id: 'mt-pick', class: 'small', onchange: () => { this.picked = this.pick.value; } });
    this.picked = ''; // the issue the chair picked, until taken up
    this.takeBtn = h('button', { type: 'button', class: 'small secondary', id: 'mt-take', onclick: () => this.take(this.pick.value) }, 'Take up');
    this.chairCtl = h('div', { class: 'mt-chair', role: 'group', 'aria-label': 'Chair' },
      this.prevBtn, this.nextBtn,
      h('label', { for: 'mt-pick', class: 'mt-pick-label' }, 'Issue'), this.pick, this.takeBtn);
    this.recordBtn = h('button', { type: 'button', class: 'small', id: 'mt-record', onclick: () => this.openForm() }, 'Record the outcome…');
    this.endBtn = h('button', { type: 'button', class: 'small danger', id: 'mt-end', onclick: () => this.askEnd() }, 'End meeting…');
    this.endBox = h('div', { class: 'mt-end-confirm', id: 'mt-end-confirm', hidden: true });
    this.barErr = errorBox();
    this.barErr.el.id = 'mt-bar-error';
    this.formSlot = h('div', { class: 'mt-form-slot' });
    this.bar = h('section', { class: 'mt-bar', id: 'meeting-bar', 'aria-labelledby': 'mt-title', hidden: true },
      h('div', { class: 'mt-row' }, this.barTitle, this.barWho),
      h('div', { class: 'mt-row' }, this.focusLine),
      h('div', { class: 'mt-row mt-actions' }, h('span', { class: 'mt-follow' }, this.followState, ' ', this.followBtn),
        this.chairCtl, this.recordBtn, this.endBtn),
      this.endBox, this.barErr.el, this.formSlot);

    // ---- the side panel ----
    this.heading = h('h2', { id: 'meetings-h', tabindex: '-1' }, 'Meetings');
    this.startForm = this.buildStart();
    this.pendingList = h('div', { class: 'mt-pending', id: 'mt-pending' });
    this.list = h('div', { class: 'mt-list', id: 'mt-list' });
    this.el = h('div', { class: 'side meetings' }, this.heading, this.startForm, this.pendingList, this.list);
    this.views = new Map(); // meeting id → its section in the list
  }

  // running is the meeting that runs now, or null.
  running() { return this.room.st.meetings.find((m) => m.running) || null; }

  // canChair: the chair, or a negotiator of the chair's party.
  canChair(m) {
    const u = this.room.user;
    return !!m && m.running && !this.room.st.frozen && (m.chair === u.id || (has(u, 'negotiator') && u.party === m.chair_party));
  }

  canDispose(m) {
    const u = this.room.user;
    return !!m && m.running && !this.room.st.frozen && has(u, 'negotiator') && m.parties.includes(u.party);
  }

  following(m) { return !!m && !this.away.has(m.id); }

  // issues lists the shared open issues, in the order of the text.
  issues() {
    return this.room.st.sortedThreads().filter((t) => t.visibility === 'shared' && t.kind === 'open_issue' && t.status === 'open' && t.anchor);
  }

  // quote names a thread by its words.
  quote(id) {
    const t = this.room.st.threads.get(id);
    if (!t) return 'a thread';
    return t.anchor && t.anchor.quote ? `“${cut(t.anchor.quote, 80)}”` : `“${cut((t.messages[0] || {}).body, 80)}”`;
  }

  // ---- following the chair ----

  // ingest follows a live `meeting_focused` (after state.js folded it) and
  // reads out what the others did; live: it happened now.
  ingest(ev, live) {
    if (!live || !ev.kind.startsWith('meeting_') && ev.kind !== 'issue_disposed' && ev.kind !== 'minutes_approved' && ev.kind !== 'referendum_confirmed') return;
    const st = this.room.st;
    const d = ev.data || {};
    const m = st.meetings.find((x) => x.id === d.meeting);
    if (!m) return;
    const mine = ev.actor.user === this.room.user.id;
    const who = `${st.userName(ev.actor.user)} (${ev.actor.party})`;
    if (ev.kind === 'meeting_focused') {
      if (mine || !m.running) return;
      const where = this.where(d.thread);
      if (this.following(m)) {
        const moved = this.follow(d.thread);
        announce(`The chair took up ${where}.${moved ? '' : ' Your page stays where you are working; the meeting bar shows the issue.'}`);
      } else {
        announce(`The chair took up ${where}. You stepped away: “Follow again” goes there.`);
      }
      return;
    }
    if (mine) return;
    if (ev.kind === 'meeting_started') announce(`${who} started the meeting “${m.title}”.`);
    else if (ev.kind === 'meeting_ended') announce(`The meeting “${m.title}” ended. Its minutes are in the Meetings panel.`);
    else if (ev.kind === 'issue_disposed' && d.disposition) announce(`Recorded for ${this.quote(d.disposition.thread)}: ${outcomeWords(d.disposition)}.`);
    else if (ev.kind === 'minutes_approved') announce(`${who} ${d.decision === 'approve' ? 'approved' : 'requested changes to'} the minutes of “${m.title}”.`);
  }

  // where says an issue and its place: "open issue 2 of 5: “…”, raised by SG".
  where(id) {
    const t = this.room.st.threads.get(id);
    const issues = this.issues();
    const k = issues.findIndex((x) => x.id === id);
    const what = k >= 0 ? `open issue ${k + 1} of ${issues.length}` : t && t.kind === 'open_issue' ? 'an issue' : 'a thread';
    return `${what}: ${this.quote(id)}${t ? `, raised by ${t.party}` : ''}`;
  }

  // follow shows a thread as the chair took it up: the text scrolls to it
  // and its card opens, never moving the focus, and never hiding the
  // column (narrow window: the user's column stays) or the side panel where
  // someone is typing (a reply, a draft, a review). It answers whether
  // the page moved.
  follow(id) {
    const room = this.room;
    if (!room.st.threads.has(id)) return false;
    // someone is working in a column when the focus is in a field or form there
    const a = document.activeElement;
    const working = !!(a && a.closest && a.closest('input, textarea, select, [contenteditable], form'));
    const busy = (sel) => working && !!a.closest(sel);
    const narrow = window.matchMedia('(max-width: 1100px)').matches;
    if (room.view !== 'text' && !busy('#col-center')) room.showView('text', false);
    room.reader.markCurrent(id);
    const keepSide = room.side !== 'threads' && busy('#col-right');
    const keepPane = narrow && room.pane !== 'right' && busy('#col-center, #col-left');
    if (!keepSide) room.showSide('threads', false, !narrow || (!keepPane && room.pane === 'right'));
    room.threads.open(id, false);
    return !keepSide && (!narrow || room.pane === 'right' || room.view === 'text');
  }

  // joined shows, as the room opens during a meeting, the issue the chair
  // is on (the page follows from the start).
  joined() {
    const m = this.running();
    if (m && m.focus) this.follow(m.focus);
  }

  toggleFollow() {
    const m = this.running();
    if (!m) return;
    if (this.following(m)) {
      this.away.add(m.id);
      announce('You stepped away: your page no longer follows the chair.');
    } else {
      this.away.delete(m.id);
      if (m.focus) this.follow(m.focus);
      announce(`Following the chair again${m.focus ? `: ${this.where(m.focus)}` : ''}.`);
    }
    this.render();
  }

  // ---- the chair ----

  // step takes up the next (1) or previous (-1) open issue in the order
  // of the text, from the one in focus (or its place).
  step(dir) {
    const m = this.running();
    const issues = this.issues();
    if (!m || !issues.length) { announce('No open issues.'); return; }
    const k = this.stepIndex(m, issues, dir);
    if (k < 0) { announce(dir > 0 ? 'This is the last open issue.' : 'This is the first open issue.'); return; }
    this.take(issues[k].id);
  }

  stepIndex(m, issues, dir) {
    const i = issues.findIndex((t) => t.id === m.focus);
    if (i >= 0) return i + dir >= 0 && i + dir < issues.length ? i + dir : -1;
    const cur = m.focus && this.room.st.threads.get(m.focus);
    if (!cur || !cur.anchor) return dir > 0 ? 0 : issues.length - 1;
    const at = cur.anchor.start;
    if (dir > 0) return issues.findIndex((t) => t.anchor.start >= at);
    let k = issues.length - 1;
    while (k >= 0 && issues[k].anchor.start >= at) k -= 1;
    return k;
  }

  async take(thread) {
    const m = this.running();
    if (!m || !thread) return;
    this.barErr.clear();
    try {
      await this.room.run('focus_issue', { meeting: m.id, thread });
      m.focus = thread; // the event follows; the fold sets the same
      this.picked = '';
      if (!m.discussed.includes(thread)) m.discussed.push(thread);
      this.away.delete(m.id);
      this.follow(thread);
      announce(`Taken up: ${this.where(thread)}.`);
    } catch (err) {
      this.barErr.show(err);
    }
    this.room.render();
  }

  askEnd() {
    const m = this.running();
    if (!m) return;
    const q = h('p', { class: 'mt-confirm-q', id: 'mt-end-q', tabindex: '-1' },
      `End the meeting “${m.title}”? Its minutes are made now, from what was recorded, and cannot be changed afterwards.`);
    const yes = h('button', { type: 'button', class: 'danger small', id: 'mt-end-yes', onclick: () => this.end() }, 'End the meeting and make the minutes');
    const no = h('button', { type: 'button', class: 'secondary small', id: 'mt-end-no', onclick: () => { this.endBox.hidden = true; this.endBtn.focus(); } }, 'Cancel');
    replace(this.endBox, q, h('div', { class: 'buttons' }, yes, no));
    this.endBox.hidden = false;
    this.endBox.onkeydown = (e) => { if (e.key === 'Escape') { e.stopPropagation(); no.click(); } };
    q.focus();
  }

  async end() {
    const m = this.running();
    if (!m) return;
    this.barErr.clear();
    try {
      await this.room.run('end_meeting', { meeting: m.id });
      await this.room.settle(() => !m.running);
      this.endBox.hidden = true;
      announce(`The meeting “${m.title}” ended. Its minutes are shown in the Meetings panel.`);
      this.room.render();
      this.show(m.id);
    } catch (err) {
      this.barErr.show(err);
      this.room.render();
    }
  }

  // ---- recording an outcome ----

  openForm() {
    const m = this.running();
    if (!m || !m.focus) return;
    this.buildForm();
    const st = this.room.st;
    const me = this.room.user.party;
    this.formThread = m.focus;
    setText(this.formHead, `Outcome for ${this.quote(m.focus)}`);
    this.outcome.set('agreed');
    replace(this.agreedBox, h('legend', null, 'Agreed by'), m.parties.map((p) => {
      const c = h('input', { type: 'checkbox', value: p, id: nextId('mt-agreed'), checked: true });
      return h('label', { class: 'check', for: c.id }, c, ` ${st.partyName(p)} (${p})`);
    }));
    replace(this.capital, m.parties.map((p) => h('option', { value: p }, `${st.partyName(p)} (${p})`)));
    this.capital.value = m.parties.includes(me) ? me : m.parties[0];
    replace(this.owner, h('option', { value: '' }, 'Choose the party'), (st.meta.parties || []).map((p) => h('option', { value: p }, `${st.partyName(p)} (${p})`)));
    this.owner.value = '';
    this.due.value = '';
    this.due.min = today();
    this.body.value = '';
    this.formErr.clear();
    this.shape();
    this.form.hidden = false;
    this.formHead.focus();
  }

  buildForm() {
    if (this.form) return;
    this.formHead = h('h3', { class: 'mt-form-h', id: 'mt-form-h', tabindex: '-1' });
    this.outcome = radios('mt-outcome', [
      ['agreed', 'Agreed', 'by the parties ticked'],
      ['ad_referendum', 'Agreed ad referendum', 'pending confirmation by a capital'],
      ['bracket_kept', 'Bracket kept', 'no agreement yet'],
      ['action', 'Action', 'a party does something by a date'],
    ], 'agreed');
    this.outcome.el.addEventListener('change', () => this.shape());
    this.agreedBox = h('fieldset', { class: 'mt-agreed', id: 'mt-agreed' });
    this.capital = select([], '', { id: 'mt-capital' });
    this.owner = select([], '', { id: 'mt-owner' });
    this.due = h('input', { type: 'date', id: 'mt-due' });
    this.body = h('textarea', { id: 'mt-body', rows: '2', maxlength: '20000' });
    this.bodyLabel = h('label', { for: 'mt-body' });
    this.formErr = errorBox();
    this.formErr.el.id = 'mt-form-error';
    this.capitalField = field('Whose capital confirms', this.capital);
    this.ownerField = field('Party that acts', this.owner);
    this.dueField = field('Due date (today or later)', this.due);
    this.form = h('form', { class: 'mt-form', id: 'mt-dispose-form', novalidate: true, 'aria-labelledby': 'mt-form-h', hidden: true },
      this.formHead,
      h('fieldset', null, h('legend', null, 'Outcome'), this.outcome.el),
      this.agreedBox, this.capitalField, this.ownerField, this.dueField,
      h('div', { class: 'field' }, this.bodyLabel, this.body), this.formErr.el,
      h('div', { class: 'buttons' },
        h('button', { type: 'submit', class: 'primary', id: 'mt-dispose-submit' }, 'Record the outcome'),
        h('button', { type: 'button', class: 'secondary', id: 'mt-dispose-cancel', onclick: () => this.closeForm(true) }, 'Cancel')));
    this.form.addEventListener('submit', (e) => { e.preventDefault(); this.dispose(); });
    this.form.addEventListener('keydown', (e) => { if (e.key === 'Escape') { e.stopPropagation(); this.closeForm(true); } });
    this.form.addEventListener('input', () => this.formErr.clear());
    this.formSlot.append(this.form);
  }

  // shape shows the fields the chosen outcome takes.
  shape() {
    const o = this.outcome.value();
    this.agreedBox.hidden = o !== 'agreed';
    this.capitalField.hidden = o !== 'ad_referendum';
    this.ownerField.hidden = this.dueField.hidden = o !== 'action';
    setText(this.bodyLabel, o === 'action' ? 'What is to be done (required)' : 'Note for the minutes (optional)');
  }

  closeForm(refocus) {
    if (!this.form) return;
    this.form.hidden = true;
    this.formThread = '';
    if (refocus) (this.recordBtn.hidden ? this.focusLine : this.recordBtn).focus();
  }

  async dispose() {
    const m = this.running();
    const thread = this.formThread;
    if (!m || !thread) { this.closeForm(true); return; }
    const o = this.outcome.value();
    const body = this.body.value.trim();
    const f = { meeting: m.id, thread, outcome: o };
    if (body) f.body = body;
    if (o === 'agreed') {
      f.parties = [...this.agreedBox.querySelectorAll('input:checked')].map((c) => c.value);
      if (!f.parties.length) { this.formErr.show('Tick at least one party that agreed.'); this.agreedBox.querySelector('input').focus(); return; }
    } else if (o === 'ad_referendum') {
      f.owner = this.capital.value;
    } else if (o === 'action') {
      f.owner = this.owner.value;
      f.due = this.due.value;
      if (!f.owner) { this.formErr.show('Choose the party that acts.'); this.owner.focus(); return; }
      if (!f.due) { this.formErr.show('Choose the due date.'); this.due.focus(); return; }
      if (!body) { this.formErr.show('Say what is to be done.'); this.body.focus(); return; }
    }
    const submit = this.form.querySelector('#mt-dispose-submit');
    submit.disabled = true;
    try {
      const r = await this.room.run('dispose', f);
      const id = r && r.disposition && (r.disposition.id || r.disposition);
      await this.room.settle(() => m.dispositions.some((d) => d.id === id));
      const d = m.dispositions.find((x) => x.id === id);
      this.closeForm(false);
      this.room.render();
      this.focusLine.focus();
      announce(`Recorded for ${this.quote(thread)}: ${d ? outcomeWords(d) : OUTCOME_LABEL[o]}.`);
    } catch (err) {
      this.formErr.show(err);
    } finally {
      submit.disabled = false;
    }
  }

  // ---- the side panel ----

  buildStart() {
    this.startTitle = h('input', { id: 'mt-start-title', maxlength: '200', required: true });
    this.startParties = h('fieldset', { class: 'mt-parties', id: 'mt-start-parties' });
    this.startErr = errorBox();
    this.startErr.el.id = 'mt-start-error';
    const form = h('form', { class: 'mt-start-form', id: 'mt-start-form', novalidate: true, 'aria-label': 'Start a meeting' },
      field('Title', this.startTitle, 'For example: Round 4, video call'),
      this.startParties, this.startErr.el,
      h('button', { type: 'submit', class: 'primary', id: 'mt-start-submit' }, 'Start the meeting'));
    form.addEventListener('submit', (e) => { e.preventDefault(); this.start(); });
    form.addEventListener('input', () => this.startErr.clear());
    // folded once there are meetings, so that their minutes come first
    return h('details', { class: 'card mt-start', id: 'mt-start' },
      h('summary', { id: 'mt-start-h', onclick: () => { this.startTouched = true; } }, 'Start a meeting'), form);
  }

  async start() {
    const st = this.room.st;
    const title = this.startTitle.value.trim();
    const parties = [...this.startParties.querySelectorAll('input:checked')].map((c) => c.value);
    if (!title) { this.startErr.show('Give the meeting a title.'); this.startTitle.focus(); return; }
    if (parties.length < 2) { this.startErr.show('A meeting needs at least two parties present.'); this.startParties.querySelector('input:not([disabled])')?.focus(); return; }
    const submit = this.startForm.querySelector('#mt-start-submit');
    submit.disabled = true;
    try {
      const r = await this.room.run('start_meeting', { title, parties });
      const id = r && (r.id || r.meeting);
      await this.room.settle(() => st.meetings.some((m) => m.id === id));
      this.startTitle.value = '';
      this.startParties.mraKey = '';
      this.startTouched = false;
      this.room.render();
      this.barTitle.focus();
      announce(`The meeting “${title}” started. You chair it: “Next issue” takes up the first open issue.`);
    } catch (err) {
      this.startErr.show(err);
    } finally {
      submit.disabled = false;
    }
  }

  // show opens the panel, with the focus on a meeting's minutes (or the
  // panel's heading).
  show(id) {
    this.room.showSide('meetings', false);
    this.render();
    const v = id && this.views.get(id);
    (v ? v.heading : this.heading).focus();
  }

  render() {
    const room = this.room;
    const st = room.st;
    const m = this.running();
    this.renderBar(m);
    const pending = this.pending();
    room.sideTabs.buttons.get('meetings').classList.toggle('mt-tab-live', !!m);
    // open while the room has no meeting, folded once it has (unless the
    // user opened or closed it)
    if (!this.startTouched) this.startForm.open = st.meetings.length === 0;

    // start form: a negotiator, while none runs
    this.startForm.hidden = !!m || st.frozen || !has(room.user, 'negotiator');
    if (!this.startForm.hidden) {
      update(this.startParties, JSON.stringify(st.meta.parties), () => [h('legend', null, 'Parties present'),
        (st.meta.parties || []).map((p) => {
          const own = p === room.user.party;
          const c = h('input', { type: 'checkbox', value: p, id: `mt-start-${p}`, checked: true, disabled: own });
          return h('label', { class: 'check', for: c.id }, c, ` ${st.partyName(p)} (${p})${own ? ' — your party, always present' : ''}`);
        })]);
    }

    // pending ad referendum outcomes
    update(this.pendingList, JSON.stringify(pending.map(([mm, d]) => [mm.id, d.id, d.confirmed])), () => (pending.length ? [
      h('h3', { id: 'mt-pending-h' }, 'Waiting for capitals'),
      h('ul', { class: 'mt-pending-list', 'aria-labelledby': 'mt-pending-h' }, pending.map(([mm, d]) => this.pendingItem(mm, d)))] : null));

    // every meeting, the latest first
    const all = st.meetings.slice().reverse();
    const want = all.map((x) => this.view(x).el);
    if (!all.length) {
      update(this.list, 'none', () => h('p', { class: 'muted', id: 'mt-none' }, 'No meetings yet.'));
    } else {
      if (this.list.mraKey === 'none') { this.list.mraKey = ''; replace(this.list); }
      let prev = null;
      for (const el of want) {
        const at = prev ? prev.nextSibling : this.list.firstChild;
        if (el !== at) this.list.insertBefore(el, at);
        prev = el;
      }
    }
    for (const x of all) this.renderView(x);
    this.renderCards();
  }

  // pending lists the ad referendum outcomes waiting for a capital, as
  // [meeting, disposition].
  pending() {
    const out = [];
    for (const m of this.room.st.meetings) for (const d of m.dispositions) if (d.outcome === 'ad_referendum' && (d.confirmed || 'pending') === 'pending') out.push([m, d]);
    return out;
  }

  pendingItem(m, d) {
    const u = this.room.user;
    const mine = has(u, 'negotiator') && u.party === d.owner && !this.room.st.frozen;
    const note = mine ? h('input', { id: `mt-ref-note-${d.id}`, maxlength: '20000' }) : null;
    const err = errorBox();
    const go = (decision) => async (e) => {
      const b = e.currentTarget;
      b.disabled = true;
      err.clear();
      try {
        await this.room.run('confirm_referendum', { meeting: m.id, disposition: d.id, decision, ...(note.value.trim() ? { body: note.value.trim() } : {}) });
        await this.room.settle(() => d.confirmed !== 'pending' && d.confirmed);
        announce(decision === 'confirm' ? `Confirmed: ${this.quote(d.thread)} is agreed.` : `Withdrawn: the bracket on ${this.quote(d.thread)} is kept.`);
        this.room.render();
        this.heading.focus();
      } catch (x) {
        b.disabled = false;
        err.show(x);
      }
    };
    return h('li', { class: 'mt-pending-item', dataset: { disposition: d.id } },
      h('p', null, h('strong', null, this.quote(d.thread)), ` — ${outcomeWords(d)}; recorded by ${this.room.st.userName(d.by)} (${d.party}) in “${m.title}”, `, when(d.at), '.'),
      mine ? [field('Note (optional)', note),
        h('div', { class: 'buttons' },
          h('button', { type: 'button', class: 'small primary', dataset: { action: 'confirm' }, onclick: go('confirm') }, 'Confirm: our capital agrees'),
          h('button', { type: 'button', class: 'small secondary', dataset: { action: 'withdraw' }, onclick: go('withdraw') }, 'Withdraw the agreement')), err.el] : null);
  }

  renderBar(m) {
    const room = this.room;
    const st = room.st;
    this.bar.hidden = !m;
    if (!m) {
      if (this.form) this.closeForm(false);
      this.endBox.hidden = true;
      return;
    }
    setText(this.barTitle, `Meeting: ${m.title}`);
    setText(this.barWho, `Chaired by ${st.userName(m.chair)} (${m.chair_party}) · present: ${and(m.parties)}`);
    const f = m.focus;
    const o = f ? issueOutcome(m, f) : null;
    update(this.focusLine, JSON.stringify([f, o, f && st.threads.get(f) && st.threads.get(f).status, this.issues().length]), () => (f ? [
      h('span', { class: 'mt-label' }, 'Now: '), this.where(f), '. ',
      h('span', { class: 'mt-outcome', id: 'mt-outcome' }, o.outcome ? `Outcome: ${outcomeWords(o.outcome)}.` : 'No outcome recorded yet.'),
      o.actions.map((a) => [' ', h('span', { class: 'mt-action' }, `${outcomeWords(a)}.`)]),
    ] : 'No issue taken up yet.'));

    const chair = this.canChair(m);
    const isChair = m.chair === room.user.id;
    const follows = this.following(m);
    this.bar.classList.toggle('away', !isChair && !follows);
    this.followBtn.parentElement.hidden = isChair;
    setText(this.followState, follows ? 'Following the chair.' : 'You stepped away: your page stays where it is.');
    setText(this.followBtn, follows ? 'Step away' : 'Follow again');
    this.chairCtl.hidden = !chair;
    this.endBtn.hidden = !chair;
    if (chair) {
      const issues = this.issues();
      this.prevBtn.disabled = !issues.length || this.stepIndex(m, issues, -1) < 0;
      this.nextBtn.disabled = !issues.length || this.stepIndex(m, issues, 1) < 0;
      update(this.pick, JSON.stringify([issues.map((t) => [t.id, t.anchor.quote, t.party]), f]), () => (issues.length
        ? issues.map((t, k) => h('option', { value: t.id }, `${k + 1}. ${cut(t.anchor.quote, 60)} (${t.party})`))
        : h('option', { value: '' }, 'No open issues')));
      const shown = issues.some((t) => t.id === this.picked) ? this.picked : f;
      if (shown && issues.some((t) => t.id === shown)) this.pick.value = shown;
      this.takeBtn.disabled = !issues.length;
    }
    const ft = f && st.threads.get(f);
    this.recordBtn.hidden = !(this.canDispose(m) && ft && ft.kind === 'open_issue' && ft.status === 'open' && ft.visibility === 'shared');
  }

  // view returns (building it once) a meeting's section of the list.
  view(m) {
    let v = this.views.get(m.id);
    if (!v) {
      const hid = `mt-h-${m.id}`;
      v = { heading: h('h3', { id: hid, tabindex: '-1' }), body: h('div'), tail: h('div'), downloads: h('p', { class: 'mt-downloads', hidden: true }), key: '' };
      v.el = h('section', { class: 'card mt-meeting', dataset: { meeting: m.id }, 'aria-labelledby': hid }, v.heading, v.body, v.tail, v.downloads);
      this.views.set(m.id, v);
    }
    return v;
  }

  renderView(m) {
    const v = this.view(m);
    const st = this.room.st;
    // the minutes never change once made (their SHA-256 stands for them)
    const key = JSON.stringify([m.running, m.focus, m.discussed, m.dispositions.map((d) => [d.id, d.confirmed]), m.approvals, m.sha256, st.frozen, st.threads.size]);
    if (v.key === key) return;
    v.key = key;
    setText(v.heading, m.running ? `${m.title} (running)` : `Minutes: ${m.title}`);
    replace(v.body, m.running ? this.runningBody(m) : this.minutesBody(m));
    // the approval form is built once, so that a request being written
    // survives the others' approvals
    const u = this.room.user;
    const mayApprove = !m.running && (has(u, 'negotiator') || has(u, 'legal')) && m.parties.includes(u.party) && !st.frozen;
    if (mayApprove && !v.approve) { v.approve = this.approveForm(m); v.tail.append(v.approve.el); }
    if (v.approve) { v.approve.el.hidden = !mayApprove; v.approve.render(); }
    v.downloads.hidden = m.running;
    if (!m.running && !v.downloads.firstChild) {
      const base = `/api/negotiations/${enc(this.room.id)}/export?kind=minutes&meeting=${enc(m.id)}`;
      replace(v.downloads, 'Download the minutes: ',
        h('a', { href: `${base}&format=html`, download: '', dataset: { format: 'html' } }, 'HTML'), ' · ',
        h('a', { href: `${base}&format=docx`, download: '', dataset: { format: 'docx' } }, 'Word (docx)'));
    }
  }

  runningBody(m) {
    const st = this.room.st;
    return [
      h('p', { class: 'mt-meta' }, `Chaired by ${st.userName(m.chair)} (${m.chair_party}), since `, when(m.started_at), `. Present: ${and(m.parties)}.`),
      m.discussed.length ? h('ol', { class: 'mt-issues' }, m.discussed.map((id) => {
        const o = issueOutcome(m, id);
        return h('li', { dataset: { thread: id }, class: id === m.focus ? 'current' : null },
          h('button', { type: 'button', class: 'link', onclick: () => this.room.openThread(id) }, this.quote(id)),
          id === m.focus ? h('span', { class: 'pill' }, ' now') : null,
          h('span', { class: 'mt-outcome' }, ` — ${o.outcome ? outcomeWords(o.outcome) : 'no outcome yet'}.`),
          o.actions.map((a) => h('span', { class: 'mt-action' }, ` ${outcomeWords(a)}.`)));
      })) : h('p', { class: 'muted' }, 'No issue taken up yet.'),
    ];
  }

  minutesBody(m) {
    const st = this.room.st;
    const mi = m.minutes || {};
    const live = new Map(m.dispositions.map((d) => [d.id, d]));
    const actions = mi.actions || [];
    const owners = [...new Set(actions.map((a) => a.owner))];
    return [
      h('p', { class: 'mt-meta' }, `Chaired by ${st.userName(mi.chair || m.chair)} (${m.chair_party}); `, when(mi.started_at || m.started_at), ' to ', when(mi.ended_at || m.ended_at), '.'),
      h('p', { class: 'mt-present' }, h('strong', null, 'Present: '), (mi.parties || m.parties).map((p) => `${st.partyName(p)} (${p})`).join(', ')),
      h('h4', null, 'Issues'),
      (mi.issues || []).length ? h('ol', { class: 'mt-issues' }, mi.issues.map((it) => {
        const ds = (it.dispositions || []).map((d) => live.get(d.id) || d);
        const last = ds.filter((d) => d.outcome !== 'action').pop();
        return h('li', { dataset: { thread: it.thread } },
          h('p', null, h('q', null, cut(it.quote, 200)), ` — raised by ${it.raised_by}`),
          it.statement ? h('p', { class: 'm-body' }, it.statement) : null,
          h('p', { class: 'mt-outcome' }, h('strong', null, 'Outcome: '), last ? outcomeWords(last) : OUTCOME_LABEL[it.outcome] || 'none recorded',
            last && last.outcome === 'ad_referendum' && (it.dispositions || []).some((d) => d.id === last.id && (d.confirmed || 'pending') === 'pending') && last.confirmed !== 'pending'
              ? ' (after the meeting)' : '', '.'),
          ds.filter((d) => d !== last).length ? h('ul', { class: 'mt-dispositions' }, ds.filter((d) => d !== last).map((d) =>
            h('li', null, `${outcomeWords(d)} — ${st.userName(d.by)} (${d.party})`))) : null);
      })) : h('p', { class: 'muted' }, 'No issue was taken up.'),
      h('h4', null, 'Actions by party'),
      owners.length ? owners.map((p) => h('div', { class: 'mt-owner' }, h('p', null, h('strong', null, `${st.partyName(p)} (${p})`)),
        h('ul', null, actions.filter((a) => a.owner === p).map((a) => h('li', null, `Due ${a.due}: ${a.body}`, a.thread ? ` (on ${this.quote(a.thread)})` : ''))))) : h('p', { class: 'muted' }, 'No actions.'),
      h('h4', null, 'Versions proposed'),
      (mi.versions || []).length ? h('ul', null, mi.versions.map((x) => h('li', null, `Version ${x.version} by ${x.party}`, x.note ? `: ${x.note}` : '', ', ', when(x.at), ', SHA-256 ', shortHash(x.sha256)))) : h('p', { class: 'muted' }, 'None.'),
      h('p', { class: 'mt-sha' }, 'Minutes SHA-256 ', h('code', { class: 'hash-full' }, m.sha256)),
      h('h4', null, 'Approvals'),
      h('ul', { class: 'mt-approvals' }, m.parties.map((p) => {
        const as = m.approvals.filter((a) => a.party === p);
        return h('li', { dataset: { party: p } }, h('strong', null, `${p}: `), as.length ? as.map((a, k) => [k ? '; ' : '',
          `${a.decision === 'approve' ? 'approved' : 'requested changes'} by ${st.userName(a.user)}, `, when(a.at), a.body ? [': ', h('span', { class: 'm-body' }, a.body)] : '']) : 'not yet');
      })),
      h('p', { class: `mt-approved${m.approved ? ' ok' : ''}`, id: `mt-approved-${m.id}`, tabindex: '-1' }, m.approved ? '✓ Approved by every party present.' : `Not yet approved by every party present.`),
    ];
  }

  // approveForm is a party's "Approve minutes" / "Request changes…" for
  // an ended meeting, bound to its minutes' SHA-256.
  approveForm(m) {
    const body = h('textarea', { id: `mt-changes-${m.id}`, rows: '2', maxlength: '20000' });
    const err = errorBox();
    const mineLine = h('p', { class: 'hint mt-mine' });
    const send = async (decision, b) => {
      err.clear();
      const text = body.value.trim();
      if (decision === 'request_changes' && !text) { err.show('Say what should change.'); body.focus(); return; }
      b.disabled = true;
      try {
        await this.room.run('approve_minutes', { meeting: m.id, sha256: m.sha256, decision, ...(decision === 'request_changes' ? { body: text } : {}) });
        await this.room.settle(() => m.approvals.some((a) => a.user === this.room.user.id && a.decision === decision));
        if (decision === 'request_changes') { body.value = ''; changes.hidden = true; }
        announce(decision === 'approve' ? `You approved the minutes of “${m.title}”.` : `You asked for changes to the minutes of “${m.title}”.`);
        this.room.render();
        const line = document.getElementById(`mt-approved-${m.id}`);
        if (line) line.focus();
      } catch (x) {
        err.show(x);
      } finally {
        b.disabled = false;
      }
    };
    const approve = h('button', { type: 'button', class: 'small primary', dataset: { action: 'approve' }, onclick: (e) => send('approve', e.currentTarget) }, 'Approve minutes');
    const ask = h('button', { type: 'button', class: 'small secondary', dataset: { action: 'request-changes' }, 'aria-expanded': 'false', onclick: () => { changes.hidden = false; ask.setAttribute('aria-expanded', 'true'); body.focus(); } }, 'Request changes…');
    const changes = h('div', { class: 'mt-changes', hidden: true }, field('What should change (required)', body), h('div', { class: 'buttons' },
      h('button', { type: 'button', class: 'small primary', dataset: { action: 'send-changes' }, onclick: (e) => send('request_changes', e.currentTarget) }, 'Send the request'),
      h('button', { type: 'button', class: 'small secondary', onclick: () => { changes.hidden = true; ask.setAttribute('aria-expanded', 'false'); ask.focus(); } }, 'Cancel')));
    const el = h('div', { class: 'mt-approve' }, mineLine, h('div', { class: 'buttons' }, approve, ask), changes, err.el);
    return {
      el,
      render: () => {
        const mine = m.approvals.find((a) => a.user === this.room.user.id);
        mineLine.hidden = !mine;
        setText(mineLine, mine ? `Your decision: ${mine.decision === 'approve' ? 'approved' : 'changes requested'}. A new one replaces it.` : '');
        setText(approve, mine && mine.decision === 'approve' ? 'Approve again' : 'Approve minutes');
      },
    };
  }

  // renderCards puts each discussed issue's latest outcome on its card.
  renderCards() {
    const st = this.room.st;
    const by = new Map();
    for (const m of st.meetings) {
      for (const id of m.discussed) {
        const o = issueOutcome(m, id);
        if (o.outcome || o.actions.length) by.set(id, [m, o]);
      }
    }
    for (const [id, card] of this.room.threads.cards) {
      const got = by.get(id);
      let line = card.mtLine;
      if (!got) { if (line) line.hidden = true; continue; }
      if (!line) {
        line = card.mtLine = h('p', { class: 't-meeting' });
        (card.consent || card.el.firstChild).after(line);
      }
      line.hidden = false;
      const [m, o] = got;
      update(line, JSON.stringify([m.id, m.title, o]), () => [h('strong', null, `Meeting “${m.title}”: `),
        o.outcome ? outcomeWords(o.outcome) : 'no outcome yet', '.', o.actions.map((a) => ` ${outcomeWords(a)}.`)]);
    }
  }
}
