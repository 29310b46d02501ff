// presence.js: who is online in this negotiation, per party, and which
// article each is looking at (`presence` messages); and a short feed of
// what just happened, from live events.

import { h, update, announce } from './dom.js';
import { articleAt } from './text.js';
import { KIND_LABEL } from './state.js';

export class People {
  constructor(room) {
    this.room = room;
    this.users = []; // [{user, party, focus}]
    this.list = h('div', { class: 'people-list' });
    this.feed = h('ol', { class: 'activity' });
    this.el = h('div', { class: 'people' },
      h('section', { 'aria-labelledby': 'online-h' }, h('h2', { id: 'online-h' }, 'Online'), this.list),
      h('section', { 'aria-labelledby': 'activity-h' }, h('h2', { id: 'activity-h' }, 'Recent activity'), this.feed));
    this.feed.append(h('li', { class: 'muted' }, 'Changes made by anyone appear here as they happen.'));
  }

  // set takes a presence message's users; one entry per user (several tabs
  // of one user merge, the one with a focus wins).
  set(users) {
    const byUser = new Map();
    for (const u of users) {
      const prev = byUser.get(u.user);
      if (!prev || (!prev.focus && u.focus)) byUser.set(u.user, u);
    }
    this.users = [...byUser.values()];
  }

  others() { return this.users.filter((u) => u.user !== this.room.user.id); }

  // render redraws the list only when what it shows changed (a burst of
  // comments changes nothing here).
  render() {
    const room = this.room;
    if (!room.live || !room.live.live) {
      update(this.list, 'offline', () => h('p', { class: 'muted' }, 'Shown while connected.'));
      return;
    }
    const users = this.users.length ? this.users : [{ user: room.user.id, party: room.user.party, focus: room.focus }];
    const parties = room.st.parties.map((p) => ({ id: p.id, name: room.st.partyName(p.id),
      here: users.filter((u) => u.party === p.id).sort((a, b) => a.user.localeCompare(b.user))
        .map((u) => ({ name: u.name || room.st.userName(u.user), you: u.user === room.user.id, where: this.where(u.focus) })) }));
    update(this.list, JSON.stringify(parties), () => parties.map((p) => h('div', { class: 'party-people' },
      h('h3', null, p.name, ' ', h('span', { class: 'muted' }, `(${p.id})`)),
      p.here.length ? h('ul', null, p.here.map((u) => h('li', null,
        h('span', { class: 'presence-dot', 'aria-hidden': 'true' }), h('strong', null, u.name),
        u.you ? ' (you)' : '', u.where ? h('span', { class: 'where' }, u.where) : null)))
        : h('p', { class: 'muted' }, 'Nobody online.'))));
  }

  // where describes a focus: the article, in words.
  where(f) {
    if (!f) return '';
    const shown = this.room.reader.shown;
    const latest = this.room.st.latest();
    if (shown && f.version === shown.version) {
      const e = articleAt(shown.outline, f.start);
      const what = f.end > f.start && e && f.end - f.start < e.end - e.start ? 'selecting in' : 'reading';
      if (e) return `${what} ${e.opening ? 'the opening' : e.title.split(' · ')[0]}${latest && f.version !== latest.version ? ` (version ${f.version})` : ''}`;
    }
    return `reading version ${f.version}`;
  }

  // activity adds a live event to the feed and reads it out.
  // An option's rationale note opens just before the option itself (one
  // commit): the note's line waits a moment, and the option's takes its
  // place, so the feed says "offered an option", not "opened a note".
  activity(ev) {
    const line = describe(ev, this.room.st);
    if (!line) return;
    const d = ev.data || {};
    if (ev.kind === 'option_added' && this.pendingNote && this.pendingNote.thread === d.rationale) {
      clearTimeout(this.pendingNote.timer);
      this.pendingNote = null;
    }
    if (ev.kind === 'thread_opened' && d.kind === 'note' && ev.stream === 'shared') {
      if (this.pendingNote) this.pendingNote.show();
      const show = () => { if (this.pendingNote && this.pendingNote.thread === d.thread) this.pendingNote = null; this.add(ev, line); };
      this.pendingNote = { thread: d.thread, show, timer: setTimeout(show, 300) };
      return;
    }
    this.add(ev, line);
  }

  add(ev, line) {
    const d = ev.data || {};
    let thread = d.thread && this.room.st.threads.has(d.thread) ? d.thread : null;
    const o = d.option && this.room.st.options.get(d.option);
    if (!thread && o && this.room.st.threads.has(o.thread)) thread = o.thread;
    const text = `${this.room.st.userName(ev.actor.user)} (${ev.actor.party}) ${line}`;
    const item = h('li', null, h('span', { class: 'muted' }, new Date(ev.at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })), ' ',
      thread ? h('button', { type: 'button', class: 'link', onclick: () => this.room.openThread(thread) }, text) : text);
    if (!this.fed) { this.fed = true; this.feed.replaceChildren(); } // drop the placeholder
    this.feed.prepend(item);
    while (this.feed.children.length > 12) this.feed.lastChild.remove();
    if (ev.actor.user !== this.room.user.id) announce(text);
  }
}

function describe(ev, st) {
  const d = ev.data || {};
  const t = d.thread ? st.threads.get(d.thread) : null;
  const kind = t ? (t.kind === 'open_issue' ? 'an open issue' : `a ${KIND_LABEL[t.kind].toLowerCase()}`) : 'a thread';
  const internal = ev.stream === 'internal' ? ' (internal)' : '';
  switch (ev.kind) {
    case 'version_proposed': return `proposed version ${d.version}${d.note ? `: “${d.note}”` : ''}`;
    case 'thread_opened': return `opened ${d.kind === 'open_issue' ? 'an open issue' : d.kind === 'consensus' ? 'a consensus' : 'a note'}${internal}`;
    case 'reply_added': return `replied on ${kind}${internal}`;
    case 'concurred': return d.status === 'agreed' ? 'concurred: consensus agreed' : 'concurred on a consensus';
    case 'resolved': return 'resolved an open issue';
    case 'reopened': return 'reopened an open issue';
    case 'withdrawn': return `withdrew ${kind}${internal}`;
    case 'signed_off':
      if (ev.stream === 'internal') return ''; // the body of the decision the shared event announced
      return d.decision === 'approve' ? `approved version ${d.version}` : `requested changes to version ${d.version}`;
    case 'signed': return `signed version ${d.version}`;
    case 'signature_withdrawn': return `withdrew ${d.party}’s signature of version ${d.version}${d.body ? `: “${d.body}”` : ''}`;
    case 'option_added': return 'offered an option on an open issue';
    case 'option_accepted': return 'accepted an option';
    case 'option_acceptance_withdrawn': return 'withdrew the acceptance of an option';
    case 'option_withdrawn': return 'withdrew an option';
    case 'package_linked': return `linked ${(d.options || []).length} options into a package${d.title ? ` (“${d.title}”)` : ''}`;
    case 'meeting_started': return `started a meeting: “${d.title}”`;
    case 'issue_disposed': return 'recorded the outcome of an open issue';
    case 'referendum_confirmed': return d.decision === 'confirm' ? 'confirmed an ad referendum agreement' : 'withdrew an ad referendum agreement';
    case 'meeting_ended': return 'ended the meeting: its minutes are ready';
    case 'minutes_approved': return d.decision === 'approve' ? 'approved the minutes' : 'asked for changes to the minutes';
    default: return '';
  }
}
