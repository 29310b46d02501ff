package server_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"mra/server/docx"
	"mra/server/mra"
	"mra/server/servertest"
)

// meetingsOf reads the snapshot's meetings as c sees them, and the raw
// snapshot.
func meetingsOf(t *testing.T, c *servertest.Client, neg string) ([]mra.Meeting, []byte) {
	t.Helper()
	s := c.Snapshot(neg)
	var m struct {
		Meetings []mra.Meeting `json:"meetings"`
	}
	if err := json.Unmarshal(s.Raw, &m); err != nil {
		t.Fatal(err)
	}
	return m.Meetings, s.Raw
}

// meetingWorld is a US–SG negotiation on Text1 with a shared open issue of
// each side, a shared consensus, and an internal US issue whose words and
// body appear nowhere else.
type meetingWorld struct {
	w                                   *servertest.World
	now                                 time.Time // the server's clock, frozen
	us, sg                              *servertest.Client
	neg                                 string
	usIssue, sgIssue, consensus, secret string
}

const secretBody = "US internal: our fallback is 45 days"

func newMeetingWorld(t *testing.T) *meetingWorld {
	w := servertest.New(t, servertest.Options{})
	// Frozen at the present minute: due dates are checked against it, and
	// sessions (whose cookies expire by it) stay valid for the test.
	now := time.Now().UTC().Truncate(time.Minute)
	w.SetNow(now)
	mw := &meetingWorld{w: w, now: now, us: w.Login("us-neg"), sg: w.Login("sg-neg")}
	mw.neg = mw.us.Create(1)
	mw.us.Propose(mw.neg, 0, servertest.Text1)
	mw.usIssue = mw.us.Comment(mw.neg, 1, servertest.Text1, "within 30 days", mra.KindOpenIssue, mra.Shared)
	mw.sgIssue = mw.sg.Comment(mw.neg, 1, servertest.Text1, "contact point", mra.KindOpenIssue, mra.Shared)
	mw.consensus = mw.sg.Comment(mw.neg, 1, servertest.Text1, "Purpose", mra.KindConsensus, mra.Shared)
	cmd := servertest.CommentCmd(mw.neg, 1, servertest.Text1, "validation findings", mra.KindOpenIssue, mra.Internal)
	cmd["body"] = secretBody
	var r mra.CommentResult
	mw.us.Must(cmd, &r)
	mw.secret = string(r.Thread)
	return mw
}

// due is the date days after the frozen clock's, as an action's due.
func (mw *meetingWorld) due(days int) string { return mw.now.AddDate(0, 0, days).Format("2006-01-02") }

func (mw *meetingWorld) cmd(typ string, fields map[string]any) map[string]any {
	fields["type"], fields["negotiation"] = typ, mw.neg
	return fields
}

