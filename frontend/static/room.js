// room.js: the negotiation room. It loads the snapshot, keeps it current
// from the socket (while the socket is down: by reading missed events over
// HTTP after the user's own commands, and every 10 s once the outage
// lasts), and lays out the panels:
// outline and people on the left, the text / compare / propose views in the
// middle, threads and readiness on the right. In a half-screen window
// (≤ 1100 px) one of the three shows at a time, the text first, and a bar
// of three buttons at the top switches between them.

import { api } from './api.js';
import { h, replace, update, setText, announce, tabs, when, describeError, composite } from './dom.js';
import { Live } from './socket.js';
import { Negotiation, STATUS_LABEL } from './state.js';
import { may } from './rules.js';
import { CodePoints, outline } from './text.js';
import { Reader } from './reader.js';
import { Outline } from './outline.js';
import { People } from './presence.js';
import { ThreadsPanel } from './threads.js';
import { ReadinessPanel } from './readiness.js';
import { Compare } from './compare.js';
import { Propose } from './propose.js';
import { Printer } from './print.js';
import { ExportMenu } from './exportmenu.js';
import { Lifecycle } from './lifecycle.js';
import { Ageing } from './ageing.js';
import { Meetings } from './meeting.js';

// pause lets the browser run what waits (input, painting) before going on.
const pause = () => new Promise((r) => setTimeout(r, 0));

export class Room {
  constructor(app, main, id) {
    this.app = app;
    this.main = main;
    this.id = id;
    this.user = app.user;
    this.texts = new Map(); // version → Promise<{text, cps, outline}>
    this.queue = Promise.resolve();
    this.focus = null;
    this.closed = false;
    this.frame = 0;
  }

  get may() { return may(this.user, this.st); }

  async load(threadId) {
    replace(this.main, h('p', { class: 'loading' }, 'Loading the negotiation…'));
    let snap;
    try {
      snap = await api.snapshot(this.id);
    } catch (err) {
      if (this.closed) return;
      replace(this.main, h('div', { class: 'page' },
        h('h1', { tabindex: '-1' }, err.code === 'not_found' ? 'Negotiation not found' : 'The negotiation could not be loaded'),
        h('p', null, err.code === 'not_found' ? 'There is no such negotiation, or your administration does not take part in it.' : describeError(err)),
        h('p', null, h('a', { href: '#/' }, 'Back to the negotiations'))));
      return;
    }
    if (this.closed) return;
    this.st = new Negotiation(snap);
    this.build();
    this.keys();
    this.live = new Live(this.id, {
      since: () => ({ ...this.st.heads }),
      message: (m) => this.enqueue(() => this.handle(m)),
      state: (name, info) => this.connState(name, info),
      synced: () => { this.live.presence(this.focus); this.enqueue(() => this.changed()); },
      dropped: () => { api.me().catch(() => {}); }, // a 401 there shows the login (a disabled user's, at once)
    });
    this.live.start();
    this.render();
    this.lifecycle.refresh(); // the titles of the negotiations it amends or that amend it
    this.partnershipsOf();
    await this.reader.show(null);
    if (threadId) this.openThread(threadId);
    else this.meetings.joined(); // during a meeting: the issue the chair is on
    this.title.focus({ preventScroll: true });
  }

  close() {
    this.closed = true;
    if (this.live) this.live.stop();
    if (this.skips) this.skips.remove();
    for (const c of this.composites || []) c.stop();
    document.removeEventListener('keydown', this.onKey);
    clearInterval(this.countdown);
    clearInterval(this.polling);
    cancelAnimationFrame(this.frame);
    if (this.reader) this.reader.close();
    if (this.printer) this.printer.close();
    if (this.lifecycle) this.lifecycle.close();
    const conn = document.getElementById('conn');
    if (conn) { replace(conn); delete conn.dataset.state; }
    const crumbs = document.getElementById('crumbs');
    if (crumbs) { replace(crumbs); crumbs.mraKey = ''; }
  }

