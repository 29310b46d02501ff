package frontend_test

// Browser tests of whose turn (PROTOCOL "Whose turn"): each open issue and
// each proposed or void consensus says which party must act and since
// when; a live page, which derives the wait as it folds events, agrees with
// the server's snapshot after every step, and so does a fresh load.

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// turnsDisagree lists where the cards of a page differ from the server's
// snapshot (read by the page itself): the parties waited on and since when,
// for every thread the page shows. "" when they agree.
func turnsDisagree(p *pg, id string) string {
	p.t.Helper()
	return evalIn[string](p, fmt.Sprintf(`(async () => {
		const r = await fetch('/api/negotiations/' + encodeURIComponent(%s)).then((r) => r.json());
		const out = [];
		for (const t of r.threads) {
			const c = document.querySelector('.thread[data-thread="' + CSS.escape(t.id) + '"]');
			if (!c) { out.push(t.id + ': no card'); continue; }
			const turn = c.querySelector('.t-turn');
			const on = turn && !turn.hidden ? (turn.dataset.waitingOn || '') : '';
			const since = turn && !turn.hidden ? (turn.querySelector('time')?.getAttribute('datetime') || '') : '';
			if (on !== t.waiting_on.join(' ') || since !== (t.waiting_since || '')) {
				out.push(t.id + ': page ' + JSON.stringify([on, since]) + ', server ' + JSON.stringify([t.waiting_on.join(' '), t.waiting_since]));
			}
		}
		return out.join('; ');
	})()`, jsString(id)))
}