// TestMeetingOverTheContract: a whole meeting over HTTP and the socket,
// followed live by the other side; the minutes in the snapshot, approved;
// the same after a restart, and the records the fold of the events.
func TestMeetingOverTheContract(t *testing.T) {
	mw := newMeetingWorld(t)
	w, us, sg := mw.w, mw.us, mw.sg
	sgSock := sg.Dial(t)
	sgSock.Subscribe(mw.neg, 0, 0)
	usSock := us.Dial(t)

	var m mra.Meeting
	us.Must(mw.cmd("start_meeting", map[string]any{"title": "Round 3, video call", "parties": []string{"US", "SG"}}), &m)
	if !strings.HasPrefix(string(m.ID), "g-") || !m.Running || m.Chair != "us-neg" || m.ChairParty != "US" {
		t.Fatalf("start_meeting result %+v", m)
	}
	ev := sgSock.Must(servertest.IsEvent(mra.EvMeetingStarted), "meeting_started")
	if ev.Stream != "shared" || !strings.Contains(string(ev.Data), string(m.ID)) {
		t.Errorf("meeting_started %s", ev.Raw)
	}
	// The chair focuses over the socket; the other side follows.
	id := usSock.Send(mw.cmd("focus_issue", map[string]any{"meeting": m.ID, "thread": mw.sgIssue}))
	if a := usSock.Must(servertest.AnswerTo(id), "focus_issue's answer"); a.Type != "ack" {
		t.Fatalf("focus_issue over the socket: %s", a.Raw)
	}
	focused := sgSock.Must(servertest.IsEvent(mra.EvMeetingFocused), "meeting_focused")
	var fd mra.MeetingFocused
	if err := json.Unmarshal(focused.Data, &fd); err != nil || fd.Meeting != m.ID || string(fd.Thread) != mw.sgIssue {
		t.Errorf("meeting_focused %s", focused.Raw)
	}
	var r mra.MeetingResult
	sg.Must(mw.cmd("dispose", map[string]any{"meeting": m.ID, "thread": mw.sgIssue, "outcome": "agreed", "body": "as drafted"}), &r)
	if !strings.HasPrefix(string(r.Disposition), "d-") || r.Meeting != m.ID {
		t.Errorf("dispose result %+v", r)
	}
	var ref mra.MeetingResult
	sg.Must(mw.cmd("dispose", map[string]any{"meeting": m.ID, "thread": mw.usIssue, "outcome": "ad_referendum"}), &ref)
	us.Must(mw.cmd("dispose", map[string]any{"meeting": m.ID, "thread": mw.usIssue, "outcome": "action", "owner": "SG",
		"due": mw.due(14), "body": "Ask the ministry about 45 days"}), nil)
	us.Must(mw.cmd("focus_issue", map[string]any{"meeting": m.ID, "thread": mw.consensus}), nil)
	us.Propose(mw.neg, 1, strings.Replace(servertest.Text1, "30 days", "45 days", 1))
	// The confirmation of an ad referendum is the owner's (SG here).
	us.Fails(mra.CodeForbidden, mw.cmd("confirm_referendum", map[string]any{"meeting": m.ID, "disposition": ref.Disposition, "decision": "confirm"}))

	endAt := mw.now.Add(90 * time.Minute)
	w.SetNow(endAt)
	var ended mra.Meeting
	us.Must(mw.cmd("end_meeting", map[string]any{"meeting": m.ID}), &ended)
	sgSock.Must(servertest.IsEvent(mra.EvMeetingEnded), "meeting_ended")
	mins := ended.Minutes
	if ended.Running || mins == nil || ended.SHA256 == "" || !mins.EndedAt.Equal(endAt) {
		t.Fatalf("end_meeting result %+v", ended)
	}
	var issues []string
	for _, is := range mins.Issues {
		issues = append(issues, string(is.Thread)+" "+string(is.Outcome))
	}
	if want := []string{mw.sgIssue + " agreed", mw.usIssue + " ad_referendum", mw.consensus + " "}; !slices.Equal(issues, want) {
		t.Errorf("minutes' issues %q, want %q", issues, want)
	}
	if len(mins.Actions) != 1 || mins.Actions[0].Owner != "SG" || mins.Actions[0].Due != mw.due(14) ||
		len(mins.Versions) != 1 || mins.Versions[0].Version != 2 {
		t.Errorf("minutes' actions %+v, versions %+v", mins.Actions, mins.Versions)
	}
	// After the end: the referendum is confirmed by its owner; approvals
	// bind to the minutes' SHA-256.
	sg.Must(mw.cmd("confirm_referendum", map[string]any{"meeting": m.ID, "disposition": ref.Disposition, "decision": "confirm", "body": "capital agrees"}), nil)
	legal := w.Login("us-legal")
	legal.Fails(mra.CodeStale, mw.cmd("approve_minutes", map[string]any{"meeting": m.ID, "sha256": mra.SHA256("x"), "decision": "approve"}))
	legal.Must(mw.cmd("approve_minutes", map[string]any{"meeting": m.ID, "sha256": ended.SHA256, "decision": "approve"}), nil)
	var approved mra.Meeting
	sg.Must(mw.cmd("approve_minutes", map[string]any{"meeting": m.ID, "sha256": ended.SHA256, "decision": "approve"}), &approved)
	if !approved.Approved || len(approved.Approvals) != 2 {
		t.Errorf("approvals %+v", approved.Approvals)
	}

	// The snapshot holds the meeting as the answers said, the same for
	// both sides, and the same bytes after a restart.
	ms, before := meetingsOf(t, sg, mw.neg)
	usMs, _ := meetingsOf(t, us, mw.neg)
	if len(ms) != 1 || ms[0].ID != m.ID || !ms[0].Approved || ms[0].SHA256 != ended.SHA256 ||
		ms[0].Dispositions[1].Confirmed != mra.RefConfirmed || ms[0].Minutes.Issues[1].Dispositions[0].Confirmed != mra.RefPending {
		t.Fatalf("snapshot meetings %+v", ms)
	}
	a, _ := json.Marshal(ms)
	b, _ := json.Marshal(usMs)
	if string(a) != string(b) {
		t.Errorf("the two sides see different meetings:\nSG %s\nUS %s", a, b)
	}
	if err := w.Verify(); err != nil {
		t.Fatalf("verify: %v", err)
	}
	w.Restart()
	sg = w.Login("sg-neg")
	if _, after := meetingsOf(t, sg, mw.neg); string(after) != string(before) {
		t.Errorf("the snapshot changed with a restart:\nbefore %s\nafter  %s", before, after)
	}
	if err := w.Verify(); err != nil {
		t.Fatalf("verify after restart: %v", err)
	}
	// A second meeting after the first, then one at a time.
	sg.Must(mw.cmd("start_meeting", map[string]any{"title": "Round 4", "parties": []string{"SG", "US"}}), nil)
	sg.Fails(mra.CodeBadRequest, mw.cmd("start_meeting", map[string]any{"title": "Round 5", "parties": []string{"SG", "US"}}))
	if ms, _ := meetingsOf(t, sg, mw.neg); len(ms) != 2 || ms[0].ID != m.ID || !ms[1].Running {
		t.Errorf("meetings in the order started: %+v", ms)
	}
}

