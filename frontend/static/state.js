// state.js: one negotiation as this user may see it. It starts from the
// snapshot (GET /api/negotiations/{id}) and folds events into it as the
// server's mra.Apply does. Every fold step sets absolute values or adds by
// id, so replaying events the snapshot already holds changes nothing in the
// end; `heads` counts what was folded per stream, for `since`.

export const STATUS_LABEL = {
  drafting: 'Drafting',
  negotiating: 'Negotiating',
  legal_review: 'Legal review',
  ready_to_sign: 'Ready to sign',
  signed: 'Signed',
};

export const KIND_LABEL = { consensus: 'Consensus', open_issue: 'Open issue', note: 'Note' };

export const THREAD_STATUS_LABEL = {
  proposed: 'Proposed', agreed: 'Agreed', void: 'Void', open: 'Open',
  resolved: 'Resolved', withdrawn: 'Withdrawn',
};

export class Negotiation {
  constructor(snap) {
    this.id = snap.negotiation.id;
    this.meta = { ...snap.negotiation };
    this.parties = snap.parties || [];
    this.versions = (snap.versions || []).slice();
    this.threads = new Map();
    for (const t of snap.threads || []) {
      const n = normalizeThread(t);
      // A server before "Whose turn" leaves the wait out: derive it, from
      // the last message (the best the snapshot tells).
      if (!Array.isArray(t.waiting_on)) {
        n.waiting_on = waitingOn(n, this.meta.parties || []);
        const last = n.messages[n.messages.length - 1];
        n.waiting_since = n.waiting_on.length ? (last ? last.at : '') : '';
      }
      n.waiting_since = n.waiting_since || ''; // null while it waits on nobody
      this.threads.set(t.id, n);
    }
    this.signOffs = (snap.sign_offs || []).map(({ stale, ...s }) => s);
    this.signatures = (snap.signatures || []).slice();
    // Server addition (asked for): the snapshot's stream heads. Without it we
    // subscribe from 0 and the idempotent fold absorbs the replay.
    const heads = snap.heads || {};
    this.heads = { shared: heads.shared || 0, internal: heads.internal || 0 };
    this.readiness = snap.readiness || this.computeReadiness();
    // Server addition: login ids of the parties' users → full names.
    this.names = snap.names || {};
    // meetings (server/README "Meetings"), in the order started
    this.meetings = (snap.meetings || []).map(normalizeMeeting);
    // Bracket options and their packages (server/README "Bracket options"),
    // in the order they were made; foldOption keeps them current.
    this.options = new Map((snap.options || []).map((o) => [o.id, { ...o, accepted_by: (o.accepted_by || []).slice() }]));
    this.packages = new Map((snap.packages || []).map((k) => [k.id, { ...k, options: (k.options || []).slice() }]));
    this.optionsRev = 0;
  }

  // userName returns a user's full name when the server gave it, else the login id.
  userName(id) { return this.names[id] || id; }

  latest() { return this.versions.length ? this.versions[this.versions.length - 1] : null; }

  version(n) { return this.versions[n - 1] || null; }

  partyName(id) {
    const p = this.parties.find((x) => x.id === id);
    return p && p.name ? p.name : id;
  }

  get frozen() { return this.readiness.status === 'signed'; }

  // next says how an event fits the heads: "old" (folded already), "next",
  // or "gap" (events before it are missing).
  next(ev) {
    const head = this.heads[ev.stream] || 0;
    if (ev.seq <= head) return 'old';
    return ev.seq === head + 1 ? 'next' : 'gap';
  }

