// socket.js: the live half of the contract, WebSocket /ws (PROTOCOL.md
// "Events and real time"). For one negotiation it subscribes with `since`
// (the heads the page has folded), receives the missed events, then the ack
// with the current heads, then live events, `status` and `presence`
// messages. When the socket drops it reconnects with exponential backoff and
// jitter, and resumes from the heads again, so nothing is missed or repeated.

import { ApiError, newCommandId } from './api.js';

const MAX_DELAY = 15000;

// Live states: "connecting", "syncing" (subscribed, replay running), "live",
// "reconnecting" (waiting to retry; retryAt says when), "closed".
export class Live {
  // handlers: since() → {shared, internal}; message(msg) for event, status and
  // presence messages; state(name, info); synced(heads) after each subscribe
  // ack; dropped() after a failed attempt (to check the session); field,
  // what the id names: "negotiation" (the default) or "partnership".
  constructor(negotiation, handlers) {
    this.negotiation = negotiation;
    this.h = handlers;
    this.field = handlers.field || 'negotiation';
    this.ws = null;
    this.attempt = 0;
    this.pending = new Map();
    this.timer = 0;
    this.closed = false;
    this.state = '';
    this.onOnline = () => this.retryNow();
  }

  start() {
    window.addEventListener('online', this.onOnline);
    this.connect();
  }

  stop() {
    this.closed = true;
    clearTimeout(this.timer);
    window.removeEventListener('online', this.onOnline);
    const ws = this.ws;
    this.ws = null;
    if (ws) ws.close(1000, 'leaving');
    this.failPending();
    this.setState('closed');
  }

  // retryNow skips the rest of a backoff wait.
  retryNow() {
    if (this.closed || this.ws) return;
    this.connect();
  }

  get live() { return this.state === 'live'; }

  connect() {
    clearTimeout(this.timer);
    this.setState(this.attempt ? 'reconnecting' : 'connecting', { retryAt: 0 });
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
    let ws;
    try {
      ws = new WebSocket(url);
    } catch {
      this.retry();
      return;
    }
    this.ws = ws;
    ws.onopen = () => this.subscribe(ws);
    ws.onmessage = (e) => { if (this.ws === ws) this.receive(e.data); };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.failPending();
      if (!this.closed) this.retry();
    };
  }

  async subscribe(ws) {
    this.setState('syncing');
    try {
      const result = await this.send({ type: 'subscribe', [this.field]: this.negotiation, since: this.h.since() });
      if (this.ws !== ws) return;
      this.attempt = 0;
      this.setState('live');
      this.h.synced((result && result.heads) || result || {});
    } catch (err) {
      if (this.ws !== ws) return;
      if (err.code === 'not_found' || err.code === 'unauthenticated') {
        this.stop();
        this.h.state('closed', { error: err });
        return;
      }
      ws.close(); // onclose retries
    }
  }

  retry() {
    this.attempt += 1;
    const base = Math.min(MAX_DELAY, 500 * 2 ** (this.attempt - 1));
    const delay = Math.round(base * (0.7 + Math.random() * 0.6));
    this.setState('reconnecting', { retryAt: Date.now() + delay, attempt: this.attempt });
    this.timer = setTimeout(() => this.connect(), delay);
    if (this.h.dropped) this.h.dropped(this.attempt);
  }

  // send sends a command over the socket and resolves with its ack's result.
  send(cmd) {
    return new Promise((resolve, reject) => {
      const ws = this.ws;
      if (!ws || ws.readyState !== WebSocket.OPEN) {
        reject(new ApiError('network', 'not connected', 0));
        return;
      }
      const id = newCommandId();
      this.pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, ...cmd }));
    });
  }

  // presence tells the others what this user looks at (focus may be null).
  presence(focus) {
    if (!this.live) return;
    const cmd = { type: 'presence', negotiation: this.negotiation };
    if (focus) cmd.focus = focus;
    this.send(cmd).catch(() => {});
  }

  receive(data) {
    let m;
    try { m = JSON.parse(data); } catch { return; }
    if (m.type === 'ack' || m.type === 'error') {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.type === 'ack') p.resolve(m.result);
      else p.reject(new ApiError(m.error?.code || 'internal', m.error?.message || 'error'));
      return;
    }
    if (m[this.field] && m[this.field] !== this.negotiation) return;
    this.h.message(m);
  }

  failPending() {
    for (const p of this.pending.values()) p.reject(new ApiError('network', 'the connection closed', 0));
    this.pending.clear();
  }

  setState(name, info) {
    this.state = name;
    this.h.state(name, info || {});
  }
}