// TestMeetingIdempotent: a command sent again with its id is answered as
// the first time and applied once, also across a restart.
func TestMeetingIdempotent(t *testing.T) {
	mw := newMeetingWorld(t)
	start := mw.cmd("start_meeting", map[string]any{"id": mw.w.NextID(), "title": "Round 1", "parties": []string{"US", "SG"}})
	first := mw.us.Send(start)
	again := mw.us.Send(start)
	if first.Status != http.StatusOK || string(first.Raw) != string(again.Raw) {
		t.Fatalf("start_meeting twice: %s, then %s", first.Raw, again.Raw)
	}
	var m mra.Meeting
	json.Unmarshal(first.Result, &m)
	dispose := mw.cmd("dispose", map[string]any{"id": mw.w.NextID(), "meeting": m.ID, "thread": mw.usIssue, "outcome": "bracket_kept"})
	d1 := mw.us.Send(dispose)
	mw.w.Restart()
	us := mw.w.Login("us-neg")
	d2 := us.Send(dispose)
	s2 := us.Send(start)
	if string(d1.Raw) != string(d2.Raw) || string(s2.Raw) != string(first.Raw) {
		t.Errorf("after a restart: dispose %s then %s; start %s then %s", d1.Raw, d2.Raw, first.Raw, s2.Raw)
	}
	if ms, _ := meetingsOf(t, us, mw.neg); len(ms) != 1 || len(ms[0].Dispositions) != 1 {
		t.Errorf("applied more than once: %+v", ms)
	}
}

