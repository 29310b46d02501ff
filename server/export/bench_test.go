package export_test

import (
	"bytes"
	"strconv"
	"testing"
	"time"

	"mra/diff/difftest"
	"mra/server/docx"
	"mra/server/export"
	"mra/server/mra"
)

// referenceView is a negotiation of the two versions of the reference
// agreement (3 MB), as one party sees it, with no thread.
func referenceView() export.View {
	p := difftest.Agreement(2000)
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	texts := []string{p.Old, p.New}
	return export.View{
		Snapshot: mra.Snapshot{
			Negotiation: mra.NegotiationView{ID: "n-ref", Title: "Reference agreement", Parties: []mra.PartyID{"US", "SG"}},
			Parties:     []mra.Party{{ID: "US", Name: "U.S. Customs and Border Protection"}, {ID: "SG", Name: "Singapore Customs"}},
			Versions: []mra.Version{
				{Number: 1, SHA256: mra.SHA256(p.Old), Author: "us-neg", Party: "US", At: at},
				{Number: 2, Base: 1, SHA256: mra.SHA256(p.New), Author: "sg-neg", Party: "SG", At: at.Add(time.Hour)},
			},
		},
		Party: "US",
		Text:  func(n int) (string, error) { return texts[n-1], nil },
	}
}

// BenchmarkExportRedlineDocx: the reference agreement's redline as a docx
// with tracked changes (diff, segments and writing).
func BenchmarkExportRedlineDocx(b *testing.B) {
	v := referenceView()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := export.Make(v, export.Request{Kind: export.Redline, Format: export.DOCX}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkImportCleanDocx: reading the reference agreement's clean docx,
// as POST /api/import does.
func BenchmarkImportCleanDocx(b *testing.B) {
	v := referenceView()
	f, err := export.Make(v, export.Request{Kind: export.Clean, Format: export.DOCX})
	if err != nil {
		b.Fatal(err)
	}
	want, _ := v.Text(2)
	r, err := docx.Read(f.Body, docx.Options{})
	if err != nil || r.Text != want {
		b.Fatalf("the clean docx does not read back as the text (%v)", err)
	}
	b.SetBytes(int64(len(f.Body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := docx.Read(f.Body, docx.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestReferenceRedlineDocx: the reference agreement's redline docx reads
// back, every change accepted, as version 2 and, every change rejected, as
// version 1; its clean docx as the text, with the same sha256.
func TestReferenceRedlineDocx(t *testing.T) {
	if testing.Short() {
		t.Skip("3 MB agreement")
	}
	v := referenceView()
	old, _ := v.Text(1)
	nw, _ := v.Text(2)
	f, err := export.Make(v, export.Request{Kind: export.Redline, Format: export.DOCX})
	if err != nil {
		t.Fatal(err)
	}
	acc, err := docx.Read(f.Body, docx.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rej, err := docx.Read(f.Body, docx.Options{Reject: true})
	if err != nil {
		t.Fatal(err)
	}
	if acc.Text != nw || rej.Text != old || acc.TrackedChanges < 100 {
		t.Errorf("reference redline docx: accepted is version 2: %v, rejected is version 1: %v, %d changes", acc.Text == nw, rej.Text == old, acc.TrackedChanges)
	}
	c, err := export.Make(v, export.Request{Kind: export.Clean, Format: export.DOCX})
	if err != nil {
		t.Fatal(err)
	}
	r, err := docx.Read(c.Body, docx.Options{})
	if err != nil || mra.SHA256(r.Text) != mra.SHA256(nw) {
		t.Errorf("the reference clean docx does not import to the text (%v)", err)
	}
	again, _ := export.Make(v, export.Request{Kind: export.Redline, Format: export.DOCX})
	if !bytes.Equal(again.Body, f.Body) {
		t.Errorf("the reference redline docx differs when made again")
	}
}

// BenchmarkExportBracketedDocxThreads: the reference agreement's bracketed
// docx with 5,000 shared threads (half of them open issues), each a comment.
func BenchmarkExportBracketedDocxThreads(b *testing.B) {
	v := referenceView()
	nw, _ := v.Text(2)
	n := len([]rune(nw))
	at := v.Snapshot.Versions[1].At
	for k := range 5000 {
		s := (k * 7919) % (n - 100)
		kind, status := mra.KindOpenIssue, mra.StatusOpen
		if k%2 == 1 {
			kind, status = mra.KindNote, mra.StatusOpen
		}
		v.Snapshot.Threads = append(v.Snapshot.Threads, &mra.Thread{
			ID: mra.ThreadID("t-" + strconv.Itoa(k)), Kind: kind, Visibility: mra.Shared, Party: "SG", Status: status,
			Anchor:    &mra.Anchor{Version: 2, Start: s, End: s + 40},
			Messages:  []mra.Message{{Party: "SG", Body: "why this?", At: at}},
			CreatedAt: at,
		})
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := export.Make(v, export.Request{Kind: export.Bracketed, Format: export.DOCX}); err != nil {
			b.Fatal(err)
		}
	}
}
