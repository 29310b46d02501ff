package export

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mra/server/docx"
	"mra/server/docx/docxtest"
	"mra/server/mra"
)

var (
	meetingStart = time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC)
	meetingEnd   = time.Date(2026, 12, 1, 15, 30, 0, 0, time.UTC)
)

// minutesView is a view of a negotiation with one ended meeting: three
// issues taken up (the third's thread the viewer sees as internal, as a
// damaged state might: it must not be written), an action of each party,
// a version proposed while it ran, an approval, and an ad referendum
// confirmed since.
func minutesTestView() View {
	ref := mra.Disposition{ID: "d-2", Thread: "t-us", Outcome: mra.OutcomeAdReferendum, Parties: []mra.PartyID{}, Owner: "SG",
		By: "us-neg", Party: "US", At: meetingStart.Add(20 * time.Minute), Confirmed: mra.RefPending}
	agreed := mra.Disposition{ID: "d-1", Thread: "t-sg", Outcome: mra.OutcomeAgreed, Parties: []mra.PartyID{"US", "SG"},
		Body: "as <drafted> & read", By: "sg-neg", Party: "SG", At: meetingStart.Add(10 * time.Minute)}
	actUS := mra.Disposition{ID: "d-3", Thread: "t-us", Outcome: mra.OutcomeAction, Parties: []mra.PartyID{}, Owner: "US",
		Due: "2026-12-20", Body: "Send the revised Article 2", By: "us-neg", Party: "US", At: meetingStart.Add(30 * time.Minute)}
	actSG := mra.Disposition{ID: "d-4", Thread: "t-us", Outcome: mra.OutcomeAction, Parties: []mra.PartyID{}, Owner: "SG",
		Due: "2026-12-10", Body: "Consult the ministry", By: "sg-neg", Party: "SG", At: meetingStart.Add(31 * time.Minute)}
	mins := &mra.Minutes{
		Title: "Round 3", Negotiation: "n-1", Chair: "us-neg", Parties: []mra.PartyID{"US", "SG"},
		StartedAt: meetingStart, EndedAt: meetingEnd,
		Issues: []mra.MinutesIssue{
			{Thread: "t-sg", RaisedBy: "SG", Quote: "contact point", Statement: "Name <b>one</b> contact point", Outcome: mra.OutcomeAgreed,
				Dispositions: []mra.Disposition{agreed}},
			{Thread: "t-us", RaisedBy: "US", Quote: "within 30 days", Statement: "30 days is too short", Outcome: mra.OutcomeAdReferendum,
				Dispositions: []mra.Disposition{ref, actUS, actSG}},
			{Thread: "t-hidden", RaisedBy: "US", Quote: "secret words", Statement: "HIDDEN STATEMENT", Dispositions: []mra.Disposition{}},
		},
		Actions: []mra.MinutesAction{
			{Owner: "SG", Due: "2026-12-10", Body: "Consult the ministry", Thread: "t-us"},
			{Owner: "US", Due: "2026-12-20", Body: "Send the revised Article 2", Thread: "t-us"},
		},
		Versions: []mra.MinutesVersion{{Version: 2, SHA256: strings.Repeat("ab", 32), Party: "SG", Note: "45 days", At: meetingStart.Add(time.Hour)}},
	}
	confirmed := ref
	confirmed.Confirmed = mra.RefConfirmed
	end := meetingEnd
	m := mra.Meeting{
		ID: "g-1", Title: "Round 3", Chair: "us-neg", ChairParty: "US", Parties: []mra.PartyID{"US", "SG"},
		StartedAt: meetingStart, EndedAt: &end, Discussed: []mra.ThreadID{"t-sg", "t-us", "t-hidden"},
		Dispositions: []mra.Disposition{agreed, confirmed, actUS, actSG},
		Minutes:      mins, SHA256: strings.Repeat("cd", 32),
		Approvals: []mra.MinutesApproval{{User: "sg-legal", Party: "SG", Decision: mra.Approve, At: meetingEnd.Add(time.Hour)}},
	}
	running := mra.Meeting{ID: "g-2", Title: "Round 4", Chair: "sg-neg", ChairParty: "SG", Parties: []mra.PartyID{"US", "SG"},
		StartedAt: meetingEnd.Add(24 * time.Hour), Running: true}
	return View{
		Snapshot: mra.Snapshot{
			Negotiation: mra.NegotiationView{ID: "n-1", Title: "MRA CTPAT–STP"},
			Parties:     []mra.Party{{ID: "US", Name: "U.S. Customs and Border Protection"}, {ID: "SG", Name: "Singapore Customs"}},
			Threads: []*mra.Thread{
				{ID: "t-us", Kind: mra.KindOpenIssue, Visibility: mra.Shared, Party: "US"},
				{ID: "t-sg", Kind: mra.KindOpenIssue, Visibility: mra.Shared, Party: "SG"},
				{ID: "t-hidden", Kind: mra.KindOpenIssue, Visibility: mra.Internal, Party: "US"},
			},
			Meetings: []mra.Meeting{m, running},
		},
		Party: "US",
		Names: map[mra.UserID]string{"us-neg": "Alice Negotiator", "sg-legal": "Wei Legal"},
	}
}

func minutesOf(t *testing.T, v View, query string) *File {
	t.Helper()
	q, _ := url.ParseQuery(query)
	r, err := ParseQuery(q)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	f, err := Make(v, r)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return f
}

// TestMinutesQuery: minutes need a meeting and html or docx; a meeting
// goes with minutes only; nothing of a version, nothing internal.
func TestMinutesQuery(t *testing.T) {
	for _, q := range []string{
		"kind=minutes&format=html",
		"kind=minutes&format=txt&meeting=g-1",
		"kind=minutes&format=json&meeting=g-1",
		"kind=minutes&format=html&meeting=",
		"kind=minutes&format=html&meeting=g-1&meeting=g-2",
		"kind=minutes&format=html&meeting=g-1&version=1",
		"kind=minutes&format=html&meeting=g-1&internal=1",
		"kind=clean&format=html&meeting=g-1",
	} {
		v, _ := url.ParseQuery(q)
		if _, err := ParseQuery(v); err == nil || err.(*mra.Error).Code != mra.CodeBadRequest {
			t.Errorf("%s: %v, want bad_request", q, err)
		}
	}
	q, _ := url.ParseQuery("kind=minutes&format=docx&meeting=g-1")
	if r, err := ParseQuery(q); err != nil || r != (Request{Kind: Minutes, Format: DOCX, Meeting: "g-1"}) {
		t.Errorf("%+v %v", r, err)
	}
	v := minutesTestView()
	for q, code := range map[string]mra.Code{
		"kind=minutes&format=html&meeting=g-none": mra.CodeNotFound,
		"kind=minutes&format=html&meeting=g-2":    mra.CodeBadRequest, // running: no minutes yet
	} {
		u, _ := url.ParseQuery(q)
		r, _ := ParseQuery(u)
		if _, err := Make(v, r); err == nil || err.(*mra.Error).Code != code {
			t.Errorf("%s: %v, want %s", q, err, code)
		}
	}
}

// TestMinutesHTML: present, the issues in order with their outcomes, the
// actions by party, the versions, the approvals and what has become of the
// ad referendum since; user text escaped; an issue the view does not show
// as shared is not written; the same bytes each time.
func TestMinutesHTML(t *testing.T) {
	v := minutesTestView()
	f := minutesOf(t, v, "kind=minutes&format=html&meeting=g-1")
	html := string(f.Body)
	if f.Name != "MRA CTPAT–STP Round 3 minutes.html" || f.ASCIIName != "MRA-CTPAT-STP-Round-3-minutes.html" || f.ContentType != ContentTypes[HTML] {
		t.Errorf("file %q %q %q", f.Name, f.ASCIIName, f.ContentType)
	}
	inOrder(t, html,
		"Minutes of the meeting “Round 3”",
		"1 December 2026, 14:00 UTC", "1 December 2026, 15:30 UTC", "chaired by Alice Negotiator (U.S. Customs and Border Protection)",
		strings.Repeat("cd", 32), "Not yet approved by U.S. Customs and Border Protection.",
		"<h2>Present</h2>", "U.S. Customs and Border Protection (US)", "Singapore Customs (SG)",
		"1. Open issue raised by Singapore Customs", "“contact point”", "Name &lt;b&gt;one&lt;/b&gt; contact point",
		"Outcome:</span> Agreed", "Agreed by U.S. Customs and Border Protection, Singapore Customs", "as &lt;drafted&gt; &amp; read",
		"2. Open issue raised by U.S. Customs and Border Protection", "30 days is too short", "Outcome:</span> Agreed ad referendum",
		"to be confirmed by the capital of Singapore Customs (pending)", "Action for U.S. Customs and Border Protection, due 2026-12-20",
		"<h2>Actions</h2>", "<h3>Singapore Customs</h3>", "Due 2026-12-10", "Consult the ministry", "(issue 2)",
		"<h3>U.S. Customs and Border Protection</h3>", "Due 2026-12-20", "Send the revised Article 2",
		"<h2>Versions proposed during the meeting</h2>", "<td>2</td><td>Singapore Customs</td>", "45 days", strings.Repeat("ab", 32),
		"<h2>Approval of the minutes</h2>", "Wei Legal (sg-legal)", "approve",
		"<h2>Since the meeting</h2>", "Issue 2: Agreed ad referendum: to be confirmed by the capital of Singapore Customs (confirmed)",
	)
	for _, bad := range []string{"HIDDEN STATEMENT", "secret words", "t-hidden", "<b>one</b>", "<script"} {
		if strings.Contains(html, bad) {
			t.Errorf("the minutes hold %q", bad)
		}
	}
	if again := minutesOf(t, v, "kind=minutes&format=html&meeting=g-1"); string(again.Body) != html {
		t.Error("the same minutes twice are not the same bytes")
	}
	// Approved by every party present.
	v.Snapshot.Meetings[0].Approved = true
	if html := string(minutesOf(t, v, "kind=minutes&format=html&meeting=g-1").Body); !strings.Contains(html, "Approved by every party present.") {
		t.Error("approved minutes do not say so")
	}
}