  build() {
    this.title = h('h1', { class: 'room-title', tabindex: '-1' });
    this.badge = h('button', { type: 'button', class: 'badge', id: 'status-badge', onclick: () => this.showSide('readiness') });
    this.headMeta = h('p', { class: 'room-meta' });
    this.banner = h('div', { class: 'signed-banner', role: 'status', hidden: true });
    // after signing (lifecycle.js): the review and amendments, and in an
    // amendment the line naming the signed text it amends
    this.lifecycle = new Lifecycle(this);
    // the partnerships this negotiation is linked to, once read
    this.partnershipLine = h('p', { class: 'room-partnership', id: 'room-partnership', hidden: true });
    // meetings (meeting.js): the bar while one runs, the "Meetings" panel
    this.meetings = new Meetings(this);
    const head = h('header', { class: 'room-head' }, h('div', { class: 'room-titles' }, this.title, this.headMeta, this.lifecycle.amendsLine, this.partnershipLine), this.badge);

    this.outline = new Outline(this);
    this.people = new People(this);
    this.reader = new Reader(this);
    this.compare = new Compare(this);
    this.propose = new Propose(this);
    this.threads = new ThreadsPanel(this);
    this.readiness = new ReadinessPanel(this);
    this.ageing = new Ageing(this); // ageing.js: open issues waiting on each party
    // printing (print.js): its Print… action sits in the text view's toolbar
    this.printer = new Printer(this);
    (this.reader.el.querySelector('.toolbar-actions') || this.reader.el).append(this.printer.button, this.printer.dialog);
    // exports (exportmenu.js): the version the text view shows (its redline
    // from the version before), the pair the compare view shows
    this.exportText = new ExportMenu(this, 'text', () => {
      const v = this.printer.shownVersion();
      return v ? { version: v, from: v > 1 ? v - 1 : 0 } : null;
    });
    this.reader.el.querySelector('.toolbar-actions').append(this.exportText.el);
    this.exportCompare = new ExportMenu(this, 'compare', () => (this.compare.to ? { version: this.compare.to, from: this.compare.from } : null));
    this.compare.el.querySelector('.toolbar').append(this.exportCompare.el);

    const views = [{ id: 'text', label: 'Text' }, { id: 'compare', label: 'Compare versions' }, { id: 'propose', label: 'Propose a revision' }];
    this.viewTabs = tabs('Views', views, (v) => this.showView(v, false));
    this.viewPanels = { text: this.reader.el, compare: this.compare.el, propose: this.propose.el };
    for (const [k, el] of Object.entries(this.viewPanels)) {
      el.setAttribute('role', 'tabpanel');
      el.setAttribute('aria-labelledby', this.viewTabs.buttons.get(k).id);
      el.id = `view-${k}`;
      this.viewTabs.buttons.get(k).setAttribute('aria-controls', el.id);
    }
    const sides = [{ id: 'threads', label: 'Threads' }, { id: 'readiness', label: 'Readiness' }, { id: 'ageing', label: 'Ageing' }, { id: 'meetings', label: 'Meetings' }, { id: 'lifecycle', label: 'Signed' }];
    this.sideTabs = tabs('Side panel', sides, (v) => this.showSide(v, false));
    this.sidePanels = { threads: this.threads.el, readiness: this.readiness.el, ageing: this.ageing.el, meetings: this.meetings.el, lifecycle: this.lifecycle.el };
    for (const [k, el] of Object.entries(this.sidePanels)) {
      el.setAttribute('role', 'tabpanel');
      el.setAttribute('aria-labelledby', this.sideTabs.buttons.get(k).id);
      el.id = `side-${k}`;
      this.sideTabs.buttons.get(k).setAttribute('aria-controls', el.id);
    }

    // half-screen: which column shows (the CSS applies it only when narrow)
    const panes = [['text', 'Text', 'col-center'], ['left', 'Outline', 'col-left'], ['right', 'Threads', 'col-right']];
    this.paneButtons = new Map(panes.map(([k, label, col]) => [k, h('button', { type: 'button', class: 'pane-btn', id: `pane-${k}`, 'aria-controls': col, 'aria-pressed': 'false', onclick: () => this.showPane(k) }, label)]));
    const root = h('div', { class: 'room' },
      head, this.banner, this.lifecycle.bar, this.meetings.bar,
      h('nav', { class: 'pane-bar', 'aria-label': 'Panels' }, [...this.paneButtons.values()]),
      h('div', { class: 'room-body' },
        h('aside', { class: 'col-left', id: 'col-left', 'aria-label': 'Outline and people' }, this.outline.el, this.people.el),
        h('section', { class: 'col-center', id: 'col-center', 'aria-label': 'Agreement text' }, this.viewTabs.el, ...Object.values(this.viewPanels)),
        h('aside', { class: 'col-right', id: 'col-right', 'aria-label': 'Threads and readiness' }, this.sideTabs.el, ...Object.values(this.sidePanels))));
    this.root = root;
    replace(this.main, root);
    this.showView('text', false);
    this.showSide('threads', false);
    this.showPane('text');
  }

