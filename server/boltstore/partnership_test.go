package boltstore

import (
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"mra/server/mra"
)

// A partnership's events are stored on its own streams, folded back on
// load, and a rewritten one fails Verify and Audit, naming it.
func TestPartnershipStored(t *testing.T) {
	path := tempPath(t)
	s := mustOpen(t, path)
	us := mra.User{ID: "us-neg", Party: "US", Roles: []mra.Role{mra.Negotiator, mra.Legal}}
	in := mra.PartnershipInput{Actor: us, Now: t0, NewID: func() string { return "x1" },
		Parties: map[mra.PartyID]mra.Party{"US": {ID: "US"}, "SG": {ID: "SG"}}}
	var p *mra.Partnership
	for _, cmd := range []mra.Command{
		{Type: mra.CmdCreatePartnership, Title: "CTPAT and STP", Parties: []mra.PartyID{"US", "SG"}},
		{Type: mra.CmdMarkStage, Stage: mra.StageEvaluation, StageStatus: mra.StageDone},
		{Type: mra.CmdStageNote, Stage: mra.StageCriteria, Visibility: mra.Internal, Body: ptr("ours alone")},
	} {
		if p != nil {
			cmd.Partnership = p.ID
		}
		out, err := mra.DecidePartnership(p, &cmd, in)
		if err != nil {
			t.Fatal(err)
		}
		next := mra.NewPartnership(out.Events[0].Partnership)
		if p != nil {
			next = p.Clone()
		}
		prev := map[mra.StreamKey]mra.Head{}
		for _, e := range out.Events {
			prev[e.Key()] = next.Heads[e.Key()]
		}
		if err := next.Seal(out.Events); err != nil {
			t.Fatal(err)
		}
		for _, e := range out.Events {
			if err := next.Apply(e); err != nil {
				t.Fatal(err)
			}
		}
		mustCommit(t, s, &mra.Change{Partnership: next.ID, Events: out.Events, Prev: prev})
		p = next
	}
	s.Close()
	s = mustOpen(t, path)
	defer s.Close()
	ps, err := s.Partnerships()
	if err != nil || len(ps) != 1 {
		t.Fatalf("Partnerships: %v %v", ps, err)
	}
	got := ps[0].View("US")
	if got.Current != mra.StageWorkPlan || len(got.Stages[3].Notes) != 1 || ps[0].Heads[mra.InternalStream("US")].Seq != 1 {
		t.Errorf("loaded %+v", got)
	}
	if n, _ := s.Load(); len(n) != 0 {
		t.Errorf("a partnership loaded as a negotiation: %+v", n)
	}
	if err := s.Verify(); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		sb := tx.Bucket(bucketPartnerships).Bucket([]byte(p.ID)).Bucket(bucketStreams).Bucket([]byte(mra.SharedStream))
		v := strings.Replace(string(sb.Get(seqKey(2))), `"done"`, `"not_started"`, 1)
		return sb.Put(seqKey(2), []byte(v))
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "partnership " + string(p.ID) + " stream shared event 2"
	if err := s.Verify(); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Verify of a rewritten event: %v, want it to name %q", err, want)
	}
	if _, err := s.Audit(); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Audit of a rewritten event: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }
