package server_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mra/diff"
	"mra/diff/difftest"
	"mra/server/docx"
	"mra/server/export"
	"mra/server/mra"
	"mra/server/servertest"

	"mra/server/docx/docxtest"
)

// exportAnswer is one answer of the export endpoint.
type exportAnswer struct {
	status int
	header http.Header
	body   []byte
}

func getExport(t testing.TB, c *servertest.Client, neg, query string) exportAnswer {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.W.URL()+"/api/negotiations/"+neg+"/export?"+query, nil)
	res, err := c.HC.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return exportAnswer{res.StatusCode, res.Header, b}
}

// mustExport gets an export that must be a 200 file.
func mustExport(t testing.TB, c *servertest.Client, neg, query string) exportAnswer {
	t.Helper()
	a := getExport(t, c, neg, query)
	if a.status != http.StatusOK {
		t.Fatalf("export %s as %s: %d %s", query, c.User, a.status, a.body)
	}
	return a
}

// The export world's secrets and markers.
const (
	hostileTitle = `MRA <script>alert("t")</script> CTPAT–STP`
	hostileBody  = `<script>alert("b")</script> & "quotes"`
	usSecret     = "US-INTERNAL-7Q"
	usSignSecret = "US-INTERNAL-7Q-SIGNOFF"
)

var text2 = strings.NewReplacer(
	"within 30 days", "within 60 days",
	"Each Customs Administration shall designate a contact point.", "Each Customs Administration shall designate one contact point and a deputy.",
).Replace(servertest.Text1)

// exportWorld is a US–SG negotiation with two versions (the second by
// SG), a shared open issue (with a hostile body), a shared consensus made
// void by version 2, an agreed consensus, a US internal thread and an SG
// internal one, and sign-offs on version 2 (US internal with a body, SG
// shared).
type exportWorld struct {
	w                   *servertest.World
	us, sg, ex, usLegal *servertest.Client
	sgLegal             *servertest.Client
	neg                 string
	issue, void, agreed string
	resolved            string // an open issue on version 1, resolved after version 2
	internal, sgSecret  string
}

func newExportWorld(t *testing.T) *exportWorld {
	w := servertest.New(t, servertest.Options{})
	e := &exportWorld{w: w, us: w.Login("us-neg"), sg: w.Login("sg-neg"), ex: w.Login("ex-neg"),
		usLegal: w.Login("us-legal"), sgLegal: w.Login("sg-legal")}
	var cr mra.CreatedResult
	e.us.Must(map[string]any{"type": "create_negotiation", "title": hostileTitle, "parties": []string{"US", "SG"}}, &cr)
	e.neg = string(cr.Negotiation)
	e.us.Propose(e.neg, 0, servertest.Text1)
	e.void = e.us.Comment(e.neg, 1, servertest.Text1, "designate a contact point", mra.KindConsensus, mra.Shared)
	e.sg.Must(map[string]any{"type": "concur", "negotiation": e.neg, "thread": e.void}, nil)
	e.resolved = e.sg.Comment(e.neg, 1, servertest.Text1, "Exchange of information", mra.KindOpenIssue, mra.Shared)
	cmd := servertest.CommentCmd(e.neg, 1, servertest.Text1, "Article 3", mra.KindNote, mra.Internal)
	cmd["body"] = usSecret + "-V1"
	e.comment(e.usLegal, cmd)
	e.sg.Propose(e.neg, 1, text2)
	e.sg.Must(map[string]any{"type": "resolve", "negotiation": e.neg, "thread": e.resolved}, nil)
	cmd = servertest.CommentCmd(e.neg, 2, text2, "Purpose", mra.KindOpenIssue, mra.Shared)
	cmd["body"] = hostileBody
	e.issue = e.comment(e.sg, cmd)
	e.agreed = e.us.Comment(e.neg, 2, text2, "exchange membership information", mra.KindConsensus, mra.Shared)
	e.sg.Must(map[string]any{"type": "concur", "negotiation": e.neg, "thread": e.agreed}, nil)
	cmd = servertest.CommentCmd(e.neg, 2, text2, "within 60 days", mra.KindNote, mra.Internal)
	cmd["body"] = usSecret
	e.internal = e.comment(e.usLegal, cmd)
	cmd = servertest.CommentCmd(e.neg, 2, text2, "Contact points", mra.KindNote, mra.Internal)
	cmd["body"] = "SG-INTERNAL-3K"
	e.sgSecret = e.comment(e.sg, cmd)
	e.usLegal.Must(map[string]any{"type": "sign_off", "negotiation": e.neg, "version": 2, "sha256": mra.SHA256(text2),
		"decision": "request_changes", "body": usSignSecret}, nil)
	e.sgLegal.Must(map[string]any{"type": "sign_off", "negotiation": e.neg, "version": 2, "sha256": mra.SHA256(text2),
		"decision": "approve", "visibility": "shared", "body": "SG approves"}, nil)
	return e
}

func (e *exportWorld) comment(c *servertest.Client, cmd map[string]any) string {
	var r mra.CommentResult
	c.Must(cmd, &r)
	return string(r.Thread)
}

// combos are every kind and format of the contract's table.
var combos = []struct{ kind, format string }{
	{"clean", "txt"}, {"clean", "docx"}, {"clean", "html"},
	{"redline", "docx"}, {"redline", "html"},
	{"bracketed", "txt"}, {"bracketed", "docx"}, {"bracketed", "html"},
	{"record", "json"}, {"record", "html"},
}

// docxParts returns every part of a docx package, by name.
func docxParts(t testing.TB, b []byte) map[string]string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	parts := map[string]string{}
	for _, f := range z.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(r)
		r.Close()
		parts[f.Name] = string(data)
	}
	return parts
}

// allText is a file's text to search: for a docx, every part.
func allText(t testing.TB, format string, body []byte) string {
	if format != "docx" {
		return string(body)
	}
	var b strings.Builder
	for name, p := range docxParts(t, body) {
		b.WriteString(name + "\n" + p + "\n")
	}
	return b.String()
}

// TestExportEveryKindAndFormat: each kind and format answers its file with
// the right headers, name and content.
func TestExportEveryKindAndFormat(t *testing.T) {
	e := newExportWorld(t)
	wantType := map[string]string{"txt": "text/plain; charset=utf-8", "html": "text/html; charset=utf-8",
		"json": "application/json; charset=utf-8", "docx": export.DocxType}
	for _, c := range combos {
		t.Run(c.kind+"-"+c.format, func(t *testing.T) {
			a := mustExport(t, e.sg, e.neg, "kind="+c.kind+"&format="+c.format)
			if got := a.header.Get("Content-Type"); got != wantType[c.format] {
				t.Errorf("Content-Type %q, want %q", got, wantType[c.format])
			}
			if a.header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("no nosniff")
			}
			csp := a.header.Get("Content-Security-Policy")
			if c.format == "html" && csp != "default-src 'none'; style-src 'unsafe-inline'" {
				t.Errorf("html CSP %q", csp)
			}
			_, params, err := mime.ParseMediaType(a.header.Get("Content-Disposition"))
			if err != nil || !strings.HasPrefix(a.header.Get("Content-Disposition"), "attachment;") {
				t.Fatalf("Content-Disposition %q: %v", a.header.Get("Content-Disposition"), err)
			}
			vs := "v2"
			if c.kind == "redline" {
				vs = "v1-v2"
			}
			wantASCII := "MRA-script-alert-t-script-CTPAT-STP-" + vs + "-" + c.kind + "." + c.format
			raw := a.header.Get("Content-Disposition")
			if !strings.Contains(raw, `filename="`+wantASCII+`"`) {
				t.Errorf("ASCII filename: %q, want %q", raw, wantASCII)
			}
			// mime decodes filename* over filename.
			if want := hostileTitle + " " + vs + " " + c.kind + "." + c.format; params["filename"] != want {
				t.Errorf("filename* %q, want %q", params["filename"], want)
			}
			if c.format == "html" {
				checkHTML(t, string(a.body))
			}
			switch c.kind + "-" + c.format {
			case "clean-txt":
				if string(a.body) != text2 {
					t.Errorf("clean txt is not the text: %q", a.body)
				}
			case "bracketed-txt":
				want := strings.Replace(strings.Replace(text2, "Purpose", "[Purpose]", 1),
					"designate one contact point", "[designate one contact point]", 1) // where the carry put the void consensus
				if string(a.body) != want {
					t.Errorf("bracketed txt:\n%s\nwant\n%s", a.body, want)
				}
				if strings.NewReplacer("[", "", "]", "").Replace(string(a.body)) != text2 {
					t.Errorf("without its brackets the text is not version 2")
				}
			case "redline-html":
				for _, s := range []string{"<ins>one</ins>", "<del>a</del>", "<del>30</del>", "<ins>60</ins>", `class="legend"`, "Singapore Customs"} {
					if !strings.Contains(string(a.body), s) {
						t.Errorf("redline html lacks %q", s)
					}
				}
			case "bracketed-html":
				if !strings.Contains(string(a.body), `<span class="bracket">[</span>Purpose<a class="ref"`) ||
					strings.Count(string(a.body), `<span class="bracket">]</span>`) != 3 { // two, and the legend's
					t.Errorf("bracketed html does not bracket Purpose: %s", a.body)
				}
			case "clean-html":
				body := string(a.body)
				for _, s := range []string{"Open issue · open", "Consensus · agreed", "Consensus · void", "&lt;script&gt;alert(&#34;b&#34;)&lt;/script&gt;"} {
					if !strings.Contains(body, s) {
						t.Errorf("clean html lacks %q", s)
					}
				}
				if strings.Contains(body, "SG-INTERNAL-3K") || strings.Contains(body, "Internal —") {
					t.Errorf("clean html without internal=1 holds an internal thread")
				}
			}
		})
	}
}

