package frontend_test

import (
	"testing"
	"time"
)

// The page's fold (state.js), run in the browser on events shaped as the
// server sends them: a carry split in two, sign-offs on both streams in
// either order, a signature and its withdrawal. Folding any event again, or
// an older one late, changes nothing.
func TestFoldOfCarriesSignOffsAndWithdrawals(t *testing.T) {
	foldInPage(t, `
		const snap = () => ({
			negotiation: { id: 'n-1', title: 'T', parties: ['US', 'SG'], required_approvals: 1 },
			parties: [{ id: 'US' }, { id: 'SG' }],
			versions: [{ version: 1, sha256: 'a1' }],
			threads: [
				{ id: 't-1', kind: 'consensus', visibility: 'shared', party: 'US', status: 'agreed', concurred: ['US', 'SG'], messages: [],
				  anchor: { version: 1, start: 10, end: 24, quote: 'within 30 days', flag: 'moved', original: { version: 1, quote: 'within 30 days' } } },
				{ id: 't-2', kind: 'note', visibility: 'shared', party: 'SG', status: 'open', concurred: [], messages: [],
				  anchor: { version: 1, start: 30, end: 40, quote: 'contact pt', flag: 'moved', original: { version: 1, quote: 'contact pt' } } },
			],
			sign_offs: [], signatures: [], heads: { shared: 0, internal: 0 },
		});
		const actor = { user: 'us-neg', party: 'US' };
		const T1 = '2026-01-02T03:04:05.1Z', T2 = '2026-01-02T03:04:05.12Z'; // T2 is later, though it sorts first as a string
		const so = (at, decision, extra) => ({ user: 'us-legal', party: 'US', version: 2, sha256: 'b2', decision, visibility: 'internal', at, ...extra });
		const ev = {
			v2: { stream: 'shared', kind: 'version_proposed', actor, at: T1, data: { version: 2, base: 1, sha256: 'b2', note: '', length: 99 } },
			carry1: { stream: 'shared', kind: 'anchors_carried', actor, at: T1, data: { version: 2, threads: [{ thread: 't-1', start: 10, end: 24, flag: 'changed', status: 'void', quote: 'within 60 days' }] } },
			carry2: { stream: 'shared', kind: 'anchors_carried', actor, at: T1, data: { version: 2, threads: [{ thread: 't-2', start: 31, end: 41, flag: 'moved', status: 'open', quote: 'contact pt' }] } },
			other: { stream: 'shared', kind: 'signed_off', actor, at: T1, data: { ...so(T1, 'approve'), user: 'us-legal2' } },
			shared: { stream: 'shared', kind: 'signed_off', actor, at: T1, data: so(T1, 'request_changes') },
			internal: { stream: 'internal', kind: 'signed_off', actor, at: T1, data: so(T1, 'request_changes', { body: 'secret', shared_seq: 5 }) },
			later: { stream: 'shared', kind: 'signed_off', actor, at: T2, data: so(T2, 'approve') },
			signed: { stream: 'shared', kind: 'signed', actor, at: T2, data: { user: 'sg-sign', party: 'SG', version: 2, sha256: 'b2', at: T2 } },
			unsigned: { stream: 'shared', kind: 'signature_withdrawn', actor, at: T2, data: { party: 'SG', version: 2, sha256: 'b2', body: 'why' } },
		};
		const fold = (n, ...names) => { for (const k of names) n.apply(structuredClone(ev[k])); return n; };
		const state = (n) => JSON.stringify([[...n.threads.values()], n.signOffs, n.signatures, n.versions]);

		// a split carry: each part sets its threads, each keeps its original
		const n = fold(new Negotiation(snap()), 'v2', 'carry1', 'carry2');
		check('t-1 after the carry', n.threads.get('t-1').anchor, { version: 2, start: 10, end: 24, quote: 'within 60 days', flag: 'changed', original: { version: 1, quote: 'within 30 days' } });
		check('t-1 status', n.threads.get('t-1').status, 'void');
		check('t-2 after the carry', n.threads.get('t-2').anchor, { version: 2, start: 31, end: 41, quote: 'contact pt', flag: 'moved', original: { version: 1, quote: 'contact pt' } });
		let before = state(n);
		n.threads.get('t-1').status = 'proposed'; before = state(n); // concurred again since
		fold(n, 'carry1', 'carry2');
		check('the carry folded twice', state(n), before);

		// internal sign-off: the shared event, then the body on the party's stream
		fold(n, 'other', 'shared', 'internal');
		check('the sign-off with its body', n.signOffs.map((s) => [s.user, s.decision, s.body]), [['us-legal2', 'approve', undefined], ['us-legal', 'request_changes', 'secret']]);
		check('no shared_seq kept', n.signOffs.some((s) => 'shared_seq' in s), false);
		before = state(n);
		fold(n, 'shared', 'internal', 'shared');
		check('sign-offs folded again', state(n), before);
		check('readiness names who asks for changes', n.computeReadiness().approvals.US.changes_requested_by, ['us-legal']);

		// the other order: the body first, then the decision
		const m = fold(new Negotiation(snap()), 'v2', 'internal', 'shared');
		check('body first, then the shared event', m.signOffs.map((s) => [s.user, s.decision, s.body]), [['us-legal', 'request_changes', 'secret']]);

		// a later decision replaces it in its place, body and all; the older one, late, changes nothing
		fold(n, 'later');
		check('the later decision', n.signOffs.map((s) => [s.user, s.decision, s.body, s.at]), [['us-legal2', 'approve', undefined, T1], ['us-legal', 'approve', undefined, T2]]);
		before = state(n);
		fold(n, 'shared', 'internal');
		check('the older decision folded late', state(n), before);

		// a signature and its withdrawal
		fold(n, 'signed');
		check('signed', n.signatures.map((s) => s.party), ['SG']);
		check('signed parties', n.computeReadiness().signatures, { US: false, SG: true });
		fold(n, 'unsigned');
		check('withdrawn', n.signatures, []);
		before = state(n);
		fold(n, 'unsigned');
		check('withdrawn twice', state(n), before);

		// the shared event folded over a snapshot that has its body (the
		// replay after a reload) keeps the body; one without a body (another
		// party's internal sign-off) gains none
		const s = snap(); s.versions.push({ version: 2, sha256: 'b2' });
		s.sign_offs = [{ ...so(T1, 'request_changes'), body: 'secret', stale: false }, { ...so(T1, 'approve'), user: 'sg-legal', party: 'SG', stale: false }];
		const o = new Negotiation(s);
		fold(o, 'shared');
		o.apply({ ...structuredClone(ev.shared), data: { ...so(T1, 'approve'), user: 'sg-legal', party: 'SG' } });
		check('the snapshot\'s sign-offs after the replay', o.signOffs.map((x) => [x.user, x.body, 'stale' in x]), [['us-legal', 'secret', false], ['sg-legal', undefined, false]]);
		check('the other party\'s sign-off has no body key', 'body' in o.signOffs[1], false);
	`)
}

// foldInPage runs body in a page of the test's server, where Negotiation is
// state.js's and check(what, got, want) notes got that is not want (as
// JSON); each note fails the test.
func foldInPage(t *testing.T, body string) {
	t.Helper()
	e := newEnv(t)
	p := e.page("fold")
	p.open("/")
	p.waitJS("the page", `!!document.querySelector('#login-user')`, 10*time.Second)
	problems := evalIn[[]string](p, `(async () => {
		const { Negotiation } = await import('/state.js');
		const out = [];
		const check = (what, got, want) => { const g = JSON.stringify(got), w = JSON.stringify(want); if (g !== w) out.push(what + ': got ' + g + ', want ' + w); };
		`+body+`
		return out;
	})()`)
	for _, pr := range problems {
		t.Error(pr)
	}
}