  // apply folds one event (the caller checked next(ev) === "next").
  apply(ev) {
    const d = ev.data || {};
    switch (ev.kind) {
      case 'negotiation_created':
        Object.assign(this.meta, { title: d.title, parties: d.parties, required_approvals: d.required_approvals });
        break;
      case 'version_proposed':
        if (!this.version(d.version)) {
          this.versions.push({
            version: d.version, base: d.base, sha256: d.sha256, note: d.note,
            author: ev.actor.user, party: ev.actor.party, at: ev.at, length: d.length,
          });
        }
        if ((d.options || []).length) this.foldOption(ev);
        break;
      case 'thread_opened':
        if (!this.threads.has(d.thread)) {
          this.threads.set(d.thread, normalizeThread({
            id: d.thread, kind: d.kind, visibility: d.visibility, party: d.party, status: d.status,
            concurred: d.concurred, anchor: d.anchor, messages: [d.message], created_at: ev.at, author: ev.actor.user,
            waiting_on: [], waiting_since: '',
          }));
          this.wait(this.threads.get(d.thread), ev.at);
        }
        break;
      case 'reply_added': {
        const t = this.threads.get(d.thread);
        if (t && d.message && !t.messages.some((x) => x.id === d.message.id)) {
          addMessage(t, d.message);
          this.wait(t, ev.at);
        }
        break;
      }
      case 'concurred': case 'resolved': case 'reopened': case 'withdrawn': {
        const t = this.threads.get(d.thread);
        if (t) {
          t.status = d.status;
          t.concurred = d.concurred || [];
          if (d.message) addMessage(t, d.message);
          this.wait(t, ev.at);
        }
        break;
      }
      case 'anchors_carried':
        // One carry may come as several events (each a part of the
        // threads); each sets its own threads. A thread standing on this
        // version or a later one has had this carry (or the snapshot did).
        // An entry has no `original`: the thread keeps its own.
        for (const c of d.threads || []) {
          const t = this.threads.get(c.thread);
          if (!t || !t.anchor || t.anchor.version >= d.version) continue;
          t.anchor = { version: d.version, start: c.start, end: c.end, quote: c.quote ?? '', flag: c.flag, original: t.anchor.original };
          t.status = c.status;
          this.wait(t, ev.at);
        }
        break;
      case 'signed_off':
        this.foldSignOff(d, ev.stream);
        break;
      case 'signed':
        if (!this.signatures.some((s) => s.party === d.party && s.version === d.version)) this.signatures.push(d);
        break;
      case 'signature_withdrawn':
        this.signatures = this.signatures.filter((s) => !(s.party === d.party && s.version === d.version));
        break;
      // meetings (server/README "Meetings")
      case 'meeting_started': case 'meeting_focused': case 'issue_disposed':
      case 'referendum_confirmed': case 'meeting_ended': case 'minutes_approved':
        foldMeeting(this.meetings, ev);
        break;
      case 'option_added': case 'option_accepted': case 'option_acceptance_withdrawn':
      case 'option_withdrawn': case 'package_linked':
        this.foldOption(ev);
        break;
      default:
        break; // a kind this page does not know yet: its head still moves on
    }
    this.heads[ev.stream] = ev.seq;
    this.readiness = this.computeReadiness();
    this.meta.status = this.readiness.status;
    this.meta.latest_version = this.versions.length;
  }

  // foldOption folds a bracket option's event (and the options a
  // version_proposed incorporates), then derives every option's
  // `conditional` and `status` and every package's `complete` as the server
  // does: agreed when every party accepted it and it is not conditional,
  // conditional while it is in a package whose members are not all
  // accepted by every party. Each step sets or adds by id: a repeat changes
  // nothing.
  foldOption(ev) {
    const d = ev.data || {};
    const o = this.options.get(d.option);
    switch (ev.kind) {
      case 'option_added':
        if (!o) {
          this.options.set(d.option, {
            id: d.option, thread: d.thread, party: ev.actor.party, author: ev.actor.user, text: d.text,
            rationale: d.rationale, at: ev.at, accepted_by: [ev.actor.party], conditional: false, package: '', status: 'open',
          });
        }
        break;
      case 'option_accepted':
        if (o && !o.accepted_by.includes(d.party)) o.accepted_by.push(d.party);
        break;
      case 'option_acceptance_withdrawn':
        if (o) o.accepted_by = o.accepted_by.filter((p) => p !== d.party);
        break;
      case 'option_withdrawn':
        if (o) {
          o.status = 'withdrawn';
          const k = this.packages.get(o.package);
          if (k) k.options = k.options.filter((x) => x !== o.id);
          o.package = '';
        }
        break;
      case 'package_linked':
        if (!this.packages.has(d.package)) {
          this.packages.set(d.package, { id: d.package, title: d.title || '', options: (d.options || []).slice(), party: ev.actor.party, author: ev.actor.user, at: ev.at, complete: false });
          for (const id of d.options || []) { const m = this.options.get(id); if (m) m.package = d.package; }
        }
        break;
      case 'version_proposed':
        for (const id of d.options || []) {
          const m = this.options.get(id);
          if (m) { m.status = 'incorporated'; m.version = d.version; }
        }
        break;
      default:
        break;
    }
    this.deriveOptions();
    this.optionsRev += 1; // tells the views that options changed
  }