// TestMeetingIsolation: nothing internal reaches a meeting: the party's own
// internal thread is bad_request, another party's is not_found worded as a
// thread that does not exist; the minutes, the snapshot's meetings and the
// shared stream hold no internal material; a party not in the negotiation
// gets not_found.
func TestMeetingIsolation(t *testing.T) {
	mw := newMeetingWorld(t)
	us, sg := mw.us, mw.sg
	var m mra.Meeting
	us.Must(mw.cmd("start_meeting", map[string]any{"title": "Round 1", "parties": []string{"US", "SG"}}), &m)
	for _, typ := range []string{"focus_issue", "dispose"} {
		fields := func(th string) map[string]any {
			return mw.cmd(typ, map[string]any{"meeting": m.ID, "thread": th, "outcome": "bracket_kept"})
		}
		if e := us.Fails(mra.CodeBadRequest, fields(mw.secret)); !strings.Contains(e.Message, "shared thread") {
			t.Errorf("%s of US's own internal thread: %q", typ, e.Message)
		}
		// To SG (not the chair, but not_found comes first) US's internal
		// thread is a thread that does not exist.
		hidden := sg.Fails(mra.CodeNotFound, fields(mw.secret))
		none := sg.Fails(mra.CodeNotFound, fields("t-nothing"))
		if strings.Replace(hidden.Message, mw.secret, "X", 1) != strings.Replace(none.Message, "t-nothing", "X", 1) {
			t.Errorf("%s: another party's internal thread reads unlike none: %q, %q", typ, hidden.Message, none.Message)
		}
	}
	us.Must(mw.cmd("focus_issue", map[string]any{"meeting": m.ID, "thread": mw.usIssue}), nil)
	us.Must(mw.cmd("dispose", map[string]any{"meeting": m.ID, "thread": mw.usIssue, "outcome": "bracket_kept"}), nil)
	var ended mra.Meeting
	us.Must(mw.cmd("end_meeting", map[string]any{"meeting": m.ID}), &ended)

	// A party outside the negotiation: not_found for every meeting command
	// and read, worded as for a negotiation that does not exist.
	ex := mw.w.Login("ex-neg")
	for _, c := range []map[string]any{
		mw.cmd("start_meeting", map[string]any{"title": "x", "parties": []string{"EX", "US"}}),
		mw.cmd("approve_minutes", map[string]any{"meeting": m.ID, "sha256": ended.SHA256, "decision": "approve"}),
		mw.cmd("focus_issue", map[string]any{"meeting": m.ID, "thread": mw.usIssue}),
	} {
		got := ex.Fails(mra.CodeNotFound, c)
		c["negotiation"] = "n-nothing"
		none := ex.Fails(mra.CodeNotFound, c)
		if strings.Replace(got.Message, mw.neg, "X", 1) != strings.Replace(none.Message, "n-nothing", "X", 1) {
			t.Errorf("%s: %q unlike %q", c["type"], got.Message, none.Message)
		}
	}
	if status, _ := ex.Get("/api/negotiations/" + mw.neg); status != http.StatusNotFound {
		t.Errorf("EX reads the negotiation: %d", status)
	}

	// Nothing internal anywhere a meeting shows: the snapshot's meetings
	// (SG's and US's), the shared stream.
	secretWords := []string{mw.secret, secretBody, "validation findings"}
	for _, c := range []*servertest.Client{us, sg} {
		ms, _ := meetingsOf(t, c, mw.neg)
		raw, _ := json.Marshal(ms)
		for _, s := range secretWords {
			if strings.Contains(string(raw), s) {
				t.Errorf("%s's meetings hold %q: %s", c.User, s, raw)
			}
		}
	}
	_, events := sg.Get("/api/negotiations/" + mw.neg + "/events?stream=shared&since=0")
	var shared struct {
		Events []json.RawMessage `json:"events"`
	}
	json.Unmarshal(events, &shared)
	for _, e := range shared.Events {
		if strings.Contains(string(e), "meeting") {
			for _, s := range secretWords {
				if strings.Contains(string(e), s) {
					t.Errorf("a meeting event holds %q: %s", s, e)
				}
			}
		}
	}
}

