package mra

import (
	"slices"
	"strings"
	"testing"

	"mra/diff"
)

// TestVoids: the consensus threads a draft would void, as each party may
// see them, are exactly those that proposing the draft then makes void.
func TestVoids(t *testing.T) {
	sub := func(old, new string) func(string) string {
		return func(s string) string {
			if !strings.Contains(s, old) {
				panic(old)
			}
			return strings.Replace(s, old, new, 1)
		}
	}
	tests := []struct {
		name   string
		edit   func(string) string
		us, sg []string // names of the threads each party is told of
	}{
		{"an internal consensus of US", sub("designate a contact", "designate one contact"), []string{"us-internal"}, nil},
		{"an agreed clause", sub("30 days", "60 days"), []string{"agreed"}, []string{"agreed"}},
		{"a proposed clause", sub("partner program", "partner's program"), []string{"proposed"}, []string{"proposed"}},
		{"another party's internal consensus", sub("Exchange of information", "Exchange of data"), nil, []string{"sg-internal"}},
		{"an open issue's words only", sub("importers", "exporters"), nil, nil},
		{"whitespace only", sub("within 30", "within  30"), nil, nil},
		{"everything", func(s string) string {
			for _, e := range []func(string) string{sub("30 days", "60 days"), sub("partner program", "partner's program"),
				sub("Exchange of information", "Exchange of data"), sub("designate a contact", "designate one contact")} {
				s = e(s)
			}
			return s
		}, []string{"agreed", "proposed", "us-internal"}, []string{"agreed", "proposed", "sg-internal"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, 1, clauses)
			names := map[ThreadID]string{
				f.agreed("exchange membership information"):                                "agreed",
				f.comment("sg-neg", 1, "validation findings", KindConsensus, Shared):       "proposed",
				f.comment("us-neg", 1, "a contact point", KindConsensus, Internal):         "us-internal",
				f.comment("sg-neg", 1, "Exchange of information", KindConsensus, Internal): "sg-internal",
				f.comment("us-neg", 1, "importers", KindOpenIssue, Shared):                 "open issue",
			}
			withdrawn := f.comment("us-neg", 1, "Purpose", KindConsensus, Shared)
			f.must("us-neg", Command{Type: CmdWithdraw, Thread: withdrawn})
			draft := tt.edit(clauses)
			old, nt := f.texts[1], NewText(draft)
			idx := diff.NewIndex(diff.Redline(old.String(), nt.String()))
			told := func(p PartyID) []string {
				var out []string
				for _, v := range Voids(old, nt, idx, f.n.Guards(p)) {
					if q := f.n.Threads[v.Thread].Anchor.Quote; v.Quote != q {
						t.Errorf("void %s quotes %q, want %q", names[v.Thread], v.Quote, q)
					}
					out = append(out, names[v.Thread])
				}
				slices.Sort(out)
				return out
			}
			us, sg := told("US"), told("SG")
			if !slices.Equal(us, tt.us) || !slices.Equal(sg, tt.sg) {
				t.Errorf("US told of %v, want %v; SG told of %v, want %v", us, tt.us, sg, tt.sg)
			}
			f.propose("us-neg", draft)
			var voided []string
			for id, name := range names {
				if f.status(id) == StatusVoid {
					voided = append(voided, name)
				}
			}
			slices.Sort(voided)
			union := slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(us), sg...))))
			if !slices.Equal(voided, union) {
				t.Errorf("the proposal voided %v, the forecasts said %v", voided, union)
			}
		})
	}
}
