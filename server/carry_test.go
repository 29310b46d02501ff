package server_test

import (
	"encoding/json"
	"strings"
	"testing"

	"mra/server/mra"
	"mra/server/servertest"
)

// TestReviewCarryServed: GET .../review-carry compares a version's articles
// with the reader's last approval; sign_off with carried_from records the
// carry on SIGN_OFF, over HTTP and the socket, across a restart; the gate
// still needs an approval of the latest version; bad input and another
// party's reader are refused as the contract says.
func TestReviewCarryServed(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	us, legal, sgLegal, ex := w.Login("us-neg"), w.Login("us-legal"), w.Login("sg-legal"), w.Login("ex-neg")
	neg := us.Create(1)
	_, sha1 := us.Propose(neg, 0, servertest.Text1)
	legal.Must(map[string]any{"type": "sign_off", "negotiation": neg, "version": 1, "sha256": sha1, "decision": "approve"}, nil)
	v2 := strings.Replace(servertest.Text1, "within 30 days", "within 60 days", 1) + "\nArticle 4\nEntry into force\n\n1. On signature.\n"
	_, sha2 := us.Propose(neg, 1, v2)

	var rc mra.ReviewCarry
	legal.GetJSON("/api/negotiations/"+neg+"/review-carry", &rc)
	states := func(rc mra.ReviewCarry) string {
		var s []string
		for _, a := range rc.Articles {
			s = append(s, a.Title+"="+a.State)
		}
		return strings.Join(s, "; ")
	}
	want := "Article 1 · Purpose=unchanged; Article 2 · Exchange of information=changed; Article 3 · Contact points=unchanged; Article 4 · Entry into force=new"
	if rc.Version != 2 || rc.SHA256 != sha2 || rc.From == nil || rc.From.Version != 1 || rc.From.SHA256 != sha1 || rc.From.At == nil ||
		states(rc) != want || rc.Unchanged != 2 || rc.Changed != 1 || rc.Added != 1 || len(rc.Removed) != 0 {
		t.Fatalf("carry for us-legal: %+v %s", rc, states(rc))
	}
	if a := rc.Articles[1]; a.Start != strings.Index(v2, "Article 2") || a.End != strings.Index(v2, "Article 3") {
		t.Fatalf("article 2 at [%d, %d)", a.Start, a.End)
	}
	// A reader with no approval: every article new; with from, a compare.
	var none mra.ReviewCarry
	sgLegal.GetJSON("/api/negotiations/"+neg+"/review-carry", &none)
	if none.From != nil || none.Added != 4 || none.Unchanged != 0 {
		t.Fatalf("carry for sg-legal: %+v", none)
	}
	var cmp mra.ReviewCarry
	sgLegal.GetJSON("/api/negotiations/"+neg+"/review-carry?version=2&from=1", &cmp)
	if cmp.From == nil || cmp.From.At != nil || states(cmp) != want {
		t.Fatalf("compare for sg-legal: %+v", cmp)
	}
	for path, code := range map[string]int{
		"?version=0": 400, "?version=x": 400, "?version=2&from=2": 400, "?version=1&from=2": 400, "?version=9": 404, "?from=9": 404,
	} {
		if status, body := legal.Get("/api/negotiations/" + neg + "/review-carry" + path); status != code || !strings.Contains(string(body), `"type":"error"`) {
			t.Fatalf("review-carry%s: %d %s, want %d", path, status, body, code)
		}
	}
	if status, _ := ex.Get("/api/negotiations/" + neg + "/review-carry"); status != 404 {
		t.Fatalf("a party not in the negotiation reads its carry: %d", status)
	}

	// carried_from must be a version the reviewer approved.
	signOff := func(from int) map[string]any {
		return map[string]any{"type": "sign_off", "negotiation": neg, "version": 2, "sha256": sha2, "decision": "approve", "carried_from": from}
	}
	sgLegal.Fails(mra.CodeBadRequest, signOff(1))
	legal.Fails(mra.CodeBadRequest, signOff(2))
	if r := us.Snapshot(neg).Readiness; r.Status == mra.StatusReady {
		t.Fatalf("ready on an approval of version 1 alone: %+v", r)
	}
	sock := legal.Dial(t)
	if ack := sock.Must(servertest.AnswerTo(sock.Send(signOff(1))), "the sign-off's answer"); ack.Type != "ack" {
		t.Fatalf("sign_off with carried_from on the socket: %+v", ack)
	}
	check := func(when string) {
		t.Helper()
		s := sgLegal.Snapshot(neg)
		var got *mra.SignOffView
		for k := range s.SignOffs {
			if s.SignOffs[k].Version == 2 {
				got = &s.SignOffs[k]
			}
		}
		if got == nil || got.Carry == nil || got.Carry.From != 1 || got.Carry.FromSHA256 != sha1 || got.Carry.Unchanged != 2 ||
			strings.Join(got.Carry.Changed, "|") != "Article 2 · Exchange of information" || strings.Join(got.Carry.Added, "|") != "Article 4 · Entry into force" {
			t.Fatalf("%s: sign-off of version 2 as SG sees it: %+v", when, got)
		}
		if a := s.Readiness.Approvals["US"]; a == nil || a.Approved != 1 {
			t.Fatalf("%s: readiness %+v: the carried approval of version 2 counts for US", when, s.Readiness)
		}
	}
	check("signed off")
	w.Restart()
	check("after a restart")
	// The signing record says what carried.
	status, body := sgLegal.Get("/api/negotiations/" + neg + "/export?kind=record&format=json&version=2")
	var record struct {
		SignOffs []struct {
			User  mra.UserID        `json:"user"`
			Carry *mra.SignOffCarry `json:"carry"`
		} `json:"sign_offs"`
	}
	if err := json.Unmarshal(body, &record); status != 200 || err != nil || len(record.SignOffs) != 1 ||
		record.SignOffs[0].Carry == nil || record.SignOffs[0].Carry.From != 1 || record.SignOffs[0].Carry.FromSHA256 != sha1 {
		t.Fatalf("record json: %d %v %s", status, err, body)
	}
	status, body = sgLegal.Get("/api/negotiations/" + neg + "/export?kind=record&format=html&version=2")
	if status != 200 || !strings.Contains(string(body), "Review carried from the approval of version 1") ||
		!strings.Contains(string(body), "2 articles unchanged since; re-read as changed: Article 2 · Exchange of information; read as new: Article 4 · Entry into force.") {
		t.Fatalf("record html: %d %s", status, body)
	}
}
