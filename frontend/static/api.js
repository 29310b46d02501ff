// api.js: the HTTP half of the contract (PROTOCOL.md "Sessions", "Commands",
// "Reading over HTTP"). Every call answers the parsed JSON or throws an
// ApiError carrying the contract's error code.

export class ApiError extends Error {
  constructor(code, message, status) {
    super(message);
    this.code = code; // a contract code, or "network" when the server was not reached
    this.status = status || 0;
  }
}

// newCommandId returns a fresh client-chosen command id (1-64 chars). A
// command retried with the same id is applied once by the server.
export function newCommandId() {
  const b = new Uint8Array(12);
  crypto.getRandomValues(b);
  return 'c-' + Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

let onUnauthenticated = () => {};
// whenUnauthenticated registers what to do when a session ends (401).
export function whenUnauthenticated(f) { onUnauthenticated = f; }

// DOCX is the media type of a Word document (POST /api/import).
export const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

// request sends body as JSON, or as it is with its media type when given
// one (a file's bytes).
async function request(method, path, body, type) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (type) {
    init.headers['Content-Type'] = type;
    init.body = body;
  } else if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json'; // state changes must be JSON
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError('network', 'the server cannot be reached', 0);
  }
  if (res.status === 204) return null;
  let data = null;
  try { data = await res.json(); } catch { /* not JSON */ }
  if (!res.ok || (data && data.type === 'error')) {
    const e = (data && data.error) || {};
    const err = new ApiError(e.code || 'internal', e.message || `HTTP ${res.status}`, res.status);
    if (res.status === 401 && path !== '/api/login') onUnauthenticated(err);
    throw err;
  }
  return data;
}

const enc = encodeURIComponent;

export const api = {
  login: (user, password) => request('POST', '/api/login', { user, password }),
  logout: () => request('POST', '/api/logout', {}),
  me: () => request('GET', '/api/me'),
  parties: () => request('GET', '/api/parties'), // server addition: every party
  negotiations: () => request('GET', '/api/negotiations'),
  snapshot: (id) => request('GET', `/api/negotiations/${enc(id)}`),
  version: (id, n) => request('GET', `/api/negotiations/${enc(id)}/versions/${n}`),
  diff: (id, from, to) => request('GET', `/api/negotiations/${enc(id)}/diff?from=${from}&to=${to}`),
  draftDiff: (id, from, text) => request('POST', `/api/negotiations/${enc(id)}/diff`, { from, text }), // server addition: a draft's redline and voids
  importDocx: (bytes) => request('POST', '/api/import', bytes, DOCX), // a Word document's text; changes nothing
  nextText: (id) => request('GET', `/api/negotiations/${enc(id)}/next-text`), // the latest text with the agreed options in place (bracket options)
  // review carry (server/README "Per-article review carry"): the articles of
  // `version` against the reader's approval of `from` (both optional)
  reviewCarry: (id, version, from) => request('GET', `/api/negotiations/${enc(id)}/review-carry?version=${version}${from ? `&from=${from}` : ''}`),
  events: (id, stream, since) => request('GET', `/api/negotiations/${enc(id)}/events?stream=${stream}&since=${since}`),
  users: () => request('GET', '/api/users'), // admin: the users of its own party, with `disabled`, `must_change_password`

  // partnerships (server/README "Partnerships"; issue 12): read over HTTP,
  // no live events yet; the commands go through command() below
  partnerships: () => request('GET', '/api/partnerships'), // the user's party's, without notes
  partnership: (id) => request('GET', `/api/partnerships/${enc(id)}`), // stages with notes, and the linked negotiations

  // command sends one command over HTTP and returns its ack's result. A
  // network failure is retried once with the same id: the server applies a
  // repeated id once and answers as the first time.
  async command(type, fields) {
    const cmd = { id: newCommandId(), type, ...fields };
    try {
      return (await request('POST', '/api/command', cmd)).result;
    } catch (err) {
      if (err.code !== 'network') throw err;
      await new Promise((r) => setTimeout(r, 800));
      return (await request('POST', '/api/command', cmd)).result;
    }
  },
};