// agreeOnTurns waits until both pages agree with the server.
func agreeOnTurns(t *testing.T, step, id string, pages ...*pg) {
	t.Helper()
	for _, p := range pages {
		deadline := time.Now().Add(3 * time.Second)
		for {
			d := turnsDisagree(p, id)
			if d == "" {
				break
			}
			if time.Now().After(deadline) {
				p.screenshot("FAILED-turn-" + p.name)
				t.Fatalf("%s: page %s disagrees with the server: %s", step, p.name, d)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// turnText is the whose-turn line of the card whose first message holds body.
func turnText(p *pg, body string) string {
	p.t.Helper()
	return evalIn[string](p, fmt.Sprintf(`(() => {
		const c = [...document.querySelectorAll('#thread-list .thread')].find((c) => c.querySelector('.m-body')?.textContent.includes(%s));
		const turn = c && c.querySelector('.t-turn');
		return turn && !turn.hidden ? turn.textContent : '';
	})()`, jsString(body)))
}

// Replies, concurrences and a version by each party: after every step the
// live pages of US and SG show the same wait as the server, the party
// waited on sees "Your turn", and a reload shows the same; the list says
// how many threads wait on the user's party; the checklist names who asked
// for changes.
func TestWhoseTurnLiveAgreesWithAFreshLoad(t *testing.T) {
	e := newEnv(t)
	usNeg, sgNeg, sgLegal := e.api("us-neg"), e.api("sg-neg"), e.api("sg-legal")
	id := usNeg.negotiation("US–SG arrangement", text1)
	us, sg := e.livePages(id)

	// SG raises an open issue in the page: US must answer
	const issue = "Thirty days is too short for our partner agencies."
	sg.selectText("within 30 days", 0)
	sg.click("#comment-selection")
	sg.click(`#composer input[value="open_issue"]`)
	sg.click(`#composer input[value="shared"]`)
	sg.setValue("#composer-body", issue)
	sg.click("#composer-submit")
	us.waitText("#thread-list .thread", issue, live)
	agreeOnTurns(t, "SG raised an open issue", id, us, sg)
	if got := turnText(us, issue); !strings.HasPrefix(got, "Your turn Waiting on us (US) · ") {
		t.Errorf("US sees %q, want its turn", got)
	}
	if got := turnText(sg, issue); !strings.HasPrefix(got, "Waiting on US · ") || strings.Contains(got, "Your turn") {
		t.Errorf("SG sees %q, want it waiting on US", got)
	}
	if !evalIn[bool](us, `!!document.querySelector('#thread-list .thread.waits-on-us .pill.turn-us')`) {
		t.Error("a thread waiting on US does not stand out on US's page")
	}
	us.waitText("#waiting-on-us", "1 waits on us (US)", time.Second)
	if evalIn[bool](sg, `!document.querySelector('#waiting-on-us').hidden`) {
		t.Error("SG's page says something waits on SG")
	}
	since := evalIn[string](us, `document.querySelector('.t-turn time').getAttribute('datetime')`)

	// SG's legal reviewer adds to it: still US, since the first message
	th := sgNeg.snapshot(id).Threads[0]
	sgLegal.do("reply", map[string]any{"negotiation": id, "thread": string(th.ID), "body": "And they are calendar days."})
	us.waitText("#thread-list .thread", "calendar days", live)
	agreeOnTurns(t, "SG added to its issue", id, us, sg)
	if got := evalIn[string](us, `document.querySelector('.t-turn time').getAttribute('datetime')`); got != since {
		t.Errorf("the wait moved to %s on a reply by the same side; want %s", got, since)
	}

	// US answers in its page: now SG (the raiser) must resolve or answer
	us.click(`.thread[data-thread="` + string(th.ID) + `"] [data-action="reply"]`)
	us.setValue(`.thread[data-thread="`+string(th.ID)+`"] .t-form textarea`, "We can accept sixty days.")
	us.click(`.thread[data-thread="` + string(th.ID) + `"] .t-form button[type="submit"]`)
	sg.waitText("#thread-list .thread", "We can accept sixty days.", live)
	agreeOnTurns(t, "US answered", id, us, sg)
	if got := turnText(sg, issue); !strings.HasPrefix(got, "Your turn Waiting on us (SG)") {
		t.Errorf("SG sees %q after US answered, want its turn", got)
	}

	// US proposes a consensus; SG concurs in its page: agreed, nobody waits
	agreed := usNeg.comment(id, 1, text1, "designate a contact point", "consensus", "shared", "Standard contact point article.")
	sg.waitText("#thread-list .thread", "Standard contact point article.", live)
	agreeOnTurns(t, "US proposed a consensus", id, us, sg)
	card := `.thread[data-thread="` + agreed + `"]`
	sg.click(card + ` [data-action="concur"]`)
	sg.click(card + ` [data-submit="concur"]`)
	us.waitJS("the agreed consensus", `!!document.querySelector('`+card+`.s-agreed')`, live)
	agreeOnTurns(t, "SG concurred", id, us, sg)

	// a version that changes the agreed words voids it: every party waits
	v2 := strings.Replace(text1, "designate a contact point", "designate one contact point", 1)
	usNeg.do("propose_version", map[string]any{"negotiation": id, "base": 1, "text": v2, "note": "one contact point"})
	us.waitJS("the void consensus", `!!document.querySelector('`+card+`.s-void')`, live)
	sg.waitJS("the void consensus", `!!document.querySelector('`+card+`.s-void')`, live)
	agreeOnTurns(t, "a version voided the consensus", id, us, sg)
	if got := evalIn[string](us, `document.querySelector('`+card+` .t-turn').dataset.waitingOn`); got != "US SG" {
		t.Errorf("the void consensus waits on %q, want every party", got)
	}

	// SG confirms it again: proposed, waiting on US
	sg.click(card + ` [data-action="concur"]`)
	sg.click(card + ` [data-submit="concur"]`)
	us.waitJS("the consensus proposed again", `!!document.querySelector('`+card+`.s-proposed')`, live)
	agreeOnTurns(t, "SG concurred again", id, us, sg)

	// a fresh load of each page shows the same
	before := map[*pg][2]string{}
	for _, p := range []*pg{us, sg} {
		before[p] = [2]string{turnText(p, issue), turnText(p, "Standard contact point article.")}
	}
	for _, p := range []*pg{us, sg} {
		p.room(id)
		p.waitText("#thread-list .thread", issue, 5*time.Second)
		agreeOnTurns(t, "after a reload", id, p)
		if got := [2]string{turnText(p, issue), turnText(p, "Standard contact point article.")}; got != before[p] {
			t.Errorf("page %s after a reload shows %q, before %q", p.name, got, before[p])
		}
	}
	us.viewport(800, 900)
	us.fitsWidth("threads with whose turn")
	us.checkA11y("threads with whose turn")
	us.shot("turn-01-threads-800", "#thread-list")
	us.viewport(1440, 900)

	// the checklist names who asked for changes
	sgLegal.do("sign_off", map[string]any{"negotiation": id, "version": 2, "sha256": usNeg.snapshot(id).Versions[1].SHA256, "decision": "request_changes"})
	us.click(`.tab[data-tab="readiness"]`)
	us.waitText("#checklist", "SG legal approval: 0 of 1; changes requested by SG Legal", live)

	// the list: what waits on the user's party, as the server counts it
	var list struct {
		Negotiations []struct {
			WaitingOnMe int `json:"waiting_on_me"`
		} `json:"negotiations"`
	}
	usNeg.GetJSON("/api/negotiations", &list)
	if len(list.Negotiations) != 1 || list.Negotiations[0].WaitingOnMe != 1 {
		t.Fatalf("the server's list: %+v, want one thread waiting on US", list)
	}
	us.open("/#/")
	us.waitText("#negotiations td.waiting", "1 thread waits on US", 5*time.Second)
	if got := us.text("#negotiations thead"); !strings.Contains(got, "Waiting on US") {
		t.Errorf("the list's head %q does not say what waits on US", got)
	}
	sg.open("/#/")
	sg.waitText("#negotiations td.waiting", "1 thread waits on SG", 5*time.Second) // the open issue
	sg.checkA11y("list with whose turn")
	sg.screenshot("turn-02-list")
}

// The fold's wait, run in the browser on events as the server sends them:
// it moves only when the parties waited on change, and an event folded
// twice changes nothing.
func TestFoldDerivesWhoseTurn(t *testing.T) {
	foldInPage(t, `
		const n = new Negotiation({
			negotiation: { id: 'n-1', title: 'T', parties: ['US', 'SG', 'EX'], required_approvals: 1 },
			parties: [], versions: [{ version: 1, sha256: 'a1' }], threads: [], sign_offs: [], signatures: [], heads: { shared: 0, internal: 0 },
		});
		let seq = 0;
		const ev = (kind, party, at, data) => n.apply({ stream: 'shared', seq: ++seq, kind, actor: { user: party.toLowerCase() + '-neg', party }, at, data });
		const msg = (id, party, at) => ({ id, author: party.toLowerCase() + '-neg', party, body: 'b', at });
		const wait = (id) => { const t = n.threads.get(id); return [t.waiting_on, t.waiting_since]; };
		const anchor = { version: 1, start: 0, end: 4, quote: 'text', flag: 'moved', original: { version: 1, quote: 'text' } };
		ev('thread_opened', 'SG', 'T1', { thread: 'i', kind: 'open_issue', visibility: 'shared', party: 'SG', status: 'open', concurred: [], anchor, message: msg('m1', 'SG', 'T1') });
		check('an issue raised by SG', wait('i'), [['US', 'EX'], 'T1']);
		ev('reply_added', 'SG', 'T2', { thread: 'i', message: msg('m2', 'SG', 'T2') });
		check('SG again', wait('i'), [['US', 'EX'], 'T1']);
		ev('reply_added', 'EX', 'T3', { thread: 'i', message: msg('m3', 'EX', 'T3') });
		check('EX answers', wait('i'), [['SG'], 'T3']);
		n.apply({ stream: 'shared', seq, kind: 'reply_added', actor: { user: 'sg-neg', party: 'SG' }, at: 'T9', data: { thread: 'i', message: msg('m2', 'SG', 'T2') } });
		check('a repeat changes nothing', wait('i'), [['SG'], 'T3']);
		ev('resolved', 'SG', 'T4', { thread: 'i', status: 'resolved', concurred: [] });
		check('resolved', wait('i'), [[], '']);
		ev('reopened', 'US', 'T5', { thread: 'i', status: 'open', concurred: [], message: msg('m4', 'US', 'T5') });
		check('reopened by US', wait('i'), [['SG'], 'T5']);
		ev('thread_opened', 'US', 'T6', { thread: 'c', kind: 'consensus', visibility: 'shared', party: 'US', status: 'proposed', concurred: ['US'], anchor, message: msg('m5', 'US', 'T6') });
		check('a consensus', wait('c'), [['SG', 'EX'], 'T6']);
		ev('concurred', 'SG', 'T7', { thread: 'c', status: 'proposed', concurred: ['US', 'SG'] });
		check('SG concurs', wait('c'), [['EX'], 'T7']);
		ev('version_proposed', 'US', 'T8', { version: 2, base: 1, sha256: 'b2', note: '', length: 9 });
		ev('anchors_carried', 'US', 'T8', { version: 2, threads: [{ thread: 'c', start: 0, end: 4, flag: 'changed', status: 'void', quote: 'txet' }, { thread: 'i', start: 0, end: 4, flag: 'moved', status: 'open', quote: 'text' }] });
		check('void', wait('c'), [['US', 'SG', 'EX'], 'T8']);
		check('a carry that keeps the issue open', wait('i'), [['SG'], 'T5']);
		ev('thread_opened', 'US', 'T9', { thread: 'x', kind: 'open_issue', visibility: 'internal', party: 'US', status: 'open', concurred: [], anchor, message: msg('m6', 'US', 'T9') });
		check('an internal issue waits on nobody', wait('x'), [[], '']);
		check('the count for SG', n.waitingCount('SG'), 2);
	`)
}
