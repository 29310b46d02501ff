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
    for (const t of snap.threads || []) this.threads.set(t.id, normalizeThread(t));
    this.signOffs = (snap.sign_offs || []).map(({ stale, ...s }) => s);
    this.signatures = (snap.signatures || []).slice();
    // Server addition (asked for): the snapshot's stream heads. Without it we
    // subscribe from 0 and the idempotent fold absorbs the replay.
    const heads = snap.heads || {};
    this.heads = { shared: heads.shared || 0, internal: heads.internal || 0 };
    this.readiness = snap.readiness || this.computeReadiness();
    // Server addition: login ids of the parties' users → full names.
    this.names = snap.names || {};
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
        break;
      case 'thread_opened':
        if (!this.threads.has(d.thread)) {
          this.threads.set(d.thread, normalizeThread({
            id: d.thread, kind: d.kind, visibility: d.visibility, party: d.party, status: d.status,
            concurred: d.concurred, anchor: d.anchor, messages: [d.message], created_at: ev.at, author: ev.actor.user,
          }));
        }
        break;
      case 'reply_added':
        addMessage(this.threads.get(d.thread), d.message);
        break;
      case 'concurred': case 'resolved': case 'reopened': case 'withdrawn': {
        const t = this.threads.get(d.thread);
        if (t) {
          t.status = d.status;
          t.concurred = d.concurred || [];
          if (d.message) addMessage(t, d.message);
        }
        break;
      }
      case 'anchors_carried':
        for (const c of d.threads || []) {
          const t = this.threads.get(c.thread);
          if (!t) continue;
          t.anchor = { version: d.version, start: c.start, end: c.end, quote: c.quote ?? '', flag: c.flag };
          t.status = c.status;
        }
        break;
      case 'signed_off': {
        const i = this.signOffs.findIndex((s) => s.user === d.user && s.version === d.version);
        if (i >= 0) this.signOffs[i] = d; else this.signOffs.push(d);
        break;
      }
      case 'signed':
        if (!this.signatures.some((s) => s.party === d.party && s.version === d.version)) this.signatures.push(d);
        break;
      default:
        break; // a kind this page does not know yet: its head still moves on
    }
    this.heads[ev.stream] = ev.seq;
    this.readiness = this.computeReadiness();
    this.meta.status = this.readiness.status;
    this.meta.latest_version = this.versions.length;
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
      r.approvals[p] = { approved: 0, required: this.meta.required_approvals || 1, changes_requested: 0 };
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
      if (s.decision === 'approve') a.approved += 1; else a.changes_requested += 1;
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

function normalizeThread(t) {
  return { ...t, concurred: t.concurred || [], messages: (t.messages || []).slice() };
}

function addMessage(t, m) {
  if (t && m && !t.messages.some((x) => x.id === m.id)) t.messages.push(m);
}
