package server_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"mra/server/mra"
	"mra/server/servertest"
)

// TestPartyIsolation: with a US internal thread in place, nothing of it
// reaches SG, and nothing of the negotiation reaches EX, over any read.
func TestPartyIsolation(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	us, usLegal, sg, ex := w.Login("us-neg"), w.Login("us-legal"), w.Login("sg-neg"), w.Login("ex-neg")
	neg := us.Create(1)
	us.Propose(neg, 0, servertest.Text1)
	shared := us.Comment(neg, 1, servertest.Text1, "Purpose", mra.KindOpenIssue, mra.Shared)
	const secret = "US legal: we cannot accept thirty days under our statute"
	cmd := servertest.CommentCmd(neg, 1, servertest.Text1, "within 30 days", mra.KindNote, mra.Internal)
	cmd["body"] = secret
	var r struct {
		Thread string `json:"thread"`
	}
	usLegal.Must(cmd, &r)
	internal := r.Thread
	usLegal.Must(map[string]any{"type": "reply", "negotiation": neg, "thread": internal, "body": secret + " (reply)"}, nil)
	us.Propose(neg, 1, strings.Replace(servertest.Text1, "30 days", "60 days", 1)) // carries the internal thread too

	leaks := func(who string, body []byte) {
		t.Helper()
		for _, s := range []string{secret, internal} {
			if strings.Contains(string(body), s) {
				t.Errorf("%s sees %q in %.300s", who, s, body)
			}
		}
	}

	// Snapshot: US sees both threads, SG only the shared one.
	if s := us.Snapshot(neg); s.Thread(internal) == nil || s.Thread(shared) == nil {
		t.Fatalf("US lacks its own threads")
	}
	status, body := sg.Get("/api/negotiations/" + neg)
	if status != 200 {
		t.Fatalf("SG snapshot: %d", status)
	}
	leaks("SG snapshot", body)
	var s servertest.Snapshot
	json.Unmarshal(body, &s)
	if len(s.Threads) != 1 || s.Readiness.OpenIssues != 1 {
		t.Errorf("SG sees %d threads and readiness %+v", len(s.Threads), s.Readiness)
	}

	// Event streams: SG's shared and internal streams hold nothing of US's.
	for _, stream := range []string{"shared", "internal"} {
		status, body := sg.Get("/api/negotiations/" + neg + "/events?stream=" + stream + "&since=0")
		if status != 200 {
			t.Fatalf("SG %s events: %d", stream, status)
		}
		leaks("SG "+stream+" events", body)
	}
	var ev struct {
		Events []json.RawMessage `json:"events"`
	}
	sg.GetJSON("/api/negotiations/"+neg+"/events?stream=internal", &ev)
	if len(ev.Events) != 0 {
		t.Errorf("SG's internal stream has %d events, want 0", len(ev.Events))
	}
	us.GetJSON("/api/negotiations/"+neg+"/events?stream=internal", &ev)
	if len(ev.Events) != 3 { // thread_opened, reply_added, anchors_carried
		t.Errorf("US's internal stream has %d events, want 3", len(ev.Events))
	}
	for k, raw := range ev.Events {
		e, err := mra.DecodeEvent(raw)
		if err != nil || e.Seq != uint64(k+1) || e.Stream != mra.Internal {
			t.Errorf("US internal event %d: %+v %v", k, e, err)
		}
	}

	// Commands on the internal thread: SG is told it does not exist, in the
	// same words as for a thread that never existed.
	for _, c := range []map[string]any{
		{"type": "reply", "negotiation": neg, "thread": internal, "body": "hi"},
		{"type": "withdraw", "negotiation": neg, "thread": internal},
		{"type": "resolve", "negotiation": neg, "thread": internal},
		{"type": "reopen", "negotiation": neg, "thread": internal, "body": "x"},
	} {
		e := sg.Fails(mra.CodeNotFound, c)
		ghost := sg.Fails(mra.CodeNotFound, map[string]any{"type": c["type"], "negotiation": neg, "thread": "t-doesnotexist", "body": "x"})
		if strings.Replace(e.Message, internal, "ID", 1) != strings.Replace(ghost.Message, "t-doesnotexist", "ID", 1) {
			t.Errorf("hidden thread answers %q, a missing one %q", e.Message, ghost.Message)
		}
	}

	// EX is in no negotiation: every path answers not_found, as for a
	// negotiation that does not exist.
	var list struct {
		Negotiations []mra.NegotiationView `json:"negotiations"`
	}
	ex.GetJSON("/api/negotiations", &list)
	if len(list.Negotiations) != 0 {
		t.Errorf("EX lists %v", list.Negotiations)
	}
	for _, path := range []string{"", "/versions/1", "/diff?from=1&to=2", "/events?stream=shared", "/events?stream=internal"} {
		status, body := ex.Get("/api/negotiations/" + neg + path)
		status2, body2 := ex.Get("/api/negotiations/n-nosuchthing" + path)
		if status != http.StatusNotFound || status2 != http.StatusNotFound ||
			strings.Replace(string(body), neg, "ID", 1) != strings.Replace(string(body2), "n-nosuchthing", "ID", 1) {
			t.Errorf("EX GET %s: %d %s; missing one: %d %s", path, status, body, status2, body2)
		}
		leaks("EX "+path, body)
	}
	for _, c := range []map[string]any{
		{"type": "propose_version", "negotiation": neg, "base": 2, "text": "x"},
		servertest.CommentCmd(neg, 2, strings.Replace(servertest.Text1, "30 days", "60 days", 1), "Purpose", mra.KindNote, mra.Shared),
		{"type": "reply", "negotiation": neg, "thread": shared, "body": "x"},
		{"type": "concur", "negotiation": neg, "thread": shared},
	} {
		ex.Fails(mra.CodeNotFound, c)
	}
	// SG's list shows the negotiation with the same status as US's.
	sg.GetJSON("/api/negotiations", &list)
	if len(list.Negotiations) != 1 || list.Negotiations[0].Status != mra.StatusNegotiating || list.Negotiations[0].LatestVersion != 2 {
		t.Errorf("SG list: %+v", list.Negotiations)
	}
}