// checkHTML checks an html export is one self-contained page: no script,
// nothing fetched, user text escaped.
func checkHTML(t *testing.T, page string) {
	t.Helper()
	lower := strings.ToLower(page)
	for _, bad := range []string{"<script", "src=", "<link", "@import", "url(", "javascript:", "<iframe"} {
		if strings.Contains(lower, bad) {
			t.Errorf("html export holds %q", bad)
		}
	}
	if !strings.HasPrefix(page, "<!DOCTYPE html>") || !strings.Contains(page, "<style>") || !strings.Contains(page, "@media print") {
		t.Errorf("html export is not a styled, printable page: %.200s", page)
	}
	if !strings.Contains(page, "MRA &lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt; CTPAT–STP") {
		t.Errorf("the title is not escaped in the page")
	}
}

// TestExportRecord: the record holds the version, its hash, every sign-off
// and signature on it with its person and time, and the shared stream's
// head, as the event log has it.
func TestExportRecord(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	us, sg := w.Login("us-neg"), w.Login("sg-neg")
	usLegal, sgLegal, usSign, sgSign := w.Login("us-legal"), w.Login("sg-legal"), w.Login("us-sign"), w.Login("sg-sign")
	neg := us.Create(1)
	_, sha := us.Propose(neg, 0, servertest.Text1)
	usLegal.Must(map[string]any{"type": "sign_off", "negotiation": neg, "version": 1, "sha256": sha, "decision": "approve", "body": usSignSecret}, nil)
	sgLegal.Must(map[string]any{"type": "sign_off", "negotiation": neg, "version": 1, "sha256": sha, "decision": "approve", "visibility": "shared", "body": "fine by SG"}, nil)
	usSign.Must(map[string]any{"type": "sign", "negotiation": neg, "version": 1, "sha256": sha}, nil)
	sgSign.Must(map[string]any{"type": "sign", "negotiation": neg, "version": 1, "sha256": sha}, nil)

	var events struct {
		Events []struct {
			Seq  uint64 `json:"seq"`
			Hash string `json:"hash"`
			Kind string `json:"kind"`
			At   string `json:"at"`
		} `json:"events"`
	}
	sg.GetJSON("/api/negotiations/"+neg+"/events?stream=shared", &events)
	last := events.Events[len(events.Events)-1]

	a := mustExport(t, sg, neg, "kind=record&format=json")
	var r export.RecordFile
	if err := json.Unmarshal(a.body, &r); err != nil {
		t.Fatal(err)
	}
	snap := sg.Snapshot(neg)
	if r.Negotiation.ID != mra.NegotiationID(neg) || r.Negotiation.Title != "MRA CTPAT–STP" || r.Version != 1 || r.SHA256 != sha ||
		r.Status != mra.StatusSigned || !r.Latest || r.Proposed.User != "us-neg" || r.Proposed.Name != "US Negotiator" {
		t.Errorf("record head: %+v", r)
	}
	if len(r.Parties) != 2 || r.Parties[0] != (export.RecordParty{ID: "US", Name: "U.S. Customs and Border Protection"}) ||
		r.Parties[1] != (export.RecordParty{ID: "SG", Name: "Singapore Customs"}) {
		t.Errorf("parties %+v", r.Parties)
	}
	if len(r.SignOffs) != 2 {
		t.Fatalf("sign-offs %+v", r.SignOffs)
	}
	for k, so := range r.SignOffs {
		want := snap.SignOffs[k]
		if so.User != want.User || so.Party != want.Party || so.Decision != mra.Approve || !so.At.Equal(want.At) || so.SHA256 != sha {
			t.Errorf("sign-off %d: %+v, snapshot %+v", k, so, want)
		}
	}
	if so := r.SignOffs[0]; so.Name != "US Legal" || so.Visibility != mra.Internal || so.Body != nil {
		t.Errorf("US internal sign-off as SG sees it: %+v", so)
	}
	if so := r.SignOffs[1]; so.Name != "SG Legal" || so.Body == nil || *so.Body != "fine by SG" {
		t.Errorf("SG shared sign-off: %+v", so)
	}
	if len(r.Signatures) != 2 || r.Signatures[0].User != "us-sign" || r.Signatures[0].Name != "US Signatory" ||
		r.Signatures[1].Party != "SG" || !r.Signatures[1].At.Equal(snap.Signatures[1].At) || r.Signatures[1].SHA256 != sha {
		t.Errorf("signatures %+v", r.Signatures)
	}
	if r.Heads.Shared.Seq != last.Seq || r.Heads.Shared.Hash != last.Hash || last.Kind != "signed" {
		t.Errorf("head %+v, last shared event %d %s %s", r.Heads.Shared, last.Seq, last.Hash, last.Kind)
	}
	if strings.Contains(string(a.body), usSignSecret) {
		t.Errorf("SG's record holds US's internal sign-off body")
	}
	// The US record holds its own internal body only when asked, in html.
	usRec := mustExport(t, usLegal, neg, "kind=record&format=json")
	if strings.Contains(string(usRec.body), usSignSecret) {
		t.Errorf("a record without internal=1 holds an internal sign-off body")
	}
	page := string(mustExport(t, usLegal, neg, "kind=record&format=html&internal=1").body)
	if !strings.Contains(page, usSignSecret) || !strings.Contains(page, "Internal — U.S. Customs and Border Protection") {
		t.Errorf("US html record with internal=1 lacks its own internal sign-off body")
	}
	page = string(mustExport(t, sg, neg, "kind=record&format=html").body)
	for _, s := range []string{sha, last.Hash, "US Legal (us-legal)", "SG Signatory (sg-sign)", "fine by SG", "@media print", snap.Signatures[0].At.UTC().Format(time.RFC3339)} {
		if !strings.Contains(page, s) {
			t.Errorf("record html lacks %q", s)
		}
	}
}

