// meeting.js: meetings in the room (server/README "Meetings"; issue 13).
// While a meeting runs, a bar under the room's head shows it to everyone:
// its title, chair and parties present, the issue taken up, and, for a
// follower, "Following the chair" / "Step away" / "Follow again". The
// chair (or a negotiator of the chair's party) moves with "Previous issue"
// / "Next issue" through the shared open issues in the order of the text,
// or picks one; the page of everyone following scrolls to that issue's
// text and opens its thread (folding `meeting_focused` from the socket),
// but never moves the focus, nor hides the column (narrow window) or the
// panel where someone is typing. The move is read out in the polite live
// region.
//
// A negotiator of a party present records the focused issue's outcome
// (agreed, agreed ad referendum, bracket kept, an action); the outcome
// shows in the bar, on the issue's card and in the "Meetings" side panel,
// where a pending ad referendum is confirmed or withdrawn by its party
// (also after the meeting). "End meeting" (confirmed first) makes the
// minutes, which the panel (minutes.js) shows.

import { h, replace, update, setText, announce, errorBox, field, select, radios, nextId } from './dom.js';
import { MeetingsPanel, OUTCOME_LABEL, outcomeWords, issueOutcome, and, cut, has } from './minutes.js';

// today is the UTC date, YYYY-MM-DD (the server's `due` is today or later).
function today() { return new Date().toISOString().slice(0, 10); }

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

    // the side panel (minutes.js)
    this.panel = new MeetingsPanel(this);
    this.el = this.panel.el;
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

  // show opens the Meetings panel on a meeting's minutes (or its heading).
  show(id) { this.panel.show(id); }

  render() {
    const m = this.running();
    this.renderBar(m);
    this.room.sideTabs.buttons.get('meetings').classList.toggle('mt-tab-live', !!m);
    this.panel.render();
    this.renderCards();
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