  // keys: skip links to the text, the threads and the outline (after the
  // page's own "Skip to the content"); the outline and the text's
  // highlights each one Tab stop (arrows move inside); [ and ] walk the
  // open issues from anywhere but a field.
  keys() {
    const skip = (label, id, go) => h('a', { class: 'skip', href: `#${id}`, onclick: (e) => { e.preventDefault(); go(); } }, label);
    this.skips = h('nav', { class: 'skip-links', 'aria-label': 'Skip links' },
      skip('Skip to the text', 'doc', () => { this.showView('text', false); this.showColumn('text'); this.reader.doc.focus(); }),
      skip('Skip to the threads', 'side-threads', () => { this.showSide('threads', false); document.getElementById('threads-h').focus(); }),
      skip('Skip to the outline', 'outline-h', () => {
        this.showColumn('left');
        const cur = this.outline.list.querySelector('[aria-current]') || this.outline.list.querySelector('button');
        (cur || this.outline.el).focus();
      }));
    const first = document.querySelector('body > .skip');
    if (first) first.after(this.skips); else document.body.prepend(this.skips);
    const hint = h('p', { class: 'sr-only', id: 'doc-keys' }, 'Tab leaves the text. Alt+Down and Alt+Up: next and previous highlight. ] and [: next and previous open issue.');
    this.reader.el.append(hint);
    const d = this.reader.doc;
    d.setAttribute('aria-describedby', [d.getAttribute('aria-describedby'), hint.id].filter(Boolean).join(' '));
    this.composites = [
      composite(this.outline.list, 'button', { preferred: () => this.outline.list.querySelector('[aria-current]') }),
      composite(d, '[data-threads][role=button], [data-threads], button', { alt: true, preferred: () => d }),
    ];
    this.onKey = (e) => {
      if (e.key !== '[' && e.key !== ']') return;
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      const el = e.target;
      if (el && el.closest && el.closest('input, textarea, select, [contenteditable], dialog[open]')) return;
      if (!this.main.contains(el) && el !== document.body) return;
      e.preventDefault();
      this.threads.step(e.key === ']' ? 1 : -1, true);
    };
    document.addEventListener('keydown', this.onKey);
  }

  // showColumn shows a column in a half-screen window, where the layout
  // has panes (showPane).
  showColumn(k) { if (typeof this.showPane === 'function') this.showPane(k); }

  showView(v, focus = true) {
    this.view = v;
    this.viewTabs.select(v);
    for (const [k, el] of Object.entries(this.viewPanels)) el.hidden = k !== v;
    if (v === 'text' && this.reader) this.reader.drawNear();
    if (v === 'compare') this.compare.activate();
    if (v === 'propose') this.propose.activate();
    if (focus) this.viewTabs.buttons.get(v).focus();
  }