// TestExportBadParameters: each bad parameter is bad_request naming it;
// a missing version is not_found; a non-member gets what the snapshot
// gives it.
func TestExportBadParameters(t *testing.T) {
	e := newExportWorld(t)
	for _, c := range []struct{ query, code, names string }{
		{"format=txt", "bad_request", "kind"},
		{"kind=draft&format=txt", "bad_request", "kind"},
		{"kind=clean", "bad_request", "format"},
		{"kind=clean&format=pdf", "bad_request", "format"},
		{"kind=redline&format=txt", "bad_request", "format"},
		{"kind=record&format=docx", "bad_request", "format"},
		{"kind=clean&format=txt&version=x", "bad_request", "version"},
		{"kind=clean&format=txt&version=0", "bad_request", "version"},
		{"kind=clean&format=txt&version=-1", "bad_request", "version"},
		{"kind=clean&format=txt&version=1&version=2", "bad_request", "version"},
		{"kind=clean&format=txt&version=3", "not_found", "version 3"},
		{"kind=redline&format=html&version=1", "bad_request", "from"},
		{"kind=redline&format=html&version=2&from=2", "bad_request", "from"},
		{"kind=redline&format=html&version=1&from=2", "bad_request", "from"},
		{"kind=redline&format=html&from=x", "bad_request", "from"},
		{"kind=clean&format=txt&from=1", "bad_request", "from"},
		{"kind=clean&format=txt&internal=1", "bad_request", "internal"},
		{"kind=record&format=json&internal=1", "bad_request", "internal"},
		{"kind=clean&format=html&internal=yes", "bad_request", "internal"},
	} {
		a := getExport(t, e.us, e.neg, c.query)
		var ans struct {
			Type  string    `json:"type"`
			Error mra.Error `json:"error"`
		}
		if err := json.Unmarshal(a.body, &ans); err != nil || ans.Type != "error" || string(ans.Error.Code) != c.code ||
			!strings.Contains(ans.Error.Message, c.names) {
			t.Errorf("%s: %d %s, want %s naming %q", c.query, a.status, a.body, c.code, c.names)
		}
		if want := map[string]int{"bad_request": 400, "not_found": 404}[c.code]; a.status != want {
			t.Errorf("%s: status %d, want %d", c.query, a.status, want)
		}
	}
	// A non-member, and an unknown negotiation, get what the snapshot gives.
	for _, neg := range []string{e.neg, "n-nosuch"} {
		snapStatus, snapBody := e.ex.Get("/api/negotiations/" + neg)
		a := getExport(t, e.ex, neg, "kind=clean&format=txt")
		if a.status != http.StatusNotFound || snapStatus != a.status || string(snapBody) != string(a.body) {
			t.Errorf("non-member export of %s: %d %s; snapshot %d %s", neg, a.status, a.body, snapStatus, snapBody)
		}
		if a := getExport(t, e.ex, neg, "kind=nonsense"); a.status != http.StatusNotFound {
			t.Errorf("non-member with a bad kind learns the negotiation exists: %d", a.status)
		}
	}
	// Without a session: 401.
	anon := &http.Client{}
	res, err := anon.Get(e.w.URL() + "/api/negotiations/" + e.neg + "/export?kind=clean&format=txt")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("export without a session: %d", res.StatusCode)
	}
}

