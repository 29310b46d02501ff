// minutes.js: the room's "Meetings" side panel (server/README
// "Meetings"; issue 13): for a negotiator, "Start a meeting" (a title, the
// parties present); the ad referendum outcomes waiting for a capital, which
// a negotiator of that capital's party confirms or withdraws (during or
// after the meeting); and every meeting, the latest first: the running one
// with the issues taken up and their outcomes, an ended one with its
// minutes (present, issues with outcomes, actions by party, versions
// proposed, SHA-256), each present party's approvals, "Approve minutes" /
// "Request changes…" (bound to the SHA-256) and the downloads (html,
// docx). Also the words of outcomes, shared with meeting.js.

import { h, replace, update, setText, when, announce, errorBox, field, shortHash } from './dom.js';

const enc = encodeURIComponent;

export const OUTCOME_LABEL = {
  agreed: 'Agreed', ad_referendum: 'Agreed ad referendum', bracket_kept: 'Bracket kept', action: 'Action',
};

export const has = (user, role) => (user.roles || []).includes(role);

// cut shortens s to n code points, with "…".
export function cut(s, n) {
  const cps = [...String(s || '')];
  return cps.length > n ? cps.slice(0, n).join('') + '…' : cps.join('');
}

// and joins names in words: "US", "US and SG", "EX, SG and US".
export function and(list) {
  const a = list || [];
  return a.length <= 1 ? a.join('') : `${a.slice(0, -1).join(', ')} and ${a[a.length - 1]}`;
}

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

export class MeetingsPanel {
  // mt is the room's Meetings (meeting.js): the bar and the following.
  constructor(mt) {
    this.mt = mt;
    this.room = mt.room;
    this.heading = h('h2', { id: 'meetings-h', tabindex: '-1' }, 'Meetings');
    this.startForm = this.buildStart();
    this.pendingList = h('div', { class: 'mt-pending', id: 'mt-pending' });
    this.list = h('div', { class: 'mt-list', id: 'mt-list' });
    this.el = h('div', { class: 'side meetings' }, this.heading, this.startForm, this.pendingList, this.list);
    this.views = new Map(); // meeting id → its section in the list
  }

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
      this.mt.barTitle.focus();
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
        announce(decision === 'confirm' ? `Confirmed: ${this.mt.quote(d.thread)} is agreed.` : `Withdrawn: the bracket on ${this.mt.quote(d.thread)} is kept.`);
        this.room.render();
        this.heading.focus();
      } catch (x) {
        b.disabled = false;
        err.show(x);
      }
    };
    return h('li', { class: 'mt-pending-item', dataset: { disposition: d.id } },
      h('p', null, h('strong', null, this.mt.quote(d.thread)), ` — ${outcomeWords(d)}; recorded by ${this.room.st.userName(d.by)} (${d.party}) in “${m.title}”, `, when(d.at), '.'),
      mine ? [field('Note (optional)', note),
        h('div', { class: 'buttons' },
          h('button', { type: 'button', class: 'small primary', dataset: { action: 'confirm' }, onclick: go('confirm') }, 'Confirm: our capital agrees'),
          h('button', { type: 'button', class: 'small secondary', dataset: { action: 'withdraw' }, onclick: go('withdraw') }, 'Withdraw the agreement')), err.el] : null);
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
          h('button', { type: 'button', class: 'link', onclick: () => this.room.openThread(id) }, this.mt.quote(id)),
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
        h('ul', null, actions.filter((a) => a.owner === p).map((a) => h('li', null, `Due ${a.due}: ${a.body}`, a.thread ? ` (on ${this.mt.quote(a.thread)})` : ''))))) : h('p', { class: 'muted' }, 'No actions.'),
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

  render() {
    const room = this.room;
    const st = room.st;
    const m = this.mt.running();
    const pending = this.pending();
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
  }
}
