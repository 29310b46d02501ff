package diff

import (
	"slices"
	"strings"
	"unicode"
)

// Two documents that say much the same in other words (each side's
// minimum security criteria, say) are compared paragraph by paragraph:
// AlignParagraphs pairs the paragraphs of a with those of b that speak of
// the same things, keeping both orders, so that they can be read side by
// side. Unlike Redline it looks for no edits: a pair's two paragraphs may
// share no phrase at all, only their subject.

// Pair is one row of an alignment: paragraph A of the first document and
// paragraph B of the second; -1 on a side that has none (a paragraph the
// other document has nothing like).
type Pair struct{ A, B int }

// alignMin is the similarity below which two paragraphs are not paired:
// the Dice coefficient of their content words (see words), here a fifth.
const alignMin = 0.2

// AlignParagraphs returns the rows of a side-by-side reading of a and b:
// every paragraph of each once, in order, paired where they are alike.
// Among the order-keeping pairings it takes the one whose pairs are most
// alike in all (each pair's similarity counted, gaps free), so a paragraph
// is paired with its best match unless that would cross better pairs. It
// costs len(a)·len(b) comparisons of word sets; callers bound the counts.
func AlignParagraphs(a, b []string) []Pair {
	wa, wb := make([][]string, len(a)), make([][]string, len(b))
	for i, p := range a {
		wa[i] = words(p)
	}
	for j, p := range b {
		wb[j] = words(p)
	}
	n, m := len(a), len(b)
	// best[i][j]: the best total for a[i:] and b[j:]; filled from the end.
	best := make([][]float64, n+1)
	for i := range best {
		best[i] = make([]float64, m+1)
	}
	sim := make([][]float64, n)
	for i := n - 1; i >= 0; i-- {
		sim[i] = make([]float64, m)
		for j := m - 1; j >= 0; j-- {
			s := dice(wa[i], wb[j])
			sim[i][j] = s
			v := max(best[i+1][j], best[i][j+1])
			if s >= alignMin {
				v = max(v, best[i+1][j+1]+s)
			}
			best[i][j] = v
		}
	}
	var out []Pair
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i == n:
			out = append(out, Pair{-1, j})
			j++
		case j == m:
			out = append(out, Pair{i, -1})
			i++
		case sim[i][j] >= alignMin && best[i][j] == best[i+1][j+1]+sim[i][j]:
			out = append(out, Pair{i, j})
			i, j = i+1, j+1
		case best[i][j] == best[i+1][j]:
			out = append(out, Pair{i, -1})
			i++
		default:
			out = append(out, Pair{-1, j})
			j++
		}
	}
	return out
}

// stopWords are too common in any text of rules to tell two paragraphs'
// subjects apart.
var stopWords = map[string]bool{
	"the": true, "and": true, "for": true, "with": true, "that": true, "this": true, "are": true, "any": true,
	"all": true, "shall": true, "must": true, "should": true, "may": true, "its": true, "their": true, "from": true,
	"have": true, "has": true, "been": true, "such": true, "which": true, "where": true, "when": true, "not": true,
	"other": true, "each": true, "into": true, "onto": true, "upon": true, "than": true, "there": true, "these": true,
	"those": true, "will": true, "can": true, "also": true, "within": true, "between": true, "under": true,
}

// words returns the distinct content words of a paragraph, lower case,
// sorted: words of three letters or more that are no stop words, each cut
// to its first six letters so that "seals", "sealed" and "sealing" agree.
func words(p string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(p), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		r := []rune(w)
		if len(r) < 3 || stopWords[w] {
			continue
		}
		if len(r) > 6 {
			w = string(r[:6])
		}
		out = append(out, w)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// dice is 2·|a∩b| / (|a|+|b|) of two sorted sets (0 for two empty ones).
func dice(a, b []string) float64 {
	if len(a)+len(b) == 0 {
		return 0
	}
	common := 0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch strings.Compare(a[i], b[j]) {
		case 0:
			common++
			i++
			j++
		case -1:
			i++
		default:
			j++
		}
	}
	return 2 * float64(common) / float64(len(a)+len(b))
}