// TestMeetingMinutesExport: the minutes through the export endpoint, as
// html and docx, hold the meeting and nothing internal; the same bytes
// after a restart; not_found for a party outside or a meeting that does
// not exist, bad_request for a running meeting or no meeting named.
func TestMeetingMinutesExport(t *testing.T) {
	mw := newMeetingWorld(t)
	us, sg := mw.us, mw.sg
	var m mra.Meeting
	us.Must(mw.cmd("start_meeting", map[string]any{"title": "Round 3", "parties": []string{"US", "SG"}}), &m)
	us.Must(mw.cmd("focus_issue", map[string]any{"meeting": m.ID, "thread": mw.sgIssue}), nil)
	sg.Must(mw.cmd("dispose", map[string]any{"meeting": m.ID, "thread": mw.sgIssue, "outcome": "agreed", "body": "one contact point each"}), nil)
	us.Must(mw.cmd("dispose", map[string]any{"meeting": m.ID, "thread": mw.usIssue, "outcome": "action", "owner": "US",
		"due": mw.due(19), "body": "Propose 45 days in writing"}), nil)
	q := "kind=minutes&format=html&meeting=" + string(m.ID)
	if a := getExport(t, sg, mw.neg, q); a.status != http.StatusBadRequest {
		t.Errorf("minutes of a running meeting: %d %s", a.status, a.body)
	}
	var ended mra.Meeting
	us.Must(mw.cmd("end_meeting", map[string]any{"meeting": m.ID}), &ended)
	sg.Must(mw.cmd("approve_minutes", map[string]any{"meeting": m.ID, "sha256": ended.SHA256, "decision": "approve"}), nil)

	a := mustExport(t, sg, mw.neg, q)
	html := string(a.body)
	if cd := a.header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="MRA-CTPAT-STP-Round-3-minutes.html"`) {
		t.Errorf("Content-Disposition %q", cd)
	}
	if a.header.Get("Content-Security-Policy") == "" || a.header.Get("Cache-Control") != "no-store" ||
		!strings.HasPrefix(a.header.Get("Content-Type"), "text/html") {
		t.Errorf("headers %v", a.header)
	}
	for _, want := range []string{"Minutes of the meeting “Round 3”", "chaired by US Negotiator (U.S. Customs and Border Protection)",
		"about contact point", "one contact point each", "Propose 45 days in writing", ended.SHA256, "SG Negotiator (sg-neg)",
		"Not yet approved by U.S. Customs and Border Protection."} {
		if !strings.Contains(html, want) {
			t.Errorf("the html minutes lack %q", want)
		}
	}
	d := mustExport(t, us, mw.neg, "kind=minutes&format=docx&meeting="+string(m.ID))
	rep, err := docx.Read(d.body, docx.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rep.Text, "Due "+mw.due(19)+": Propose 45 days in writing (issue 2)") {
		t.Errorf("the docx minutes: %s", rep.Text)
	}
	for _, s := range []string{mw.secret, secretBody, "validation findings"} {
		if strings.Contains(html, s) || strings.Contains(rep.Text, s) || strings.Contains(string(d.body), s) {
			t.Errorf("the minutes hold %q", s)
		}
	}
	if a := getExport(t, mw.w.Login("ex-neg"), mw.neg, q); a.status != http.StatusNotFound {
		t.Errorf("EX exports the minutes: %d", a.status)
	}
	for query, status := range map[string]int{
		"kind=minutes&format=html&meeting=g-nothing":      http.StatusNotFound,
		"kind=minutes&format=html":                        http.StatusBadRequest,
		"kind=minutes&format=txt&meeting=" + string(m.ID): http.StatusBadRequest,
	} {
		if a := getExport(t, sg, mw.neg, query); a.status != status {
			t.Errorf("%s: %d, want %d", query, a.status, status)
		}
	}
	mw.w.Restart()
	if again := mustExport(t, mw.w.Login("sg-neg"), mw.neg, q); string(again.body) != html {
		t.Error("the minutes changed with a restart")
	}
}