  // showPane picks the column a half-screen window shows: 'text', 'left'
  // (outline and people) or 'right' (threads and readiness).
  showPane(k) {
    if (!this.root) return;
    this.pane = k;
    this.root.dataset.pane = k;
    for (const [name, b] of this.paneButtons) b.setAttribute('aria-pressed', String(name === k));
    if (k === 'text' && this.reader) { this.reader.drawNear(); this.reader.updateReading(); }
  }

  // pane (default true): in a half-screen window, show the right column.
  showSide(v, focus = true, pane = true) {
    this.side = v;
    if (pane) this.showPane('right');
    this.sideTabs.select(v);
    for (const [k, el] of Object.entries(this.sidePanels)) el.hidden = k !== v;
    if (focus) this.sideTabs.buttons.get(v).focus();
  }

  // newArticles finds, once per version after the first, which of its
  // articles are new in it (nearly all their words inserted, none moved
  // there) from the stored redline with the version before; the outline
  // shows them as new until someone agrees them.
  newArticles(t) {
    if (t.version < 2 || t.fresh) return;
    t.fresh = new Set();
    const ask = () => api.diff(this.id, t.version - 1, t.version).then((r) => {
      const cps = t.cps;
      const ends = t.outline.map((e) => cps.toUnit(e.end));
      const inserted = t.outline.map(() => 0);
      let pos = 0, k = 0;
      for (const op of r.ops || []) {
        if (op.op === 'delete') continue;
        const len = op.text.length, isNew = op.op === 'insert' && (!op.move || op.edit);
        let from = pos;
        pos += len;
        if (!isNew) continue;
        while (k < ends.length && ends[k] <= from) k++;
        for (let j = k; j < ends.length && from < pos; j++) {
          const to = Math.min(pos, ends[j]);
          inserted[j] += to - from;
          from = to;
        }
      }
      t.outline.forEach((e, j) => {
        const size = cps.toUnit(e.end) - cps.toUnit(e.start);
        if (!e.opening && size > 0 && inserted[j] >= 0.75 * size) t.fresh.add(j);
      });
      if (t.fresh.size) this.changed();
    }).catch(() => { t.fresh = null; });
    (window.requestIdleCallback || setTimeout)(ask, { timeout: 1500 });
  }

  // text returns a version's text, its code point index and outline.
  text(v) {
    if (!this.texts.has(v)) {
      // in steps, each its own task, so that a 3 MB text never holds the page up long
      const p = api.version(this.id, v).then(async (r) => {
        await pause();
        const cps = new CodePoints(r.text);
        await pause();
        const o = outline(cps);
        await pause();
        return { version: v, text: r.text, cps, outline: o };
      });
      p.catch(() => this.texts.delete(v));
      this.texts.set(v, p);
    }
    return this.texts.get(v);
  }

  // run sends one command for this negotiation and returns its result.
  // Without a live socket the page reads what it missed over HTTP.
  async run(type, fields) {
    const result = await api.command(type, { negotiation: this.id, ...fields });
    if (!this.live || !this.live.live) await this.catchUpQuietly();
    return result;
  }

  // catchUpQuietly reads missed events over HTTP, in turn with the socket's;
  // failing (offline) is no error: the next attempt or the socket resumes.
  catchUpQuietly() {
    return this.enqueue(async () => {
      try { await this.catchUpAll(); } catch { /* still offline */ }
    });
  }

  // settle waits (at most ms) until cond() holds, i.e. the socket brought
  // the change; otherwise it reads what is missing over HTTP.
  async settle(cond, ms = 1500) {
    const end = Date.now() + ms;
    while (!cond() && Date.now() < end && !this.closed) await new Promise((r) => setTimeout(r, 40));
    if (!cond() && !this.closed) await this.catchUpQuietly();
  }

  enqueue(f) {
    const p = this.queue.then(() => (this.closed ? null : f()));
    this.queue = p.catch((err) => (err && err.code === 'network' ? console.warn : console.error)(err));
    return p;
  }