// TestExportDeterministic: the same export twice is the same bytes, also
// across a restart.
func TestExportDeterministic(t *testing.T) {
	e := newExportWorld(t)
	first := map[string][]byte{}
	for _, c := range combos {
		q := "kind=" + c.kind + "&format=" + c.format
		a, b := mustExport(t, e.us, e.neg, q), mustExport(t, e.us, e.neg, q)
		if !bytes.Equal(a.body, b.body) {
			t.Errorf("%s twice differs", q)
		}
		first[q] = a.body
	}
	e.w.Restart()
	for q, want := range first {
		if a := mustExport(t, e.us, e.neg, q); !bytes.Equal(a.body, want) {
			t.Errorf("%s after a restart differs", q)
		}
	}
}

// TestExportIsolation: a US internal thread never reaches any SG export,
// with or without internal=1, in any part of any file; US gets it only
// with internal=1 (html, docx), marked internal.
func TestExportIsolation(t *testing.T) {
	e := newExportWorld(t)
	for _, c := range combos {
		for _, internal := range []string{"", "&internal=1"} {
			q := "kind=" + c.kind + "&format=" + c.format + internal
			for _, v := range []string{"", "&version=1", "&version=1&from=1"} {
				a := getExport(t, e.sg, e.neg, q+v)
				if a.status != http.StatusOK && a.status != http.StatusBadRequest {
					t.Errorf("SG %s: %d %s", q+v, a.status, a.body)
				}
				all := a.body
				if a.status == http.StatusOK {
					all = []byte(allText(t, c.format, a.body))
				}
				for _, secret := range []string{usSecret, e.internal, "US Legal", "us-legal"} {
					if secret == "US Legal" || secret == "us-legal" {
						if c.kind == "record" || a.status != http.StatusOK {
							continue // the record names the people who signed off, by design
						}
					}
					if bytes.Contains(all, []byte(secret)) {
						t.Errorf("SG export %s holds %q", q+v, secret)
					}
				}
			}
		}
	}
	for _, f := range []string{"html", "docx"} {
		for _, kind := range []string{"clean", "redline", "bracketed"} {
			q := "kind=" + kind + "&format=" + f
			without := allText(t, f, mustExport(t, e.us, e.neg, q).body)
			if strings.Contains(without, usSecret) || strings.Contains(without, "SG-INTERNAL-3K") {
				t.Errorf("US %s without internal=1 holds an internal thread", q)
			}
			a := mustExport(t, e.us, e.neg, q+"&internal=1")
			with := allText(t, f, a.body)
			if !strings.Contains(with, usSecret) || !strings.Contains(with, "Internal — U.S. Customs and Border Protection") {
				t.Errorf("US %s&internal=1 lacks its internal thread, marked", q)
			}
			if strings.Contains(with, "SG-INTERNAL-3K") {
				t.Errorf("US %s&internal=1 holds SG's internal thread", q)
			}
			if !strings.Contains(a.header.Get("Content-Disposition"), "-internal."+f) {
				t.Errorf("an internal export's name does not say so: %s", a.header.Get("Content-Disposition"))
			}
		}
	}
}

// TestExportBracketedReferenceAgreement: on the 3 MB reference agreement
// with many overlapping and touching open issues and void consensus
// threads, the bracketed text brackets exactly the merged ranges, and
// without its brackets is the text.
func TestExportBracketedReferenceAgreement(t *testing.T) {
	if testing.Short() {
		t.Skip("3 MB agreement")
	}
	w := servertest.New(t, servertest.Options{})
	us, sg := w.Login("us-neg"), w.Login("sg-neg")
	neg := us.Create(1)
	text := difftest.Agreement(2000).New
	if strings.ContainsAny(text, "[]") {
		t.Fatal("the reference agreement holds brackets: the round trip cannot be checked this way")
	}
	us.Propose(neg, 0, text)
	runes := []rune(text)
	rng := rand.New(rand.NewPCG(10, 10))
	var ranges [][2]int
	for k := 0; k < 60; k++ {
		s := rng.IntN(len(runes) - 400)
		switch k % 6 {
		case 1: // touching the previous one
			s = ranges[len(ranges)-1][1]
		case 2: // overlapping it
			s = ranges[len(ranges)-1][0] + 1
		}
		e := s + 1 + rng.IntN(150)
		kind, vis, c := mra.KindOpenIssue, mra.Shared, us
		if k%5 == 0 {
			c = sg
		}
		if k%7 == 3 {
			vis = mra.Internal // never bracketed
		}
		if k%11 == 4 {
			kind = mra.KindNote // never bracketed
		}
		c.Must(map[string]any{"type": "comment", "negotiation": neg, "version": 1, "kind": kind, "visibility": vis,
			"body": "issue", "start": s, "end": e, "quote": string(runes[s:e])}, nil)
		if vis == mra.Shared && kind == mra.KindOpenIssue {
			ranges = append(ranges, [2]int{s, e})
		}
	}
	a := mustExport(t, us, neg, "kind=bracketed&format=txt")
	got := string(a.body)
	if strings.NewReplacer("[", "", "]", "").Replace(got) != text {
		t.Fatal("without its brackets the bracketed text is not the text")
	}
	// Expected: the union of the shared open ranges.
	inside := make([]bool, len(runes)+1)
	for _, r := range ranges {
		for p := r[0]; p < r[1]; p++ {
			inside[p] = true
		}
	}
	var want strings.Builder
	open := false
	for p, c := range runes {
		if inside[p] && !open {
			want.WriteByte('[')
			open = true
		}
		if !inside[p] && open {
			want.WriteByte(']')
			open = false
		}
		want.WriteRune(c)
	}
	if open {
		want.WriteByte(']')
	}
	if got != want.String() {
		i := 0
		for i < len(got) && i < want.Len() && got[i] == want.String()[i] {
			i++
		}
		t.Fatalf("brackets differ at byte %d: got %q, want %q", i, got[max(0, i-40):min(len(got), i+40)], want.String()[max(0, i-40):min(want.Len(), i+40)])
	}
	if n := strings.Count(got, "["); n < 20 {
		t.Errorf("only %d bracketed ranges", n)
	}
}

