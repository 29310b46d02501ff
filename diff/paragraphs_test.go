package diff

import (
	"fmt"
	"strings"
	"testing"
)

func TestAlignParagraphs(t *testing.T) {
	us := []string{
		"Business partner requirements: members must have written procedures to screen new business partners.",
		"Container security: container integrity must be maintained to protect against unauthorized material; high security seals must be affixed to loaded containers.",
		"Physical access controls: access controls prevent unauthorized entry to facilities; employee identification badges are required.",
		"Personnel security: written processes must screen prospective employees and periodically check current employees.",
		"Cybersecurity: members must have written policies protecting information technology systems.",
	}
	sg := []string{
		"Trading partner security: the company shall screen its trading partners by written procedures.",
		"Cargo security: the integrity of containers is maintained and tamper-evident seals are affixed to every loaded container.",
		"Conveyance security: vehicles are inspected for hidden compartments before loading.",
		"Premises and access control: unauthorized entry to premises is prevented; staff carry identification badges.",
		"Personnel security: prospective staff are screened and current staff checked periodically.",
	}
	got := fmt.Sprint(AlignParagraphs(us, sg))
	// cybersecurity has no match in SG's criteria, conveyance none in the US's
	want := "[{0 0} {1 1} {-1 2} {2 3} {3 4} {4 -1}]"
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	for _, tc := range []struct {
		a, b []string
		want string
	}{
		{nil, nil, "[]"},
		{[]string{"seals on containers"}, nil, "[{0 -1}]"},
		{nil, []string{"seals on containers"}, "[{-1 0}]"},
		{[]string{"alpha beta gamma", "delta epsilon zeta"}, []string{"alpha beta gamma", "delta epsilon zeta"}, "[{0 0} {1 1}]"},
		// order is kept: the later, better pair does not cross the earlier
		{[]string{"seals containers integrity", "badges access entry"}, []string{"badges access entry", "seals containers integrity"}, "[{0 -1} {1 0} {-1 1}]"},
		// nothing alike: every paragraph alone
		{[]string{"seals containers integrity"}, []string{"training awareness employees"}, "[{0 -1} {-1 0}]"},
	} {
		if got := fmt.Sprint(AlignParagraphs(tc.a, tc.b)); got != tc.want && !(tc.want == "[]" && got == "[]") {
			t.Errorf("AlignParagraphs(%q, %q) = %s, want %s", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestAlignParagraphsCoversEveryParagraph(t *testing.T) {
	a := []string{"one two three", "four five six", "seven eight nine", "ten eleven twelve"}
	b := []string{"four five six", "thirteen", "ten eleven twelve", "one two three"}
	seenA, seenB := map[int]int{}, map[int]int{}
	lastA, lastB := -1, -1
	for _, p := range AlignParagraphs(a, b) {
		if p.A >= 0 {
			seenA[p.A]++
			if p.A < lastA {
				t.Errorf("A out of order at %v", p)
			}
			lastA = p.A
		}
		if p.B >= 0 {
			seenB[p.B]++
			if p.B < lastB {
				t.Errorf("B out of order at %v", p)
			}
			lastB = p.B
		}
	}
	if len(seenA) != len(a) || len(seenB) != len(b) {
		t.Errorf("covered %v of a and %v of b", seenA, seenB)
	}
}

// FuzzAlignParagraphs: any two texts' paragraphs are each covered once, in
// order, and a paired row is alike enough.
func FuzzAlignParagraphs(f *testing.F) {
	f.Add("seals on containers\nbadges at the gate", "container seals\ncyber policies\nbadges for staff")
	f.Add("", "one")
	f.Add("ÉTÉ été\n\n\nσφραγίδα", "été\nσφραγίδες")
	f.Fuzz(func(t *testing.T, a, b string) {
		pa, pb := strings.Split(a, "\n"), strings.Split(b, "\n")
		if len(pa)*len(pb) > 10000 {
			return
		}
		i, j := 0, 0
		for _, p := range AlignParagraphs(pa, pb) {
			if p.A >= 0 {
				if p.A != i {
					t.Fatalf("a's paragraph %d where %d was due", p.A, i)
				}
				i++
			}
			if p.B >= 0 {
				if p.B != j {
					t.Fatalf("b's paragraph %d where %d was due", p.B, j)
				}
				j++
			}
			if p.A >= 0 && p.B >= 0 && dice(words(pa[p.A]), words(pb[p.B])) < alignMin {
				t.Fatalf("%q paired with %q", pa[p.A], pb[p.B])
			}
			if p.A < 0 && p.B < 0 {
				t.Fatal("an empty row")
			}
		}
		if i != len(pa) || j != len(pb) {
			t.Fatalf("covered %d of %d and %d of %d", i, len(pa), j, len(pb))
		}
	})
}
