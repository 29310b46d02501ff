// dom.js: small DOM helpers. User text only ever enters the page as text
// nodes (textContent), never as HTML, so a comment cannot inject markup.

// h builds an element. attrs: "class", "dataset", "on<event>" functions,
// "value"/"checked" as properties, true for a bare attribute; null, undefined
// and false leave an attribute out. Children: nodes, strings (as text),
// arrays, and null (skipped).
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value' || k === 'checked') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c == null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// replace sets an element's children.
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

// update rebuilds el's children only when key (what they show) changed, so
// a live render never swaps a button or link out from under the pointer.
export function update(el, key, build) {
  if (el.mraKey === key) return;
  el.mraKey = key;
  replace(el, build());
}

// setText sets an element's text only when it differs: a live render that
// shows the same words then leaves style and layout alone.
export function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

// when shows a contract time (RFC 3339, UTC) in local time; the title holds UTC.
export function when(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return h('span', null, '');
  return h('time', { datetime: iso, title: d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC') }, dateTime.format(d));
}

// announce tells screen-reader users what changed (the live region in index.html).
export function announce(message) {
  const region = document.getElementById('announcer');
  if (!region) return;
  region.textContent = '';
  setTimeout(() => { region.textContent = message; }, 30);
}

let uid = 0;
// nextId returns a fresh element id, for label/aria wiring.
export function nextId(prefix) {
  uid += 1;
  return `${prefix}-${uid}`;
}

// tabs builds a WAI-ARIA tab list: arrow keys move between tabs, one tab
// stop. onSelect(id) is called when the user picks a tab.
export function tabs(label, items, onSelect) {
  const list = h('div', { class: 'tabs', role: 'tablist', 'aria-label': label });
  const buttons = new Map();
  for (const it of items) {
    const b = h('button', {
      type: 'button', role: 'tab', id: nextId('tab'), class: 'tab',
      'aria-selected': 'false', tabindex: '-1', dataset: { tab: it.id },
      onclick: () => { select(it.id); onSelect(it.id); },
    }, it.label);
    buttons.set(it.id, b);
    list.append(b);
  }
  list.addEventListener('keydown', (e) => {
    const all = [...buttons.values()].filter((b) => !b.hidden);
    const i = all.indexOf(document.activeElement);
    if (i < 0) return;
    let j = -1;
    if (e.key === 'ArrowRight') j = (i + 1) % all.length;
    else if (e.key === 'ArrowLeft') j = (i - 1 + all.length) % all.length;
    else if (e.key === 'Home') j = 0;
    else if (e.key === 'End') j = all.length - 1;
    if (j < 0) return;
    e.preventDefault();
    all[j].focus();
    all[j].click();
  });
  function select(id) {
    for (const [k, b] of buttons) {
      const on = k === id;
      b.setAttribute('aria-selected', String(on));
      b.tabIndex = on ? 0 : -1;
    }
  }
  return { el: list, buttons, select };
}

// field wraps a control with its visible label.
export function field(label, control, hint) {
  if (!control.id) control.id = nextId('f');
  const hintEl = hint ? h('span', { class: 'hint', id: nextId('hint') }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control, hintEl);
}

// radios builds a group of radio buttons from [value, label, hint] items;
// value() is the checked one, set(v) checks one.
export function radios(name, items, value) {
  const inputs = new Map();
  const el = h('div', { class: 'radios' }, items.map(([v, label, hint]) => {
    const input = h('input', { type: 'radio', name, value: v, id: nextId(name) });
    inputs.set(v, input);
    return h('label', { for: input.id, class: 'radio' }, input, ' ', h('strong', null, label), hint ? h('span', { class: 'muted' }, ` — ${hint}`) : null);
  }));
  const r = {
    el, inputs,
    value: () => { for (const [v, i] of inputs) if (i.checked) return v; return value; },
    set: (v) => { for (const [k, i] of inputs) i.checked = k === v; },
  };
  r.set(value);
  return r;
}

// select builds a <select> from [value, label] pairs.
export function select(options, value, attrs) {
  const el = h('select', attrs);
  for (const [v, label] of options) el.append(h('option', { value: v }, label));
  el.value = value;
  return el;
}

// errorBox is a place for an error message, read out when it appears.
export function errorBox() {
  const el = h('p', { class: 'error', role: 'alert', hidden: true });
  return {
    el,
    show(err) {
      el.textContent = typeof err === 'string' ? err : describeError(err);
      el.hidden = false;
    },
    clear() { el.textContent = ''; el.hidden = true; },
  };
}

// describeError turns an ApiError (or anything thrown) into a sentence.
export function describeError(err) {
  if (!err) return 'Something went wrong.';
  const msg = err.message || String(err);
  switch (err.code) {
    case 'network': return 'The server cannot be reached. Check your connection and try again.';
    case 'forbidden': return `Not allowed: ${msg}`;
    case 'frozen': return 'The negotiation is signed; its text and record are frozen.';
    case 'stale': return `The text changed meanwhile: ${msg}`;
    case 'not_ready': return `Not ready to sign: ${msg}`;
    case 'signing': {
      // "party SG has signed version 3; …": say who must act, in words
      const m = /party (\S+) has signed version (\d+)/.exec(msg);
      return m ? `${m[1]} has signed version ${m[2]}, and no new version can be proposed while that signature stands. ${m[1]}’s signatory must withdraw it first.`
        : `A signature stands on the latest version: ${msg}`;
    }
    case 'rate_limited': return 'Too many attempts; wait a minute and try again.';
    case 'internal': return 'The server had a problem; it has been logged. Try again.';
    default: return msg.charAt(0).toUpperCase() + msg.slice(1);
  }
}

// shortHash shows the start of a SHA-256; the full value is in the title.
export function shortHash(sha) {
  return h('code', { class: 'hash', title: sha }, sha ? sha.slice(0, 12) : '');
}

// waited says how long ago a contract time was, in words a person says in
// a call: "under a minute", "5 minutes", "3 hours", "2 days".
export function waited(iso, now = Date.now()) {
  const t = new Date(iso).getTime();
  if (!iso || Number.isNaN(t)) return '';
  const min = Math.max(0, Math.floor((now - t) / 60000));
  const unit = (n, w) => `${n} ${w}${n === 1 ? '' : 's'}`;
  if (min < 1) return 'under a minute';
  if (min < 60) return unit(min, 'minute');
  const hours = Math.floor(min / 60);
  if (hours < 48) return unit(hours, 'hour');
  return unit(Math.floor(hours / 24), 'day');
}

// composite makes the items (matching sel) inside container one stop of
// the Tab order: Tab and Shift+Tab leave the container for the controls
// after or before it, and keys move between items (ArrowDown / ArrowUp,
// Home / End by default; opts.alt: only with Alt, so that the arrows still
// scroll). A Tab into the container lands on opts.preferred() if given, or
// on the item last focused. Items keep their own tabindex, so the markup
// of the views that draw them needs no change.
export function composite(container, sel, opts = {}) {
  let last = null;
  let tabbedAt = 0;
  const items = () => [...container.querySelectorAll(sel)].filter((el) => el.getClientRects().length > 0);
  const onTab = (e) => { if (e.key === 'Tab') tabbedAt = Date.now(); };
  document.addEventListener('keydown', onTab, true);
  container.addEventListener('focusin', (e) => {
    const from = e.relatedTarget;
    const item = e.target.closest(sel);
    if (item && container.contains(item)) last = item;
    if (from && container.contains(from)) return;
    if (Date.now() - tabbedAt > 200 || !item) return; // a click, not a Tab
    const want = (opts.preferred && opts.preferred()) || (last && last.isConnected ? last : null);
    if (want && want !== e.target && want.getClientRects().length) { last = want; want.focus(); }
  });
  container.addEventListener('keydown', (e) => {
    if (e.key === 'Tab') {
      const out = outside(container, e.shiftKey);
      if (out) { e.preventDefault(); out.focus(); }
      return;
    }
    const keys = { ArrowDown: 1, ArrowUp: -1, Home: 'first', End: 'last' };
    if (!(e.key in keys) || (opts.alt ? !e.altKey : e.altKey) || e.ctrlKey || e.metaKey) return;
    const all = items();
    if (!all.length) return;
    const cur = document.activeElement && document.activeElement.closest ? document.activeElement.closest(sel) : null;
    let i = cur ? all.indexOf(cur) : -1;
    const k = keys[e.key];
    if (k === 'first') i = 0;
    else if (k === 'last') i = all.length - 1;
    else if (i < 0) i = k > 0 ? firstAfter(all) : Math.max(0, firstAfter(all) - 1);
    else i = Math.min(all.length - 1, Math.max(0, i + k));
    e.preventDefault();
    last = all[i];
    all[i].focus();
    if (opts.moved) opts.moved(all[i]);
  });
  // firstAfter: with the focus on the container itself, the first item in view
  function firstAfter(all) {
    const top = container.getBoundingClientRect().top;
    const k = all.findIndex((el) => el.getBoundingClientRect().bottom >= top);
    return k < 0 ? 0 : k;
  }
  return { stop: () => document.removeEventListener('keydown', onTab, true) };
}

// outside finds the first focusable element after container (or, back,
// the last one before it) in the document's order.
function outside(container, back) {
  const ok = (el) => el.tabIndex >= 0 && !el.disabled && !el.closest('[hidden], [inert]') && el.getClientRects().length > 0 &&
    !container.contains(el) && el.matches('a[href], button, input, select, textarea, summary, [tabindex]');
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT);
  if (back) {
    walk.currentNode = container;
    for (let n = walk.previousNode(); n; n = walk.previousNode()) if (ok(n)) return n;
  } else {
    let end = container;
    while (end.lastElementChild) end = end.lastElementChild;
    walk.currentNode = end;
    for (let n = walk.nextNode(); n; n = walk.nextNode()) if (ok(n)) return n;
  }
  return null;
}
