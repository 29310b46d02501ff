package mra

import (
	"slices"
	"strings"
	"testing"

	"mra/diff/difftest"
)

// TestArticles: where a text is cut into articles, and what each is named.
func TestArticles(t *testing.T) {
	for _, c := range []struct {
		name, text string
		want       []string // titles
	}{
		{"empty", "", nil},
		{"no heading: one opening article", "The Parties agree.\nSo it is.", []string{"The Parties agree."}},
		{"headings with title lines", "Article 1\nPurpose\n\n1. Text.\n\nArticle 2\nScope\n\n1. More.", []string{"Article 1 · Purpose", "Article 2 · Scope"}},
		{"a numbered paragraph is no title line", "Article 1\n1. The Parties agree.\n", []string{"Article 1"}},
		{"a sentence naming an article is no heading", "Article 1\nPurpose\n\nArticle 3 shall apply to all.\n", []string{"Article 1 · Purpose"}},
		{"an opening before the first heading", "Arrangement between A and B\n\nArticle 1\nPurpose\n", []string{"Arrangement between A and B", "Article 1 · Purpose"}},
		{"annexes, chapters, preamble, Markdown", "Preamble\nWhereas.\nChapter 2: Scope\nx\nANNEX II\ny\n## Final provisions\nz", []string{"Preamble", "Chapter 2: Scope · x", "ANNEX II · y", "Final provisions"}},
		{"a long opening line is cut", strings.Repeat("word ", 20) + "\nArticle 1\n", []string{strings.TrimSpace(string([]rune(strings.Repeat("word ", 20))[:57])) + "…", "Article 1"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			tx := NewText(c.text)
			arts := Articles(tx)
			var titles []string
			for k, a := range arts {
				titles = append(titles, a.Title)
				if a.Index != k {
					t.Fatalf("article %d has index %d", k, a.Index)
				}
				if k > 0 && a.Start != arts[k-1].End {
					t.Fatalf("article %d starts at %d, the one before ends at %d", k, a.Start, arts[k-1].End)
				}
			}
			if len(arts) > 0 && (arts[0].Start != 0 || arts[len(arts)-1].End != tx.Len()) {
				t.Fatalf("articles cover [%d, %d), want [0, %d)", arts[0].Start, arts[len(arts)-1].End, tx.Len())
			}
			if !slices.Equal(titles, c.want) {
				t.Fatalf("titles %q, want %q", titles, c.want)
			}
		})
	}
	// "Preamble" shows the rule: a title line must not end in a
	// full stop, so "Whereas." is not one.
}

// TestCarry: each article of the later text is unchanged, changed or new
// against the earlier one, and the earlier ones left over are removed.
func TestCarry(t *testing.T) {
	const v1 = "Article 1\nPurpose\n\n1. Recognise findings.\n\nArticle 2\nExchange\n\n1. Within 30 days.\n\nArticle 3\nContact\n\n1. A contact point.\n"
	for _, c := range []struct {
		name, to string
		want     []string // state of each article
		removed  []string
	}{
		{"the same text", v1, []string{"unchanged", "unchanged", "unchanged"}, nil},
		{"one word changed", strings.Replace(v1, "30 days", "60 days", 1), []string{"unchanged", "changed", "unchanged"}, nil},
		{"whitespace at an article's end does not count", strings.Replace(v1, "findings.\n\n", "findings.\n\n\n\n", 1), []string{"unchanged", "unchanged", "unchanged"}, nil},
		{"whitespace inside an article does", strings.Replace(v1, "Recognise findings", "Recognise  findings", 1), []string{"changed", "unchanged", "unchanged"}, nil},
		{"an article added at the end", v1 + "\nArticle 4\nEntry into force\n\n1. On signature.\n", []string{"unchanged", "unchanged", "unchanged", "new"}, nil},
		{"an article removed", strings.Replace(v1, "Article 2\nExchange\n\n1. Within 30 days.\n\n", "", 1), []string{"unchanged", "unchanged"}, []string{"Article 2 · Exchange"}},
		{"an article renumbered is changed", strings.Replace(v1, "Article 3\n", "Article 4\n", 1), []string{"unchanged", "unchanged", "new"}, []string{"Article 3 · Contact"}},
		{"articles reordered are unchanged", "Article 2\nExchange\n\n1. Within 30 days.\n\nArticle 1\nPurpose\n\n1. Recognise findings.\n\nArticle 3\nContact\n\n1. A contact point.\n", []string{"unchanged", "unchanged", "unchanged"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			arts, removed := Carry(NewText(v1), NewText(c.to))
			var got []string
			for _, a := range arts {
				got = append(got, a.State)
			}
			if !slices.Equal(got, c.want) || !slices.Equal(removed, c.removed) {
				t.Fatalf("states %v removed %q, want %v removed %q", got, removed, c.want, c.removed)
			}
		})
	}
}