  // deriveOptions sets each option's conditional and status, and each
  // package's complete, as the server derives them (mra/option.go): a
  // package is complete when each member is accepted by every party or
  // taken into a version; a member of an incomplete package is
  // conditional; an option is agreed when every party accepted it and it
  // is not conditional (withdrawn and incorporated stay so).
  deriveOptions() {
    const parties = this.meta.parties || [];
    const all = (x) => !!x && parties.every((p) => x.accepted_by.includes(p));
    for (const k of this.packages.values()) {
      k.complete = k.options.every((id) => {
        const m = this.options.get(id);
        return !!m && (m.status === 'incorporated' || all(m));
      });
    }
    for (const o of this.options.values()) {
      const k = this.packages.get(o.package);
      o.conditional = !!k && !k.complete;
      if (o.status === 'withdrawn' || o.status === 'incorporated') continue;
      o.status = all(o) && !o.conditional ? 'agreed' : 'open';
    }
  }

  // optionsOf lists an issue's options, in the order they were offered.
  // (An index by issue, made again after options change: every card asks.)
  optionsOf(thread) {
    if (!this.byIssue || this.byIssueRev !== this.optionsRev) {
      this.byIssue = new Map();
      for (const o of this.options.values()) {
        if (!this.byIssue.has(o.thread)) this.byIssue.set(o.thread, []);
        this.byIssue.get(o.thread).push(o);
      }
      this.byIssueRev = this.optionsRev;
    }
    return this.byIssue.get(thread) || [];
  }

  // isRationale says whether a thread is an option's rationale note (shown
  // with its option, not among the threads).
  isRationale(thread) {
    if (!this.rationales || this.rationales.size !== this.options.size) {
      this.rationales = new Map([...this.options.values()].map((o) => [o.rationale, o.id]));
    }
    return this.rationales.has(thread);
  }

  // optionOfRationale returns the option whose rationale a thread is.
  optionOfRationale(thread) {
    return this.isRationale(thread) ? this.options.get(this.rationales.get(thread)) : null;
  }

  // wait sets a thread's waiting_on after an event at `at` folded into it,
  // as the server derives it (PROTOCOL.md "Whose turn"): waiting_since
  // moves to `at` only when the wait itself changed (who is waited on).
  wait(t, at) {
    const now = waitingOn(t, this.meta.parties || []);
    const same = now.length === (t.waiting_on || []).length && now.every((p, i) => p === t.waiting_on[i]);
    if (same) return;
    t.waiting_on = now;
    t.waiting_since = now.length ? at : '';
  }

  // waitingCount counts the threads that wait on a party.
  waitingCount(party) {
    let n = 0;
    for (const t of this.threads.values()) if ((t.waiting_on || []).includes(party)) n += 1;
    return n;
  }

  // foldSignOff folds a `signed_off` event. The shared one sets the
  // reviewer's sign-off on that version, in its place in the list; its
  // `body` is there only for a shared sign-off. The internal one (the
  // reviewer's own party's stream) carries the same fields and the body of
  // an internal sign-off: it only fills that in. The two may arrive in
  // either order and more than once: `at` tells the same sign-off (kept
  // with its body) from a later one (which replaces it) or an earlier one
  // (which changes nothing).
  foldSignOff(d, stream) {
    const { shared_seq: _, ...s } = d;
    const i = this.signOffs.findIndex((x) => x.user === s.user && x.version === s.version);
    if (i < 0) { this.signOffs.push(s); return; }
    const had = this.signOffs[i];
    const order = compareTimes(s.at, had.at);
    if (order < 0) return; // an earlier decision, replaced already
    if (order > 0) { this.signOffs[i] = s; return; }
    if (stream === 'internal') {
      if ('body' in s) had.body = s.body;
      return;
    }
    const keep = !('body' in s) && 'body' in had ? { body: had.body } : {};
    this.signOffs[i] = { ...s, ...keep };
  }