// TestReads: versions, diff and events as the contract shapes them.
func TestReads(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	us := w.Login("us-neg")
	neg := us.Create(1)
	us.Propose(neg, 0, "Line one.\r\nLine two.\r")
	text2 := "Line one.\nLine 2.\n"
	us.Propose(neg, 1, text2)
	var v struct {
		mra.Version
		Text string `json:"text"`
	}
	us.GetJSON("/api/negotiations/"+neg+"/versions/1", &v)
	if v.Text != "Line one.\nLine two.\n" || v.SHA256 != mra.SHA256(v.Text) || v.Number != 1 || v.Author != "us-neg" || v.Length != 20 {
		t.Errorf("version 1: %+v", v)
	}
	var d struct {
		From int `json:"from"`
		To   int `json:"to"`
		Ops  []struct {
			Op   string `json:"op"`
			Text string `json:"text"`
		} `json:"ops"`
	}
	us.GetJSON("/api/negotiations/"+neg+"/diff?from=1&to=2", &d)
	var a, b strings.Builder
	for _, op := range d.Ops {
		if op.Op != "insert" {
			a.WriteString(op.Text)
		}
		if op.Op != "delete" {
			b.WriteString(op.Text)
		}
	}
	if d.From != 1 || d.To != 2 || a.String() != v.Text || b.String() != text2 {
		t.Errorf("diff: %+v", d)
	}
	for _, bad := range []string{"/diff?from=1", "/diff?from=0&to=2", "/versions/x", "/events?stream=everything", "/events?since=-1"} {
		if status, _ := us.Get("/api/negotiations/" + neg + bad); status != http.StatusBadRequest {
			t.Errorf("GET %s: %d, want 400", bad, status)
		}
	}
	for _, missing := range []string{"/versions/3", "/diff?from=1&to=3"} {
		if status, _ := us.Get("/api/negotiations/" + neg + missing); status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", missing, status)
		}
	}
	var ev struct {
		Events []json.RawMessage `json:"events"`
		More   bool              `json:"more"`
	}
	us.GetJSON("/api/negotiations/"+neg+"/events?stream=shared&since=1", &ev)
	if len(ev.Events) != 2 {
		t.Fatalf("%d shared events after 1, want 2", len(ev.Events))
	}
	var e map[string]any
	json.Unmarshal(ev.Events[0], &e)
	for _, f := range []string{"type", "negotiation", "stream", "seq", "at", "actor", "kind", "data", "hash"} {
		if _, ok := e[f]; !ok {
			t.Errorf("event lacks %q: %s", f, ev.Events[0])
		}
	}
	data := e["data"].(map[string]any)
	if e["kind"] != "version_proposed" || data["sha256"] != v.SHA256 || data["text"] != nil {
		t.Errorf("version_proposed event: %s", ev.Events[0])
	}
	if s := us.Snapshot(neg); len(s.Versions) != 2 || s.Negotiation.LatestVersion != 2 {
		t.Errorf("servertest.Snapshot versions: %+v", s.Versions)
	}
}