// TestImport: a docx made by the writer imports to the same text and
// sha256; bad bodies get the contract's codes; importing changes nothing.
func TestImport(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	us := w.Login("us-neg")
	neg := us.Create(1)
	us.Propose(neg, 0, servertest.Text1)
	before, err := w.Bolt.Load()
	if err != nil {
		t.Fatal(err)
	}
	post := func(contentType string, body []byte, origin string) (int, []byte) {
		req, _ := http.NewRequest(http.MethodPost, w.URL()+"/api/import", bytes.NewReader(body))
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		return us.Do(req)
	}
	for _, text := range []string{servertest.Text1, "Article 1\n\n第一条 税关\nمرحبا بكم\n🙂 emoji\n", ""} {
		var b bytes.Buffer
		if err := docx.Write(&b, docx.Document{Title: "t", Segments: []docx.Segment{{Kind: docx.Same, Text: text}}}); err != nil {
			t.Fatalf("docx.Write: %v", err)
		}
		status, body := post(export.DocxType, b.Bytes(), "")
		var r struct {
			Text           string `json:"text"`
			Paragraphs     int    `json:"paragraphs"`
			TrackedChanges int    `json:"tracked_changes"`
			Hidden         *int   `json:"hidden"`
		}
		if status != http.StatusOK || json.Unmarshal(body, &r) != nil {
			t.Fatalf("import: %d %s", status, body)
		}
		if mra.SHA256(r.Text) != mra.SHA256(text) || r.TrackedChanges != 0 || r.Paragraphs != strings.Count(text, "\n")+1 || r.Hidden == nil || *r.Hidden != 0 {
			t.Errorf("import of %q: %+v", text, r)
		}
	}
	zipNoDoc := func() []byte {
		var b bytes.Buffer
		z := zip.NewWriter(&b)
		f, _ := z.Create("hello.txt")
		f.Write([]byte("hi"))
		z.Close()
		return b.Bytes()
	}()
	for _, c := range []struct {
		name, ctype string
		body        []byte
		origin      string
		status      int
		code, says  string
	}{
		{"json", "application/json", []byte(`{}`), "", 400, "bad_request", "Content-Type"},
		{"no type", "", []byte("x"), "", 400, "bad_request", "Content-Type"},
		{"not a zip", export.DocxType, []byte("plain text, not a zip"), "", 400, "bad_request", "zip"},
		{"no document", export.DocxType, zipNoDoc, "", 400, "bad_request", "document.xml"},
		{"too large", export.DocxType, make([]byte, 16<<20+1), "", 413, "too_large", "bytes"},
		{"foreign origin", export.DocxType, []byte("x"), "https://evil.example", 403, "forbidden", "origin"},
	} {
		status, body := post(c.ctype, c.body, c.origin)
		var ans struct {
			Error mra.Error `json:"error"`
		}
		json.Unmarshal(body, &ans)
		if status != c.status || string(ans.Error.Code) != c.code || !strings.Contains(ans.Error.Message, c.says) {
			t.Errorf("%s: %d %s, want %d %s saying %q", c.name, status, body, c.status, c.code, c.says)
		}
	}
	after, err := w.Bolt.Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(before) != len(after) || fmt.Sprint(before[0].Heads) != fmt.Sprint(after[0].Heads) {
		t.Errorf("import changed the store: heads %v, then %v", before[0].Heads, after[0].Heads)
	}
	// Any role may import (it changes nothing): an admin too.
	admin := w.Login("us-admin")
	req, _ := http.NewRequest(http.MethodPost, w.URL()+"/api/import", strings.NewReader("not a zip"))
	req.Header.Set("Content-Type", export.DocxType)
	if status, body := admin.Do(req); status != http.StatusBadRequest {
		t.Errorf("admin import: %d %s", status, body)
	}
	// Without a session: 401.
	req, _ = http.NewRequest(http.MethodPost, w.URL()+"/api/import", strings.NewReader("x"))
	req.Header.Set("Content-Type", export.DocxType)
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusUnauthorized {
		t.Errorf("import without a session: %v %v", res, err)
	}
}