  // signatureOf returns a party's standing signature of the latest version.
  signatureOf(party) {
    const v = this.latest();
    return (v && this.signatures.find((s) => s.party === party && s.version === v.version && s.sha256 === v.sha256)) || null;
  }

  // signedParties lists the parties whose signature of the latest version
  // stands (while any does, no version can be proposed).
  signedParties() {
    return (this.meta.parties || []).filter((p) => this.readiness.signatures && this.readiness.signatures[p]);
  }

  // setReadiness takes the server's word (a `status` message).
  setReadiness(r) {
    this.readiness = r;
    this.meta.status = r.status;
  }

  // computeReadiness derives READINESS as the server does (PROTOCOL.md
  // "Status and readiness"); internal threads never count.
  computeReadiness() {
    const parties = this.meta.parties || [];
    const r = { status: 'drafting', version: 0, sha256: '', open_issues: 0, void_consensus: 0, approvals: {}, signatures: {} };
    for (const p of parties) {
      r.approvals[p] = { approved: 0, required: this.meta.required_approvals || 1, changes_requested: 0, changes_requested_by: [] };
      r.signatures[p] = false;
    }
    const v = this.latest();
    if (!v) return r;
    r.version = v.version;
    r.sha256 = v.sha256;
    for (const t of this.threads.values()) {
      if (t.visibility !== 'shared') continue;
      if (t.kind === 'open_issue' && t.status === 'open') r.open_issues += 1;
      if (t.kind === 'consensus' && t.status === 'void') r.void_consensus += 1;
    }
    for (const s of this.signOffs) {
      const a = r.approvals[s.party];
      if (!a || s.version !== v.version || s.sha256 !== v.sha256) continue;
      if (s.decision === 'approve') a.approved += 1;
      else { a.changes_requested += 1; a.changes_requested_by.push(s.user); }
    }
    for (const s of this.signatures) {
      if (s.version === v.version && s.sha256 === v.sha256 && s.party in r.signatures) r.signatures[s.party] = true;
    }
    const allSigned = parties.length > 0 && parties.every((p) => r.signatures[p]);
    const approved = parties.every((p) => r.approvals[p].approved >= r.approvals[p].required && r.approvals[p].changes_requested === 0);
    if (allSigned) r.status = 'signed';
    else if (r.open_issues > 0 || r.void_consensus > 0) r.status = 'negotiating';
    else if (!approved) r.status = 'legal_review';
    else r.status = 'ready_to_sign';
    return r;
  }

  // signOffView is the SIGN_OFF list with its stale flags.
  signOffView() {
    const v = this.latest();
    return this.signOffs.map((s) => ({ ...s, stale: !v || s.version !== v.version || s.sha256 !== v.sha256 }));
  }

  // lastApproval is a user's most recent `approve` (for "changes since").
  lastApproval(user) {
    let best = null;
    for (const s of this.signOffs) {
      if (s.user !== user || s.decision !== 'approve') continue;
      if (!best || s.version > best.version) best = s;
    }
    return best;
  }

  // visibleThreads returns the threads in reading order: general notes
  // first, then by where their anchor starts.
  sortedThreads() {
    return [...this.threads.values()].sort((a, b) => {
      const pa = a.anchor ? a.anchor.start : -1;
      const pb = b.anchor ? b.anchor.start : -1;
      if (pa !== pb) return pa - pb;
      return String(a.created_at).localeCompare(String(b.created_at));
    });
  }
}