func TestPreviewDiff(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	us, ex := w.Login("us-neg"), w.Login("ex-neg")
	neg := us.Create(1)
	us.Propose(neg, 0, servertest.Text1)
	draft := strings.Replace(servertest.Text1, "30 days", "60 days", 1)
	status, body := us.Post("/api/negotiations/"+neg+"/diff", map[string]any{"from": 1, "text": draft})
	var d struct {
		From int `json:"from"`
		Ops  []struct {
			Op   string `json:"op"`
			Text string `json:"text"`
		} `json:"ops"`
	}
	json.Unmarshal(body, &d)
	var changed []string
	for _, op := range d.Ops {
		if op.Op != "equal" {
			changed = append(changed, op.Op+":"+op.Text)
		}
	}
	if status != 200 || d.From != 1 || strings.Join(changed, ",") != "delete:30,insert:60" {
		t.Errorf("preview: %d %s", status, body)
	}
	if status, _ := us.Post("/api/negotiations/"+neg+"/diff", map[string]any{"from": 2, "text": "x"}); status != http.StatusNotFound {
		t.Errorf("preview from a missing version: %d", status)
	}
	if status, _ := us.Post("/api/negotiations/"+neg+"/diff", map[string]any{"from": 1}); status != http.StatusBadRequest {
		t.Errorf("preview without text: %d", status)
	}
	if status, _ := ex.Post("/api/negotiations/"+neg+"/diff", map[string]any{"from": 1, "text": "x"}); status != http.StatusNotFound {
		t.Errorf("preview by a party outside: %d", status)
	}
	if n := len(us.Snapshot(neg).Versions); n != 1 {
		t.Errorf("a preview changed the negotiation: %d versions", n)
	}
}

func TestSnapshotHeadsAndNames(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	us, sg := w.Login("us-neg"), w.Login("sg-neg")
	neg := us.Create(1)
	us.Propose(neg, 0, servertest.Text1)
	us.Comment(neg, 1, servertest.Text1, "Purpose", mra.KindNote, mra.Internal)
	var s struct {
		Heads map[string]uint64 `json:"heads"`
		Names map[string]string `json:"names"`
	}
	us.GetJSON("/api/negotiations/"+neg, &s)
	if s.Heads["shared"] != 2 || s.Heads["internal"] != 1 || s.Names["sg-neg"] != "SG Negotiator" || s.Names["ex-neg"] != "" {
		t.Errorf("US servertest.Snapshot heads %v names %v", s.Heads, s.Names)
	}
	sg.GetJSON("/api/negotiations/"+neg, &s)
	if s.Heads["shared"] != 2 || s.Heads["internal"] != 0 {
		t.Errorf("SG servertest.Snapshot heads %v: it must not learn of US's internal stream", s.Heads)
	}
}