// inOrder checks that s holds each of parts, in that order.
func inOrder(t *testing.T, s string, parts ...string) {
	t.Helper()
	at := 0
	for _, p := range parts {
		i := strings.Index(s[at:], p)
		if i < 0 {
			t.Errorf("missing (or out of order) %q after byte %d", p, at)
			continue
		}
		at += i + len(p)
	}
}

// TestMinutesDocx: the docx reads back (ours and LibreOffice) as the
// minutes' lines, dated at the meeting's end, without the hidden issue.
func TestMinutesDocx(t *testing.T) {
	v := minutesTestView()
	f := minutesOf(t, v, "kind=minutes&format=docx&meeting=g-1")
	if f.Name != "MRA CTPAT–STP Round 3 minutes.docx" || f.ContentType != DocxType {
		t.Errorf("file %q %q", f.Name, f.ContentType)
	}
	rep, err := docx.Read(f.Body, docx.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"MRA CTPAT–STP", "Minutes of the meeting “Round 3”",
		"1. Open issue raised by Singapore Customs", "On the words: “contact point”", "Name <b>one</b> contact point", "Outcome: Agreed",
		"2. Open issue raised by U.S. Customs and Border Protection", "Outcome: Agreed ad referendum",
		"Actions", "Singapore Customs", "Due 2026-12-10: Consult the ministry (issue 2)",
		"U.S. Customs and Border Protection", "Due 2026-12-20: Send the revised Article 2 (issue 2)",
		"Version 2, proposed by Singapore Customs", "Wei Legal (sg-legal), Singapore Customs: approve",
		"Since the meeting",
	}
	inOrder(t, rep.Text, want...)
	if strings.Contains(rep.Text, "HIDDEN") || strings.Contains(rep.Text, "secret words") {
		t.Error("the docx holds the hidden issue")
	}
	if again := minutesOf(t, v, "kind=minutes&format=docx&meeting=g-1"); string(again.Body) != string(f.Body) {
		t.Error("the same minutes twice are not the same bytes")
	}

	bin := docxtest.Soffice(t)
	dir := t.TempDir()
	p := filepath.Join(dir, "minutes.docx")
	if err := os.WriteFile(p, f.Body, 0o600); err != nil {
		t.Fatal(err)
	}
	out := docxtest.Convert(t, bin, filepath.Join(dir, "profile"), "txt:Text", filepath.Join(dir, "out"), p)
	b, err := os.ReadFile(filepath.Join(dir, "out", "minutes.txt"))
	if err != nil {
		t.Fatalf("LibreOffice wrote no text: %v\n%s", err, out)
	}
	text := strings.ReplaceAll(strings.TrimPrefix(string(b), "\uFEFF"), "\r\n", "\n")
	if text != rep.Text+"\n" {
		t.Errorf("LibreOffice reads the minutes as\n%s\nwant\n%s", text, rep.Text)
	}
}