// TestExportRedlineDocx: the redline docx tracks every change, authored
// by the proposing party; accepting all gives version 2, rejecting all
// version 1; a clean docx imports back to the text.
func TestExportRedlineDocx(t *testing.T) {
	e := newExportWorld(t)
	a := mustExport(t, e.us, e.neg, "kind=redline&format=docx")
	accepted, err := docx.Read(a.body, docx.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rejected, err := docx.Read(a.body, docx.Options{Reject: true})
	if err != nil {
		t.Fatal(err)
	}
	if accepted.Text != text2 || rejected.Text != servertest.Text1 || accepted.TrackedChanges == 0 {
		t.Errorf("redline docx: accepted %q, rejected %q, %d changes", accepted.Text, rejected.Text, accepted.TrackedChanges)
	}
	// Imported over HTTP: the accepted text, and the changes counted.
	req, _ := http.NewRequest(http.MethodPost, e.w.URL()+"/api/import", bytes.NewReader(a.body))
	req.Header.Set("Content-Type", export.DocxType+"; charset=binary")
	status, body := e.sg.Do(req)
	var imp struct {
		Text           string `json:"text"`
		TrackedChanges int    `json:"tracked_changes"`
	}
	if status != http.StatusOK || json.Unmarshal(body, &imp) != nil || imp.Text != text2 || imp.TrackedChanges != accepted.TrackedChanges {
		t.Errorf("import of the redline docx: %d %s", status, body)
	}
	parts := docxParts(t, a.body)
	doc := parts["word/document.xml"]
	if !strings.Contains(doc, `w:author="Singapore Customs"`) || strings.Contains(doc, "SG Negotiator") || strings.Contains(doc, "sg-neg") {
		t.Errorf("tracked changes are not authored by the proposing party alone")
	}
	if core := parts["docProps/core.xml"]; !strings.Contains(core, "U.S. Customs and Border Protection") ||
		!strings.Contains(core, "MRA &lt;script&gt;") {
		t.Errorf("core properties: %s", core)
	}
	for name, p := range parts {
		if strings.Contains(p, "rsid") {
			t.Errorf("part %s holds an rsid", name)
		}
		for _, person := range []string{"US Negotiator", "us-neg", "SG Negotiator", "sg-neg", "US Legal"} {
			if strings.Contains(p, person) {
				t.Errorf("part %s names a person: %q", name, person)
			}
		}
	}
	if !strings.Contains(parts["word/comments.xml"], "Open issue · open") {
		t.Errorf("the redline does not carry the shared threads as comments")
	}
	clean := mustExport(t, e.us, e.neg, "kind=clean&format=docx")
	r, err := docx.Read(clean.body, docx.Options{})
	if err != nil || mra.SHA256(r.Text) != mra.SHA256(text2) {
		t.Errorf("clean docx reads back as %q (%v)", r.Text, err)
	}
	br := mustExport(t, e.us, e.neg, "kind=bracketed&format=docx")
	r, err = docx.Read(br.body, docx.Options{})
	bt := string(mustExport(t, e.us, e.neg, "kind=bracketed&format=txt").body)
	if err != nil || r.Text != bt {
		t.Errorf("bracketed docx reads back as %q (%v), want %q", r.Text, err, bt)
	}
}

// TestRedlineSegments: the ops map onto tracked segments so that the
// accepted side is the new text and the rejected side the old.
func TestRedlineSegments(t *testing.T) {
	p := difftest.Agreement(50)
	old, nw := p.Old, p.New
	// A moved paragraph too.
	lines := strings.Split(nw, "\n\n")
	lines[3], lines[len(lines)-2] = lines[len(lines)-2], lines[3]
	nw = strings.Join(lines, "\n\n")
	segs := export.Segments(diff.Redline(old, nw))
	var acc, rej strings.Builder
	moves := 0
	for _, s := range segs {
		switch s.Kind {
		case docx.Same:
			acc.WriteString(s.Text)
			rej.WriteString(s.Text)
		case docx.Insert, docx.MoveTo:
			acc.WriteString(s.Text)
		case docx.Delete, docx.MoveFrom:
			rej.WriteString(s.Text)
		}
		if s.Kind == docx.MoveTo && s.Move != 0 {
			moves++
		}
	}
	if acc.String() != nw || rej.String() != old {
		t.Errorf("segments do not give the two texts")
	}
	if moves == 0 {
		t.Errorf("no move marked")
	}
}

// convertToText converts documents to text with LibreOffice, in one run
// with a profile of its own, and returns each text (BOM dropped, CRLF as LF).
func convertToText(t *testing.T, docs map[string][]byte) map[string]string {
	t.Helper()
	bin := docxtest.Soffice(t)
	dir := t.TempDir()
	var files []string
	for name, b := range docs {
		p := filepath.Join(dir, name+".docx")
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	out := docxtest.Convert(t, bin, filepath.Join(dir, "profile"), "txt:Text", filepath.Join(dir, "out"), files...)
	texts := map[string]string{}
	for name := range docs {
		b, err := os.ReadFile(filepath.Join(dir, "out", name+".txt"))
		if err != nil {
			t.Fatalf("soffice wrote no text for %s: %v\n%s", name, err, out)
		}
		texts[name] = strings.ReplaceAll(strings.TrimPrefix(string(b), "\uFEFF"), "\r\n", "\n")
	}
	return texts
}

// TestExportLibreOffice: LibreOffice reads the clean and the bracketed docx
// as the text (each paragraph ends with a line break in its txt).
func TestExportLibreOffice(t *testing.T) {
	docxtest.Soffice(t)
	e := newExportWorld(t)
	bracketed := string(mustExport(t, e.sg, e.neg, "kind=bracketed&format=txt").body)
	texts := convertToText(t, map[string][]byte{
		"clean":     mustExport(t, e.sg, e.neg, "kind=clean&format=docx").body,
		"bracketed": mustExport(t, e.sg, e.neg, "kind=bracketed&format=docx").body,
	})
	if texts["clean"] != text2+"\n" {
		t.Errorf("LibreOffice reads the clean docx as %q, want %q", texts["clean"], text2+"\n")
	}
	if texts["bracketed"] != bracketed+"\n" {
		t.Errorf("LibreOffice reads the bracketed docx as %q, want %q", texts["bracketed"], bracketed+"\n")
	}
}

// TestExportOlderVersion: an older version's export shows its threads as
// they stood while it was the latest: brackets around what was open then,
// comments with their status then, and the party's own internal notes on
// it only with internal=1.
func TestExportOlderVersion(t *testing.T) {
	e := newExportWorld(t)
	got := string(mustExport(t, e.sg, e.neg, "kind=bracketed&format=txt&version=1").body)
	if want := strings.Replace(servertest.Text1, "Exchange of information", "[Exchange of information]", 1); got != want {
		t.Errorf("bracketed version 1:\n%s\nwant\n%s", got, want)
	}
	if got := string(mustExport(t, e.sg, e.neg, "kind=bracketed&format=txt").body); strings.Contains(got, "[Exchange") {
		t.Errorf("bracketed version 2 brackets an issue resolved on it")
	}
	page := string(mustExport(t, e.sg, e.neg, "kind=clean&format=html&version=1").body)
	for _, s := range []string{"Consensus · agreed", "Open issue · open", "as they stood while version 1 was the latest (the latest is now version 2)"} {
		if !strings.Contains(page, s) {
			t.Errorf("clean html of version 1 lacks %q", s)
		}
	}
	for _, s := range []string{"Consensus · void", "Open issue · resolved", hostileBody, usSecret} {
		if strings.Contains(page, s) {
			t.Errorf("clean html of version 1 holds %q", s)
		}
	}
	us := string(mustExport(t, e.us, e.neg, "kind=clean&format=html&version=1&internal=1").body)
	if !strings.Contains(us, usSecret+"-V1") || strings.Contains(us, "SG-INTERNAL-3K") {
		t.Errorf("US clean html of version 1 with internal=1 lacks its note on version 1, or holds SG's")
	}
	sg := string(mustExport(t, e.sg, e.neg, "kind=clean&format=html&version=1&internal=1").body)
	if strings.Contains(sg, usSecret) {
		t.Errorf("SG's export of version 1 holds US's internal note")
	}
	r, err := docx.Read(mustExport(t, e.sg, e.neg, "kind=bracketed&format=docx&version=1").body, docx.Options{})
	if err != nil || r.Text != strings.Replace(servertest.Text1, "Exchange of information", "[Exchange of information]", 1) {
		t.Errorf("bracketed docx of version 1: %q %v", r.Text, err)
	}
}
