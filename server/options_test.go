package server_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"mra/server/mra"
	"mra/server/servertest"
)

// TestBracketOptionsServed: an option offered over HTTP, accepted over the
// socket (its event reaching the other side), idempotent by command id; a
// package; the next text; a proposal that takes the agreed options in; the
// bracketed export stacking the standing ones; isolation of internal
// threads and of a party outside; all across a restart and an audit.
func TestBracketOptionsServed(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	us, sg, ex := w.Login("us-neg"), w.Login("sg-neg"), w.Login("ex-neg")
	neg := us.Create(1)
	us.Propose(neg, 0, servertest.Text1)
	days := sg.Comment(neg, 1, servertest.Text1, "within 30 days", mra.KindOpenIssue, mra.Shared)
	point := sg.Comment(neg, 1, servertest.Text1, "a contact point", mra.KindOpenIssue, mra.Shared)
	internal := us.Comment(neg, 1, servertest.Text1, "membership information", mra.KindOpenIssue, mra.Internal)

	add := func(c *servertest.Client, thread, text string) mra.OptionResult {
		t.Helper()
		var r mra.OptionResult
		c.Must(map[string]any{"type": "add_option", "negotiation": neg, "thread": thread, "text": text, "body": "why " + text}, &r)
		return r
	}
	// Isolation: a thread the actor cannot see is not there; its own
	// internal one takes no option; a party outside sees nothing.
	sg.Fails(mra.CodeNotFound, map[string]any{"type": "add_option", "negotiation": neg, "thread": internal, "text": "x", "body": "y"})
	us.Fails(mra.CodeBadRequest, map[string]any{"type": "add_option", "negotiation": neg, "thread": internal, "text": "x", "body": "y"})
	ex.Fails(mra.CodeNotFound, map[string]any{"type": "add_option", "negotiation": neg, "thread": days, "text": "x", "body": "y"})
	w.Login("us-legal").Fails(mra.CodeForbidden, map[string]any{"type": "add_option", "negotiation": neg, "thread": days, "text": "x", "body": "y"})

	// Idempotent: the same command id twice is one option, one answer.
	cmd := map[string]any{"id": "offer-60", "type": "add_option", "negotiation": neg, "thread": days, "text": "within 60 days", "body": "our systems need the time"}
	first, again := us.Send(cmd), us.Send(cmd)
	if first.Type != "ack" || string(first.Raw) != string(again.Raw) {
		t.Fatalf("the same add_option twice: %s then %s", first.Raw, again.Raw)
	}
	var sixty mra.OptionResult
	json.Unmarshal(first.Result, &sixty)
	two := add(us, point, "two contact points")
	alt := add(sg, days, "within 45 days")

	snap := sg.Snapshot(neg)
	if len(snap.Options) != 3 || snap.Options[0].ID != sixty.Option || snap.Options[0].Status != mra.OptionOpen || snap.Options[0].Rationale != sixty.Rationale {
		t.Fatalf("SG's snapshot options: %+v", snap.Options)
	}
	var rationale *mra.Thread
	for k := range snap.Threads {
		if string(snap.Threads[k].ID) == string(sixty.Rationale) {
			rationale = &snap.Threads[k]
		}
	}
	if rationale == nil || rationale.Kind != mra.KindNote || rationale.Messages[0].Body != "our systems need the time" {
		t.Fatalf("the rationale thread as SG sees it: %+v", rationale)
	}

	// A package, accepted over the socket; US's socket sees it live.
	var pkg mra.PackageResult
	us.Must(map[string]any{"type": "link_package", "negotiation": neg, "options": []string{string(sixty.Option), string(two.Option)}, "title": "Days and contacts"}, &pkg)
	watch := us.Dial(t)
	watch.Subscribe(neg, snap.Heads["shared"]+1, 0) // from after the package
	sock := sg.Dial(t)
	for _, o := range []mra.OptionID{sixty.Option, two.Option} {
		id := sock.Send(map[string]any{"type": "accept_option", "negotiation": neg, "option": o})
		if m := sock.Must(servertest.AnswerTo(id), "the acceptance's answer"); m.Type != "ack" {
			t.Fatalf("accept_option over the socket: %+v", m)
		}
		ev := watch.Must(servertest.IsEvent(mra.EvOptionAccepted), "the acceptance's event")
		if !strings.Contains(ev.Raw, `"party":"SG"`) || !strings.Contains(ev.Raw, string(o)) {
			t.Fatalf("event %s", ev.Raw)
		}
	}
	snap = us.Snapshot(neg)
	if o := snap.Options[0]; o.Status != mra.OptionAgreed || o.Package != pkg.Package || o.Conditional {
		t.Fatalf("an accepted package member: %+v", o)
	}
	if len(snap.Packages) != 1 || !snap.Packages[0].Complete || snap.Packages[0].Title != "Days and contacts" {
		t.Fatalf("packages %+v", snap.Packages)
	}

	// The bracketed export stacks the standing options after the words.
	status, body := us.Get("/api/negotiations/" + neg + "/export?kind=bracketed&format=txt")
	if status != http.StatusOK || !strings.Contains(string(body), "[within 30 days / within 60 days / within 45 days]") ||
		!strings.Contains(string(body), "[a contact point / two contact points]") {
		t.Fatalf("bracketed export: %d %s", status, body)
	}
	status, body = us.Get("/api/negotiations/" + neg + "/export?kind=bracketed&format=html")
	if status != http.StatusOK || !strings.Contains(string(body), ` / within 60 days / within 45 days<span class="bracket">]</span>`) {
		t.Fatalf("bracketed html: %d %s", status, body)
	}

	// The next text: the agreed options' words in place; the overlapping
	// agreed one (45 days, once US accepts it) skipped.
	us.Must(map[string]any{"type": "accept_option", "negotiation": neg, "option": alt.Option}, nil)
	var next mra.NextText
	sg.GetJSON("/api/negotiations/"+neg+"/next-text", &next)
	want := strings.Replace(strings.Replace(servertest.Text1, "within 30 days", "within 60 days", 1), "a contact point", "two contact points", 1)
	if next.Base != 1 || next.Text != want || len(next.Applied) != 2 || len(next.Skipped) != 1 || next.Skipped[0].Option != alt.Option {
		t.Fatalf("next text: %+v", next)
	}
	if status, _ := ex.Get("/api/negotiations/" + neg + "/next-text"); status != http.StatusNotFound {
		t.Fatalf("next-text for a party outside: %d", status)
	}
	sg.Fails(mra.CodeBadRequest, map[string]any{"type": "propose_version", "negotiation": neg, "base": 1, "text": servertest.Text1, "options": next.Applied})
	var proposed mra.ProposedResult
	sg.Must(map[string]any{"type": "propose_version", "negotiation": neg, "base": 1, "text": next.Text, "options": next.Applied}, &proposed)

	check := func(when string) {
		t.Helper()
		snap := us.Snapshot(neg)
		if len(snap.Versions) != 2 || len(snap.Versions[1].Options) != 2 {
			t.Fatalf("%s: versions %+v", when, snap.Versions)
		}
		for _, o := range snap.Options {
			incorporated := o.ID == sixty.Option || o.ID == two.Option
			if incorporated != (o.Status == mra.OptionIncorporated) || incorporated && o.Version != 2 {
				t.Fatalf("%s: option %+v", when, o)
			}
		}
		if theirs := sg.Snapshot(neg).Raw; strings.Contains(string(theirs), internal) {
			t.Fatalf("%s: SG's snapshot names US's internal issue", when)
		}
	}
	check("proposed")
	w.Restart()
	check("after a restart")
	if err := w.Verify(); err != nil {
		t.Fatalf("verify: %v", err)
	}
}