// compareTimes orders two contract times (RFC 3339 in UTC, fractions of
// any length): negative, zero or positive. Date would round to milliseconds.
export function compareTimes(a, b) {
  const key = (t) => {
    const m = /^(.*?)(?:\.(\d+))?Z$/.exec(String(t || ''));
    return m ? `${m[1]}.${(m[2] || '').padEnd(9, '0')}` : String(t || '');
  };
  const ka = key(a), kb = key(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

// waitingOn says which parties a thread waits on (PROTOCOL.md "Whose
// turn"), in the negotiation's order of parties: a shared open issue that
// is open waits on the raising party when the last message is another
// party's, on every other party when it is the raising party's; a shared
// proposed consensus on the parties that have not concurred, a void one on
// every party; anything else on nobody.
export function waitingOn(t, parties) {
  if (t.visibility !== 'shared') return [];
  if (t.kind === 'open_issue' && t.status === 'open') {
    const last = t.messages[t.messages.length - 1];
    if (!last) return [];
    return last.party === t.party ? parties.filter((p) => p !== t.party) : [t.party];
  }
  if (t.kind === 'consensus' && t.status === 'proposed') return parties.filter((p) => !(t.concurred || []).includes(p));
  if (t.kind === 'consensus' && t.status === 'void') return parties.slice();
  return [];
}

function normalizeThread(t) {
  return { ...t, concurred: t.concurred || [], messages: (t.messages || []).slice() };
}

function addMessage(t, m) {
  if (t && m && !t.messages.some((x) => x.id === m.id)) t.messages.push(m);
}

// ---- meetings (server/README "Meetings"; issue 13) ----

function normalizeMeeting(m) {
  return {
    ...m, parties: m.parties || [], discussed: (m.discussed || []).slice(),
    dispositions: (m.dispositions || []).map((d) => ({ ...d })), approvals: (m.approvals || []).slice(),
    focus: m.focus || '', minutes: m.minutes || null, sha256: m.sha256 || '',
  };
}

// foldMeeting folds one meeting event into the list of meetings as the
// server's Apply does; each step sets values or adds by id, so a repeat
// changes nothing.
export function foldMeeting(meetings, ev) {
  const d = ev.data || {};
  if (ev.kind === 'meeting_started') {
    if (!meetings.some((m) => m.id === d.meeting)) {
      meetings.push(normalizeMeeting({
        id: d.meeting, title: d.title, chair: ev.actor.user, chair_party: ev.actor.party, parties: d.parties,
        started_at: ev.at, ended_at: null, running: true, approved: false,
      }));
    }
    return;
  }
  const m = meetings.find((x) => x.id === d.meeting);
  if (!m) return;
  const discuss = (thread) => { if (thread && !m.discussed.includes(thread)) m.discussed.push(thread); };
  switch (ev.kind) {
    case 'meeting_focused':
      if (m.running) m.focus = d.thread;
      discuss(d.thread);
      break;
    case 'issue_disposed': {
      const x = d.disposition;
      if (x && !m.dispositions.some((y) => y.id === x.id)) m.dispositions.push({ ...x });
      if (x) discuss(x.thread);
      break;
    }
    case 'referendum_confirmed': {
      const x = m.dispositions.find((y) => y.id === d.disposition);
      if (x) x.confirmed = d.decision === 'confirm' ? 'confirmed' : 'withdrawn';
      break;
    }
    case 'meeting_ended':
      m.running = false;
      m.focus = ''; // as the server: no focus once ended
      m.ended_at = ev.at;
      m.minutes = d.minutes || null;
      m.sha256 = d.sha256 || '';
      break;
    case 'minutes_approved': {
      const a = { user: ev.actor.user, party: ev.actor.party, decision: d.decision, body: d.body || '', at: ev.at };
      const i = m.approvals.findIndex((y) => y.user === a.user);
      if (i < 0) m.approvals.push(a);
      else if (compareTimes(a.at, m.approvals[i].at) >= 0) m.approvals[i] = a;
      m.approved = m.parties.length > 0 && m.parties.every((p) => m.approvals.some((y) => y.party === p && y.decision === 'approve'));
      break;
    }
    default:
      break;
  }
}