// TestCarryReference: on the reference agreement (2,000 articles; the
// generator edits words, moves paragraphs and so loses a few headings) an
// unchanged article's words are in the earlier text, a changed one's heading
// is and its words are not, a new one's heading is not left over; and every
// earlier article is accounted for once.
func TestCarryReference(t *testing.T) {
	p := difftest.Agreement(2000)
	from, to := NewText(p.Old), NewText(p.New)
	arts, removed := Carry(from, to)
	old := Articles(from)
	bodies, heads := map[string]int{}, map[string]int{}
	for _, a := range old {
		bodies[a.body]++
		heads[a.head]++
	}
	var n = map[string]int{}
	for _, a := range arts {
		n[a.State]++
		switch a.State {
		case ArticleUnchanged:
			if bodies[a.body] == 0 {
				t.Fatalf("%s is unchanged but its words are not in the earlier text", a.Title)
			}
		case ArticleChanged:
			if bodies[a.body] > 0 || heads[a.head] == 0 {
				t.Fatalf("%s is changed: words before %d, heading before %d", a.Title, bodies[a.body], heads[a.head])
			}
		}
	}
	if n[ArticleUnchanged]+n[ArticleChanged]+len(removed) != len(old) {
		t.Fatalf("%v and %d removed do not account for %d earlier articles", n, len(removed), len(old))
	}
	if n[ArticleUnchanged] == 0 || n[ArticleChanged] == 0 {
		t.Fatalf("states %v: the pair edits 1 %% of words, so some articles are unchanged and some changed", n)
	}

	// Five articles of the reference text edited: exactly those five.
	edited := map[int]bool{9: true, 500: true, 1000: true, 1500: true, 1999: true}
	var b strings.Builder
	src := from.String()
	for k, a := range old {
		body := src[from.byteAt(a.Start):from.byteAt(a.End)]
		if edited[k] {
			body = strings.Replace(body, "1. ", "1. Subject to Annex I, ", 1)
		}
		b.WriteString(body)
	}
	arts, removed = Carry(from, NewText(b.String()))
	for k, a := range arts {
		if want := map[bool]string{true: ArticleChanged, false: ArticleUnchanged}[edited[k]]; a.State != want || len(removed) != 0 {
			t.Fatalf("article %d (%s) is %s, want %s (%d removed)", k, a.Title, a.State, want, len(removed))
		}
	}
}

// BenchmarkCarryReference: the carry of the reference agreement's two
// versions (3 MB each, 2,000 articles).
func BenchmarkCarryReference(b *testing.B) {
	p := difftest.Agreement(2000)
	from, to := NewText(p.Old), NewText(p.New)
	for b.Loop() {
		Carry(from, to)
	}
}

// TestSignOffCarry: sign_off's carried_from names an earlier version the
// actor approved, and the sign-off records what carried; the gate still
// needs an approval of the latest version.
func TestSignOffCarry(t *testing.T) {
	const v1 = "Article 1\nPurpose\n\n1. Recognise findings.\n\nArticle 2\nExchange\n\n1. Within 30 days.\n"
	f := newFixture(t, 1, v1)
	f.signOff("us-legal", Approve)
	f.signOff("sg-legal", RequestChanges)
	f.propose("us-neg", strings.Replace(v1, "30 days", "60 days", 1)+"\nArticle 3\nContact\n\n1. A contact point.\n")
	carry := func(user UserID, from int) Command {
		return Command{Type: CmdSignOff, Version: ptr(2), SHA256: f.sha(), Decision: Approve, CarriedFrom: ptr(from)}
	}
	for _, c := range []struct {
		name string
		user UserID
		from int
	}{
		{"a version not earlier", "us-legal", 2},
		{"no version 0", "us-legal", 0},
		{"a version never approved by the actor", "us-legal2", 1},
		{"a version whose last decision requested changes", "sg-legal", 1},
	} {
		t.Run(c.name, func(t *testing.T) { f.fails(CodeBadRequest, c.user, carry(c.user, c.from)) })
	}
	if r := f.n.Readiness(); r.Status == StatusReady {
		t.Fatalf("ready before any approval of version 2: %+v", r)
	}
	f.must("us-legal", carry("us-legal", 1))
	var got *SignOff
	for k := range f.n.SignOffs {
		if s := &f.n.SignOffs[k]; s.User == "us-legal" && s.Version == 2 {
			got = s
		}
	}
	want := SignOffCarry{From: 1, FromSHA256: f.n.Versions[0].SHA256, Unchanged: 1, Changed: []string{"Article 2 · Exchange"},
		Added: []string{"Article 3 · Contact"}, Removed: []string{}}
	if got == nil || got.Carry == nil || got.Carry.From != want.From || got.Carry.FromSHA256 != want.FromSHA256 ||
		got.Carry.Unchanged != 1 || !slices.Equal(got.Carry.Changed, want.Changed) || !slices.Equal(got.Carry.Added, want.Added) || len(got.Carry.Removed) != 0 {
		t.Fatalf("carry %+v, want %+v", got, want)
	}
	// The approval of version 2 is its own, bound to its SHA-256: it alone
	// moves the gate, and the record holds the carry after a restore.
	if v := restored(t, f.n).SignOffs; len(v) != 3 || v[2].Carry == nil || v[2].Carry.Unchanged != 1 {
		t.Fatalf("restored sign-offs %+v", v)
	}
	if got.SHA256 != f.sha() {
		t.Fatalf("the carried approval binds %s, want version 2's %s", got.SHA256, f.sha())
	}
}
