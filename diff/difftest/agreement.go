// Package difftest builds the reference agreement pair used by mra's diff benchmarks: a deterministic port of the project's gen-agreement.py.
package difftest

import (
	"strconv"
	"strings"
	"unicode"
)

// Pair is the reference pair and what the generator changed.
type Pair struct {
	// Old is the first version of the agreement; New is the edited version.
	Old, New string
	// Replaced, Deleted and Inserted count how many words of Old the generator replaced,
	// deleted, or followed by an inserted word.
	Replaced, Deleted, Inserted int
	// ChangedWords is the number of word tokens removed plus word tokens added by those edits.
	ChangedWords int
}

// vocabulary is the generator's word list, in the script's order.
var vocabulary = strings.Fields("the customs administration shall recognise validation findings of the partner program " +
	"and exchange membership information under this arrangement subject to applicable law " +
	"security criteria supply chain operator authorized economic article paragraph party")

// vocabularyUpper holds the upper-cased vocabulary used for replacements.
var vocabularyUpper = func() []string {
	up := make([]string, len(vocabulary))
	for i, w := range vocabulary {
		up[i] = strings.ToUpper(w)
	}
	return up
}()

// Agreement returns the pair for the given number of articles (2000 gives the ~3 MB reference).
func Agreement(articles int) Pair {
	rng := newPyRandom(1)

	var old strings.Builder
	old.Grow(articles * 1600)
	for a := 1; a <= articles; a++ {
		if a > 1 {
			old.WriteString("\n\n")
		}
		old.WriteString("Article ")
		old.WriteString(strconv.Itoa(a))
		for p := 0; p < 3; p++ {
			old.WriteString("\n\n")
			old.WriteString(strconv.Itoa(p + 1))
			old.WriteString(". ")
			n := rng.randint(40, 90)
			for k := 0; k < n; k++ {
				w := rng.choice(vocabulary)
				if k == 0 {
					// str.capitalize on lowercase ASCII words: only the first letter changes.
					old.WriteByte(w[0] - 'a' + 'A')
					old.WriteString(w[1:])
					continue
				}
				old.WriteByte(' ')
				old.WriteString(w)
			}
			old.WriteByte('.')
		}
	}
	text := old.String()

	pair := Pair{Old: text}
	var nw strings.Builder
	nw.Grow(len(text) + len(text)/50)
	rest := text
	first := true
	for {
		item, tail, more := strings.Cut(rest, " ")
		if !first {
			nw.WriteByte(' ')
		}
		first = false
		r := rng.random()
		switch {
		case r < 0.005:
			up := rng.choice(vocabularyUpper)
			nw.WriteString(up)
			pair.Replaced++
			pair.ChangedWords += countWords(item) + 1
		case r < 0.0075:
			pair.Deleted++
			pair.ChangedWords += countWords(item)
		case r < 0.01:
			nw.WriteString(item)
			nw.WriteByte(' ')
			nw.WriteString(rng.choice(vocabulary))
			pair.Inserted++
			pair.ChangedWords++
		default:
			nw.WriteString(item)
		}
		if !more {
			break
		}
		rest = tail
	}
	pair.New = nw.String()
	return pair
}

// countWords counts maximal runs of Unicode letters and digits in s.
func countWords(s string) int {
	n := 0
	in := false
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if !in {
				n++
			}
			in = true
		} else {
			in = false
		}
	}
	return n
}

// Mersenne Twister (MT19937) parameters.
const (
	mtN         = 624
	mtM         = 397
	mtMatrixA   = 0x9908b0df
	mtUpperMask = 0x80000000
	mtLowerMask = 0x7fffffff
)

// pyRandom reproduces the parts of CPython's random.Random used by the generator.
type pyRandom struct {
	state [mtN]uint32
	index int
}

// newPyRandom seeds the generator the way random.Random(seed) does for a small
// non-negative int: the seed becomes a one-element key fed to the array initialiser.
func newPyRandom(seed uint32) *pyRandom {
	g := &pyRandom{}
	g.seedArray([]uint32{seed})
	return g
}

// seedScalar fills the state from a single 32-bit value.
func (g *pyRandom) seedScalar(s uint32) {
	g.state[0] = s
	for i := 1; i < mtN; i++ {
		prev := g.state[i-1]
		g.state[i] = 1812433253*(prev^(prev>>30)) + uint32(i)
	}
	g.index = mtN
}

// seedArray mixes key into a state first filled from the constant 19650218.
func (g *pyRandom) seedArray(key []uint32) {
	g.seedScalar(19650218)
	mt := &g.state
	i, j := 1, 0
	steps := mtN
	if len(key) > steps {
		steps = len(key)
	}
	for ; steps > 0; steps-- {
		prev := mt[i-1]
		mt[i] = (mt[i] ^ ((prev ^ (prev >> 30)) * 1664525)) + key[j] + uint32(j)
		i++
		j++
		if i >= mtN {
			mt[0] = mt[mtN-1]
			i = 1
		}
		if j >= len(key) {
			j = 0
		}
	}
	for steps = mtN - 1; steps > 0; steps-- {
		prev := mt[i-1]
		mt[i] = (mt[i] ^ ((prev ^ (prev >> 30)) * 1566083941)) - uint32(i)
		i++
		if i >= mtN {
			mt[0] = mt[mtN-1]
			i = 1
		}
	}
	mt[0] = 0x80000000
}

// twist regenerates the whole state block.
func (g *pyRandom) twist() {
	mt := &g.state
	for k := 0; k < mtN; k++ {
		y := (mt[k] & mtUpperMask) | (mt[(k+1)%mtN] & mtLowerMask)
		v := mt[(k+mtM)%mtN] ^ (y >> 1)
		if y&1 != 0 {
			v ^= mtMatrixA
		}
		mt[k] = v
	}
	g.index = 0
}

// uint32 returns the next tempered 32-bit output.
func (g *pyRandom) uint32() uint32 {
	if g.index >= mtN {
		g.twist()
	}
	y := g.state[g.index]
	g.index++
	y ^= y >> 11
	y ^= (y << 7) & 0x9d2c5680
	y ^= (y << 15) & 0xefc60000
	y ^= y >> 18
	return y
}

// random returns a float64 in [0, 1) built from 53 random bits, like random.random().
func (g *pyRandom) random() float64 {
	a := g.uint32() >> 5
	b := g.uint32() >> 6
	return (float64(a)*67108864.0 + float64(b)) * (1.0 / 9007199254740992.0)
}

// bits returns k random bits (1 <= k <= 32), like getrandbits(k).
func (g *pyRandom) bits(k uint) uint32 {
	return g.uint32() >> (32 - k)
}

// below returns a uniform int in [0, n) by rejection sampling, like _randbelow(n).
func (g *pyRandom) below(n int) int {
	k := uint(0)
	for v := n; v > 0; v >>= 1 {
		k++
	}
	r := int(g.bits(k))
	for r >= n {
		r = int(g.bits(k))
	}
	return r
}

// randint returns a uniform int in [a, b], like randint(a, b).
func (g *pyRandom) randint(a, b int) int {
	return a + g.below(b-a+1)
}

// choice returns a uniformly chosen element of seq, like choice(seq).
func (g *pyRandom) choice(seq []string) string {
	return seq[g.below(len(seq))]
}
