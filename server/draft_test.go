package server_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"mra/diff/difftest"
	"mra/server/mra"
	"mra/server/servertest"
)

// draftAnswer is the draft diff's answer (POST …/diff).
type draftAnswer struct {
	From  int        `json:"from"`
	To    *int       `json:"to"`
	Voids []mra.Void `json:"voids"`
	Ops   []struct {
		Op   string `json:"op"`
		Text string `json:"text"`
	} `json:"ops"`
}

func postDraft(t *testing.T, c *servertest.Client, neg string, from int, text string) (draftAnswer, string) {
	t.Helper()
	status, body := c.Post("/api/negotiations/"+neg+"/diff", map[string]any{"from": from, "text": text})
	var d draftAnswer
	if err := json.Unmarshal(body, &d); status != http.StatusOK || err != nil {
		t.Fatalf("draft diff: %d %s", status, body)
	}
	return d, string(body)
}

// TestDraftVoids: the draft diff names the consensus threads the draft
// would void, as the proposal then does, and only those the caller's party
// may see: never another party's internal thread, in any form.
func TestDraftVoids(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	us, sg := w.Login("us-neg"), w.Login("sg-neg")
	neg := us.Create(1)
	us.Propose(neg, 0, servertest.Text1)
	const info = "exchange membership information"
	agreed := us.Comment(neg, 1, servertest.Text1, info, mra.KindConsensus, mra.Shared)
	sg.Must(map[string]any{"type": "concur", "negotiation": neg, "thread": agreed}, nil)
	const secret = "designate a contact point"
	sgInternal := sg.Comment(neg, 1, servertest.Text1, secret, mra.KindConsensus, mra.Internal)
	proposed := us.Comment(neg, 1, servertest.Text1, "validation findings", mra.KindConsensus, mra.Shared)

	both := strings.NewReplacer("30 days", "60 days", "a contact point", "one contact point").Replace(servertest.Text1)
	elsewhere := strings.Replace(servertest.Text1, "Contact points", "Contact offices", 1)

	d, body := postDraft(t, us, neg, 1, both)
	if len(d.Voids) != 1 || string(d.Voids[0].Thread) != agreed || d.Voids[0].Quote != info ||
		d.Voids[0].Status != mra.StatusAgreed || d.Voids[0].Visibility != mra.Shared {
		t.Errorf("US is told of voids %+v, want the agreed %s alone", d.Voids, agreed)
	}
	if strings.Contains(body, sgInternal) || strings.Contains(body, `"quote":"`+secret) {
		t.Errorf("US's draft diff names SG's internal consensus: %s", body[:min(len(body), 400)])
	}
	if d.To != nil || d.From != 1 || len(d.Ops) == 0 {
		t.Errorf("draft diff shape: from %d to %v, %d ops", d.From, d.To, len(d.Ops))
	}
	d, _ = postDraft(t, sg, neg, 1, both)
	if got := voidIDs(d.Voids); got != agreed+","+sgInternal {
		t.Errorf("SG is told of voids %s, want %s,%s", got, agreed, sgInternal)
	}
	if d, _ = postDraft(t, us, neg, 1, elsewhere); len(d.Voids) != 0 || d.Voids == nil {
		t.Errorf("a draft that changes no guarded clause: voids %+v, want []", d.Voids)
	}
	if s := us.Snapshot(neg); len(s.Versions) != 1 || s.Thread(agreed).Status != mra.StatusAgreed {
		t.Errorf("a draft diff changed the negotiation")
	}

	// The forecast holds: proposing the draft voids what it said.
	us.Propose(neg, 1, both)
	s := sg.Snapshot(neg)
	if s.Thread(agreed).Status != mra.StatusVoid || s.Thread(sgInternal).Status != mra.StatusVoid || s.Thread(proposed).Status != mra.StatusProposed {
		t.Errorf("after the proposal: agreed %s, SG internal %s, proposed %s", s.Thread(agreed).Status, s.Thread(sgInternal).Status, s.Thread(proposed).Status)
	}

	// From an older version, voids are judged against the latest: the
	// threads stand there. Void threads are not voided again.
	again := strings.Replace(both, "partner program", "partner's program", 1)
	d, _ = postDraft(t, us, neg, 1, again)
	if got := voidIDs(d.Voids); got != proposed {
		t.Errorf("draft from version 1 with version 2 latest: voids %s, want %s", got, proposed)
	}
}

func voidIDs(vs []mra.Void) string {
	var ids []string
	for _, v := range vs {
		ids = append(ids, string(v.Thread))
	}
	return strings.Join(ids, ",")
}

// BenchmarkDraftDiff: the draft diff of the reference revision (3 MB, 1 %
// of words edited) against its first version, over HTTP on loopback, with
// ten consensus threads to judge; the answer read whole.
func BenchmarkDraftDiff(b *testing.B) {
	pair := difftest.Agreement(2000)
	w := servertest.New(b, servertest.Options{})
	us := w.Login("us-neg")
	neg := us.Create(1)
	us.Propose(neg, 0, pair.Old)
	for k := 1; k <= 10; k++ {
		quote := "Article " + strconv.Itoa(k*150) + "\n"
		us.Comment(neg, 1, pair.Old, quote, mra.KindConsensus, mra.Shared)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if status, body := us.Post("/api/negotiations/"+neg+"/diff", map[string]any{"from": 1, "text": pair.New}); status != http.StatusOK || len(body) < len(pair.New) {
			b.Fatalf("draft diff: %d", status)
		}
	}
}