  async handle(m) {
    if (m.type === 'event') {
      await this.ingest(m);
    } else if (m.type === 'status' && m.readiness) {
      const before = this.st.readiness.status;
      this.st.setReadiness(m.readiness);
      if (before !== m.readiness.status) announce(`Status: ${STATUS_LABEL[m.readiness.status] || m.readiness.status}`);
      this.changed();
    } else if (m.type === 'presence') {
      this.people.set(m.users || []);
      this.changed();
    }
  }

  async ingest(ev) {
    let fit = this.st.next(ev);
    if (fit === 'old') return;
    if (fit === 'gap') {
      await this.catchUp(ev.stream);
      fit = this.st.next(ev);
      if (fit !== 'next') return;
    }
    this.st.apply(ev);
    this.lifecycle.ingest(ev, !!(this.live && this.live.live));
    this.meetings.ingest(ev, !!(this.live && this.live.live));
    if (this.live && this.live.live) this.people.activity(ev);
    this.changed();
  }

  async catchUp(stream) {
    for (;;) {
      const r = await api.events(this.id, stream, this.st.heads[stream]);
      for (const ev of r.events || []) {
        if (this.st.next(ev) !== 'next') continue;
        this.st.apply(ev);
        this.lifecycle.ingest(ev, false);
      }
      if (!r.more || !(r.events || []).length) break;
    }
    this.changed();
  }

  async catchUpAll() {
    await this.catchUp('shared');
    await this.catchUp('internal');
  }

  // changed schedules one render for the next frame; not while the socket
  // replays what was missed (the ack ends the replay and renders). The
  // render runs in a task of its own just after the frame, so its script
  // and the browser's style, layout and paint of it are two tasks, never
  // one long one: input is answered in between.
  changed() {
    if (this.frame || this.closed || (this.live && this.live.state === 'syncing')) return;
    this.frame = requestAnimationFrame(() => setTimeout(() => { this.frame = 0; if (!this.closed) this.render(); }, 0));
  }

  render() {
    const st = this.st;
    const r = st.readiness;
    document.title = `${st.meta.title} — MRA`;
    setText(this.title, st.meta.title);
    const latest = st.latest();
    update(this.headMeta, JSON.stringify([st.versions.length, st.meta.required_approvals]), () => [
      st.parties.map((p) => p.name || p.id).join(' · '),
      latest ? [' — version ', String(latest.version), ' of ', String(st.versions.length)] : ' — no text yet',
      ` — ${st.meta.required_approvals || 1} legal approval${(st.meta.required_approvals || 1) === 1 ? '' : 's'} required per party`]);
    this.badge.className = `badge st-${r.status}`;
    setText(this.badge, STATUS_LABEL[r.status] || r.status);
    this.badge.setAttribute('aria-label', `Status: ${STATUS_LABEL[r.status] || r.status}. Show the readiness checklist`);
    const crumbs = document.getElementById('crumbs');
    if (crumbs) update(crumbs, st.meta.title, () => [h('a', { href: '#/' }, 'Negotiations'), ' / ', h('span', null, st.meta.title)]);
    this.banner.hidden = r.status !== 'signed';
    if (r.status === 'signed') {
      const last = st.signatures.filter((s) => s.version === r.version).map((s) => s.at).sort().pop();
      update(this.banner, r.sha256, () => [h('strong', null, 'Signed by every party — the text is frozen. '),
        `Version ${r.version}, SHA-256 `, h('code', { class: 'hash-full' }, r.sha256), last ? [', last signature ', when(last)] : null, '.']);
    }
    this.viewTabs.buttons.get('propose').hidden = !this.may.isNegotiator || st.frozen;
    this.sideTabs.buttons.get('lifecycle').hidden = !st.frozen; // signed is for good: no way back to hide it from
    if (this.view === 'propose' && this.viewTabs.buttons.get('propose').hidden) this.showView('text', false);
    const visible = [...st.threads.values()].filter((t) => t.status !== 'withdrawn' && !st.isRationale(t.id)).length;
    setText(this.sideTabs.buttons.get('threads'), `Threads (${visible})`);
    setText(this.sideTabs.buttons.get('readiness'), r.status === 'ready_to_sign' ? 'Readiness ✓' : 'Readiness');

    this.reader.render();
    this.outline.render();
    this.people.render();
    this.threads.render();
    this.readiness.render();
    this.ageing.render();
    this.compare.render();
    this.propose.render();
    this.printer.render();
    this.lifecycle.render();
    this.meetings.render();
  }

