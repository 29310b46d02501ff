package difftest

import (
	"math/rand/v2"
	"strconv"
	"strings"
)

// Rewritten is a heavily rewritten second version of a text, as a
// counter-proposal or a new consolidated text is: sentences rewritten,
// paragraphs reordered, split, merged, deleted and added, about a third of
// the words changed.
type Rewritten struct {
	// Old is the first version; New the rewritten one.
	Old, New string
	// ChangedWords counts the words the rewrite removed from Old plus those
	// it put into New; MovedWords those of the paragraphs it moved
	// (unchanged or lightly edited), counted once.
	ChangedWords, MovedWords int
	// Words is the number of words of Old.
	Words int
}

// draftingWords are what a rewrite brings in besides the agreement's own
// words: the words of a lawyer redrafting a clause.
var draftingWords = strings.Fields("notwithstanding provided that competent authority mutual recognition " +
	"measures trade partnership compliance request procedures consult within days written notice " +
	"determine manner extent relevant obligations pursuant paragraphs referred decision each " +
	"respective member status benefits suspend review joint committee implement territory")

// Rewrite returns a heavy rewrite of the reference agreement of the given
// number of articles (Agreement(articles).Old), reproducible for a seed.
func Rewrite(articles int, seed uint64) Rewritten {
	return RewriteText(Agreement(articles).Old, seed)
}

// RewriteText rewrites old, a text of articles ("Article N" lines) made of
// numbered paragraphs ("1. ...") separated by blank lines, reproducibly for a
// seed. Of every hundred paragraphs 22 have a clause of a third to two
// thirds of their words rewritten, 18 are rewritten whole, 6 are split in
// two (each half lightly edited), 3 merged with the next, 6 moved to a later
// article (half of them lightly edited), 4 deleted and 4 followed by a new
// one; 20 are lightly edited in place (about a word in ten replaced, deleted
// or followed by a new one). One article in fifty moves whole a few places
// on. The paragraphs of each article are numbered again from 1, as a drafter
// would. The new words come from the agreement's vocabulary and a
// drafter's (draftingWords).
func RewriteText(old string, seed uint64) Rewritten {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	out := Rewritten{Old: old, Words: countWords(old)}
	vocab := append(append([]string(nil), vocabulary...), draftingWords...)
	word := func() string { return vocab[rng.IntN(len(vocab))] }
	fresh := func(n int) []string {
		ws := make([]string, n)
		for k := range ws {
			ws[k] = word()
		}
		return ws
	}
	// lightly edits ws: about one word in ten replaced, deleted or followed by a new one.
	lightly := func(ws []string) []string {
		var o []string
		for _, w := range ws {
			switch r := rng.IntN(30); {
			case r == 0:
				o = append(o, word())
				out.ChangedWords += 2
			case r == 1:
				out.ChangedWords++
			case r == 2:
				o = append(o, w, word())
				out.ChangedWords++
			default:
				o = append(o, w)
			}
		}
		return o
	}

	type article struct {
		head  string
		paras [][]string // words of each paragraph, without its number and final stop
	}
	var arts []article
	for _, block := range strings.Split(old, "\n\nArticle ") {
		parts := strings.Split(strings.TrimPrefix(block, "Article "), "\n\n")
		a := article{head: "Article " + parts[0]}
		for _, p := range parts[1:] {
			_, body, _ := strings.Cut(p, ". ")
			ws := strings.Fields(strings.TrimSuffix(body, "."))
			if len(ws) > 0 {
				ws[0] = strings.ToLower(ws[0])
			}
			a.paras = append(a.paras, ws)
		}
		arts = append(arts, a)
	}

	moving := map[int][][]string{} // paragraphs to put into article k
	for k := range arts {
		a := &arts[k]
		var paras [][]string
		for x := 0; x < len(a.paras); x++ {
			ws := a.paras[x]
			switch r := rng.IntN(100); {
			case r < 22: // a clause rewritten
				n := len(ws) * (1 + rng.IntN(2)) / 3
				at := rng.IntN(len(ws) - n + 1)
				clause := fresh(n + rng.IntN(7) - 3)
				out.ChangedWords += n + len(clause)
				ws = append(append(append([]string(nil), ws[:at]...), clause...), ws[at+n:]...)
			case r < 40: // rewritten whole
				nw := fresh(len(ws) + rng.IntN(11) - 5)
				out.ChangedWords += len(ws) + len(nw)
				ws = nw
			case r < 46: // split in two
				at := len(ws)/3 + rng.IntN(len(ws)/3+1)
				paras = append(paras, lightly(ws[:at]))
				ws = lightly(ws[at:])
			case r < 49: // merged with the next
				if x+1 < len(a.paras) {
					x++
					ws = append(append([]string(nil), ws...), a.paras[x]...)
				}
			case r < 55: // moved to a later article
				if rng.IntN(2) == 0 {
					ws = lightly(ws)
				}
				to := min(len(arts)-1, k+1+rng.IntN(20))
				if to == k {
					break // the last article: stays
				}
				out.MovedWords += len(ws)
				moving[to] = append(moving[to], ws)
				continue
			case r < 59: // deleted
				out.ChangedWords += len(ws)
				continue
			case r < 63: // a new one after it
				nw := fresh(40 + rng.IntN(50))
				out.ChangedWords += len(nw)
				paras = append(paras, ws)
				ws = nw
			case r < 83:
				ws = lightly(ws)
			}
			paras = append(paras, ws)
		}
		a.paras = append(paras, moving[k]...)
	}
	// One article in fifty moves whole, a few articles on.
	for k := 0; k < len(arts)-1; k++ {
		if rng.IntN(50) == 0 {
			to := min(len(arts)-1, k+2+rng.IntN(5))
			for _, p := range arts[k].paras {
				out.MovedWords += len(p)
			}
			moved := arts[k]
			copy(arts[k:to], arts[k+1:to+1])
			arts[to] = moved
			k = to
		}
	}

	var b strings.Builder
	b.Grow(len(old) + len(old)/8)
	for k, a := range arts {
		if k > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(a.head)
		for x, ws := range a.paras {
			if len(ws) == 0 {
				continue
			}
			b.WriteString("\n\n")
			b.WriteString(strconv.Itoa(x + 1))
			b.WriteString(". ")
			b.WriteString(strings.ToUpper(ws[0][:1]))
			b.WriteString(ws[0][1:])
			for _, w := range ws[1:] {
				b.WriteByte(' ')
				b.WriteString(w)
			}
			b.WriteByte('.')
		}
	}
	out.New = b.String()
	return out
}