  // openThread shows a thread in the text and its card (scrolled into view
  // last, so it stays in view); focus (default) moves to the card.
  openThread(id, { focus = true } = {}) {
    if (!this.st.threads.has(id)) return;
    this.showSide('threads', false);
    this.reader.markCurrent(id);
    this.threads.open(id, focus);
    history.replaceState(null, '', `#/n/${encodeURIComponent(this.id)}/t/${encodeURIComponent(id)}`);
  }

  // compose opens the comment form for a range of a version (or a general note).
  compose(range) {
    this.showSide('threads', false);
    this.threads.compose(range);
  }

  // setFocus tells the others which part of which version this user looks at.
  setFocus(focus) {
    if (JSON.stringify(focus) === JSON.stringify(this.focus)) return;
    this.focus = focus;
    if (this.live) this.live.presence(focus);
  }

  // fallback reads new events over HTTP every 10 s while the socket has
  // failed for a while (a proxy that refuses WebSockets, a long outage).
  fallback(name, info) {
    if (name === 'reconnecting' && info.attempt >= 4 && !this.polling) {
      const poll = () => this.catchUpQuietly();
      this.polling = setInterval(poll, 10000);
      poll();
    } else if (name === 'live' || name === 'closed') {
      clearInterval(this.polling);
      this.polling = 0;
    }
  }

  // partnershipsOf links the room to the partnerships it belongs to.
  async partnershipsOf() {
    let list;
    try {
      ({ partnerships: list } = await api.partnerships());
    } catch { return; } // the room works without it
    const mine = (list || []).filter((p) => (p.negotiations || []).includes(this.id));
    this.partnershipLine.hidden = mine.length === 0;
    replace(this.partnershipLine, mine.length ? ['Part of ', mine.map((p, k) => [k ? ', ' : '',
      h('a', { href: `#/p/${encodeURIComponent(p.id)}` }, `the partnership ${p.title}`)])] : null, mine.length ? '.' : null);
  }

  connState(name, info) {
    const conn = document.getElementById('conn');
    if (!conn || this.closed) return;
    clearInterval(this.countdown);
    this.fallback(name, info);
    const was = conn.dataset.state;
    conn.dataset.state = name;
    if (name === 'reconnecting' && was === 'live') announce('Connection lost. Reconnecting.');
    // "again" only after the room has been live once: opening it is no return
    if (name === 'live' && this.wasLive && was !== 'live') announce('Connected again; live updates resumed.');
    if (name === 'live') this.wasLive = true;
    if (name === 'live') {
      replace(conn, h('span', { class: 'dot' }), 'Live');
    } else if (name === 'connecting' || name === 'syncing') {
      replace(conn, h('span', { class: 'dot' }), name === 'syncing' ? 'Catching up…' : 'Connecting…');
    } else if (name === 'reconnecting') {
      const label = h('span');
      const tick = () => {
        const s = info.retryAt ? Math.max(0, Math.ceil((info.retryAt - Date.now()) / 1000)) : 0;
        label.textContent = s > 0 ? `Reconnecting in ${s} s…` : 'Reconnecting…';
      };
      tick();
      this.countdown = setInterval(tick, 1000);
      replace(conn, h('span', { class: 'dot' }), label, ' ',
        h('button', { type: 'button', class: 'link', onclick: () => this.live.retryNow() }, 'Retry now'));
    } else if (name === 'closed' && info.error) {
      replace(conn, h('span', { class: 'dot' }), 'Not connected: ', describeError(info.error));
    } else {
      replace(conn);
    }
  }
}
