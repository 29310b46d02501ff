// Package diff compares two versions of a text the way a lawyer reads a
// redline: whole words inserted and deleted, moved paragraphs shown as moves
// (with the words changed on the way marked inside), and ranges of the old
// text carried onto the new one.
//
// Every offset is in Unicode code points. Inputs are valid UTF-8 (callers
// refuse anything else); for any pair of texts the equal and delete ops of a
// redline concatenate to the old text and the equal and insert ops to the new.
package diff

import (
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"
	"unsafe"
)

// Kind says what an op does: keeps, inserts or deletes its text.
type Kind string

// The kinds of redline op, as they appear on the wire.
const (
	Equal  Kind = "equal"
	Insert Kind = "insert"
	Delete Kind = "delete"
)

// Op is one piece of a redline. A nonzero Move marks a moved passage: the
// delete ops with that id, in order, hold its old text where it left, and the
// insert ops with that id its new text where it arrived. Edit marks the words
// an edit of the moved passage removed (on its deletes) or added (on its
// inserts); the ops of a move without Edit read the same on both sides, and a
// passage moved unchanged is one delete and one insert of the same text.
type Op struct {
	Op   Kind   `json:"op"`
	Text string `json:"text"`
	Move int    `json:"move,omitempty"`
	Edit bool   `json:"edit,omitempty"`
}

// Levels of alignment below lines (which Redline aligns), coarse to fine.
const (
	sentenceLevel = iota
	tokenLevel
)

// Redline returns the word-level redline that turns old into new. Lines are
// aligned first, then what differs is refined by sentences and by tokens (see
// Tokens); a whole paragraph deleted in one place and inserted in another,
// unchanged or lightly edited, is marked as a move, its edits refined word by
// word. Within a change deletions come before insertions, but for moved
// text, which stands where it left and arrived.
func Redline(old, new string) []Op {
	b := builder{texts: [2]string{old, new}}
	if old == new {
		b.add(Equal, old, 0)
		return b.finish()
	}
	la, lb := splitLines(old), splitLines(new)
	runs := b.aligner().match(nil, la, lb)
	runs = joinBlanks(runs, func(k int) bool {
		r := runs[k]
		return allBlank(la[r.i:r.i+r.n]) && !editedAround(la, lb, runs, k)
	}, len(la), len(lb))
	offA, offB := offsets(la), offsets(lb)
	hunks := make([]hunk, 0, len(runs)+1)
	ia, ib := 0, 0
	for _, r := range append(runs, run{len(la), len(lb), 0}) {
		if ia < r.i || ib < r.j {
			hunks = append(hunks, hunk{ia, r.i, ib, r.j})
		}
		ia, ib = r.i+r.n, r.j+r.n
	}
	moves := findMoves(b.aligner(), old, new, la, lb, offA, offB, hunks)
	parts, buf := refineHunks(old, new, offA, offB, hunks, moves)
	// The stretches' ops are joined where they lie, in the buffer they
	// share, when none outgrew its room: put writes each op at or before
	// where it is read. Else they are copied.
	inBuf := true
	for _, p := range parts {
		inBuf = inBuf && (len(p) == 0 || sameArray(p, buf))
	}
	if inBuf {
		b.ops = buf[:0]
	} else {
		n := 1
		for _, ops := range parts {
			n += len(ops)
		}
		b.ops = make([]Op, 0, n)
	}
	for _, ops := range parts {
		for _, op := range ops {
			b.put(op)
		}
	}
	last := 0
	if len(hunks) > 0 {
		last = hunks[len(hunks)-1].a1
	}
	b.add(Equal, old[offA[last]:], 0)
	b.al.release()
	return b.finish()
}

// parallelMin is the size in bytes of changed text from which the hunks are
// refined on more than one core.
const parallelMin = 64 << 10

// refineHunks returns the ops of the hunks and of the equal text before
// each, in order, as stretches of consecutive hunks refined at once, one
// stretch per core (see inStretches): each hunk's redline depends only on its
// own text and moves, so the result is the same however they are shared out.
// The stretches' ops start in consecutive rooms of one buffer, returned too,
// with one op more (see Redline); a stretch that outgrows its room moves out.
func refineHunks(old, new string, offA, offB []int, hunks []hunk, moves []hunkMoves) ([][]Op, []Op) {
	size := func(h int) int {
		hk := hunks[h]
		return offA[hk.a1] - offA[hk.a0] + offB[hk.b1] - offB[hk.b0]
	}
	ends := stretches(len(hunks), size)
	// Room for each hunk's ops (see opsFor).
	rooms := make([]int, len(ends)+1) // where each stretch's room starts
	from := 0
	for w, to := range ends {
		n := 16
		for h := from; h < to; h++ {
			// What the hunk's two sides share at their ends is no op's
			// (a word edited in a long paragraph makes two or three).
			hk := hunks[h]
			p, q := commonEnds(old[offA[hk.a0]:offA[hk.a1]], new[offB[hk.b0]:offB[hk.b1]])
			n += opsFor(size(h) - 2*(p+q))
		}
		rooms[w+1] = rooms[w] + n
		from = to
	}
	buf := make([]Op, rooms[len(ends)]+1)
	out := make([][]Op, len(ends))
	inStretches(ends, func(w, from, to int) {
		b := builder{texts: [2]string{old, new}}
		b.ops = buf[rooms[w]:rooms[w]:rooms[w+1]]
		prev := 0 // end of the hunk before, in lines of old
		if from > 0 {
			prev = hunks[from-1].a1
		}
		for h := from; h < to; h++ {
			hk := hunks[h]
			b.add(Equal, old[offA[prev]:offA[hk.a0]], 0)
			b.hunk(old[offA[hk.a0]:offA[hk.a1]], new[offB[hk.b0]:offB[hk.b1]], offA[hk.a0], offB[hk.b0], moves[h])
			prev = hk.a1
		}
		if b.al != nil {
			b.al.release()
		}
		out[w] = b.finish()
	})
	return out, buf
}

// opsFor is the room for the ops of a change of n bytes in all: one op per
// 48 bytes, and two more. A heavy rewrite makes one per 63 bytes changed,
// a light edit one per 107 (not counting its common ends), a licence
// rewritten in many short changes one per 38: a long slice of ops grown costs
// more than the room left over, and a short one little.
func opsFor(n int) int { return 2 + n/48 }

// sameArray reports whether p (not empty) lies within buf's array.
func sameArray(p, buf []Op) bool {
	if cap(buf) == 0 {
		return false
	}
	start := uintptr(unsafe.Pointer(unsafe.SliceData(buf[:1])))
	at := uintptr(unsafe.Pointer(unsafe.SliceData(p)))
	return start <= at && at < start+uintptr(cap(buf))*unsafe.Sizeof(Op{})
}

// stretches cuts n hunks into consecutive stretches of about equal size in
// bytes (size(h) for hunk h), four per core when there are several and the
// hunks hold at least parallelMin bytes in all (so that the cores, taking
// them as they come, finish together however the work is spread), and
// returns the end of each (in hunks; none is empty).
func stretches(n int, size func(h int) int) []int {
	sizes := make([]int, n)
	total := 0
	for h := range sizes {
		sizes[h] = size(h)
		total += sizes[h]
	}
	pieces := 1
	if total >= parallelMin && workers() > 1 {
		pieces = stretchesPerCore * workers()
	}
	// Stretch w ends after the first hunk whose end passes w+1 shares of the size.
	ends := make([]int, 0, pieces)
	done := 0
	for h, sz := range sizes {
		done += sz
		if done*pieces >= (len(ends)+1)*total && len(ends) < pieces-1 && h+1 < n {
			ends = append(ends, h+1)
		}
	}
	if n > 0 {
		ends = append(ends, n)
	}
	return ends
}

// stretchesPerCore is how many stretches stretches makes for each core.
const stretchesPerCore = 4

// workers is the number of cores a redline uses.
func workers() int { return min(runtime.GOMAXPROCS(0), 8) }

// inStretches runs fn on each stretch w of hunks [from, to) (see
// stretches), on as many goroutines as there are cores (this one among
// them), each taking the next stretch not yet taken, and returns when all
// are done.
func inStretches(ends []int, fn func(w, from, to int)) {
	start := func(w int) int {
		if w == 0 {
			return 0
		}
		return ends[w-1]
	}
	n := min(workers(), len(ends))
	if n <= 1 {
		for w, to := range ends {
			fn(w, start(w), to)
		}
		return
	}
	var next atomic.Int32
	work := func() {
		for {
			w := int(next.Add(1)) - 1
			if w >= len(ends) {
				return
			}
			fn(w, start(w), ends[w])
		}
	}
	var wg sync.WaitGroup
	for range n - 1 {
		wg.Go(work)
	}
	work()
	wg.Wait()
}

// hunk is a stretch of lines a[a0:a1] replaced by b[b0:b1].
type hunk struct{ a0, a1, b0, b1 int }

// offsets returns the byte offset of each unit's start, and the total last.
func offsets(units []string) []int {
	off := make([]int, len(units)+1)
	for k, u := range units {
		off[k+1] = off[k] + len(u)
	}
	return off
}

// touched writes every page of s (zeros, as it holds) and returns it. A
// long slice comes fresh from the system, and the first thing done to one
// of its pages is a fault: when that is a read (an entry tested before it
// is set), the page is mapped to the system's shared zero page and the
// first write faults again to copy it, stopping every other core to flush
// its translations. Writing first costs one plain fault a page.
func touched[T any](s []T) []T {
	clear(s)
	return s
}

// builder accumulates ops, merging neighbours of the same kind, move and edit.
// The pieces of the last op are joined once, when the next op starts or at
// finish, so merging never copies a growing text again and again.
type builder struct {
	ops  []Op
	more []string // pieces that follow ops[len(ops)-1].Text
	al   *aligner // shared by the builders of one redline
	// The texts the ops' pieces are cut from (the old and the new text, or
	// parts of them), so that neighbouring pieces join without a copy.
	texts [2]string
}

// aligner returns the aligner b's alignments share.
func (b *builder) aligner() *aligner {
	if b.al == nil {
		b.al = newAligner()
	}
	return b.al
}

func (b *builder) add(k Kind, text string, move int) { b.put(Op{Op: k, Text: text, Move: move}) }

// put appends op, or its text to the last op when they differ only in text.
func (b *builder) put(op Op) {
	if op.Text == "" {
		return
	}
	if n := len(b.ops); n > 0 && b.ops[n-1].Op == op.Op && b.ops[n-1].Move == op.Move && b.ops[n-1].Edit == op.Edit {
		b.more = append(b.more, op.Text)
		return
	}
	b.join()
	b.ops = append(b.ops, op)
}

// join gives the last op its whole text.
func (b *builder) join() {
	if len(b.more) == 0 {
		return
	}
	last := &b.ops[len(b.ops)-1]
	n := len(last.Text)
	for _, p := range b.more {
		n += len(p)
	}
	for _, base := range b.texts {
		if s, ok := adjacent(base, last.Text, b.more, n); ok {
			last.Text = s
			b.more = b.more[:0]
			return
		}
	}
	var sb strings.Builder
	sb.Grow(n)
	sb.WriteString(last.Text)
	for _, p := range b.more {
		sb.WriteString(p)
	}
	last.Text = sb.String()
	b.more = b.more[:0]
}

// adjacent returns first and the pieces that follow it, n bytes in all, as
// one substring of base when they are its consecutive substrings: the
// usual case, a redline's pieces being cut from the texts it compares, and
// then no byte is copied.
func adjacent(base, first string, pieces []string, n int) (string, bool) {
	off, ok := offsetIn(base, first)
	if !ok || off+n > len(base) {
		return "", false
	}
	at := off + len(first)
	for _, p := range pieces {
		if q, ok := offsetIn(base, p); !ok || q != at {
			return "", false
		}
		at += len(p)
	}
	return base[off : off+n], true
}

// offsetIn returns where s starts in base when s is a substring of base's
// memory (not merely equal to one).
func offsetIn(base, s string) (int, bool) {
	if len(s) == 0 || len(base) == 0 {
		return 0, false
	}
	b, p := uintptr(unsafe.Pointer(unsafe.StringData(base))), uintptr(unsafe.Pointer(unsafe.StringData(s)))
	if p < b || p+uintptr(len(s)) > b+uintptr(len(base)) {
		return 0, false
	}
	return int(p - b), true
}

// finish returns the ops built.
func (b *builder) finish() []Op {
	b.join()
	return b.ops
}

// shortChange is the size in bytes under which a change is aligned word by
// word at once: a sentence or two, where aligning sentences first buys nothing.
const shortChange = 512

// refine appends the redline of a against c at the sentence or token level:
// sentences are aligned first, and each difference is refined word by word.
func (b *builder) refine(a, c string, level int) {
	switch {
	case a == c:
		b.add(Equal, a, 0)
		return
	case a == "" || c == "":
		b.add(Delete, a, 0)
		b.add(Insert, c, 0)
		return
	}
	if p, q := commonEnds(a, c); p > 0 || q > 0 {
		b.add(Equal, a[:p], 0)
		b.refine(a[p:len(a)-q], c[p:len(c)-q], level)
		b.add(Equal, a[len(a)-q:], 0)
		return
	}
	if level == tokenLevel || len(a)+len(c) <= shortChange {
		b.tokens(a, c)
		return
	}
	ua, uc := splitSentences(a), splitSentences(c)
	offA, offC := offsets(ua), offsets(uc)
	ia, ic := 0, 0
	runs := b.aligner().match(nil, ua, uc)
	blank := func(k int) bool { return allBlank(ua[runs[k].i : runs[k].i+runs[k].n]) }
	for _, r := range append(joinBlanks(runs, blank, len(ua), len(uc)), run{len(ua), len(uc), 0}) {
		if ia < r.i || ic < r.j {
			b.refine(a[offA[ia]:offA[r.i]], c[offC[ic]:offC[r.j]], level+1)
		}
		b.add(Equal, a[offA[r.i]:offA[r.i+r.n]], 0)
		ia, ic = r.i+r.n, r.j+r.n
	}
}

// commonEnds returns the lengths in bytes of a common prefix and a common
// suffix of a and c, each cut where a whitespace run meets the text after it
// on both sides, so the middle tokenises as it would within the whole.
func commonEnds(a, c string) (p, q int) {
	n := min(len(a), len(c))
	for _, w := range [...]int{64, 8} { // whole blocks first: compared many bytes at a time
		for p+w <= n && a[p:p+w] == c[p:p+w] {
			p += w
		}
	}
	for p < n && a[p] == c[p] {
		p++
	}
	// Shared text continues at a[p-1]; a cut at x needs a[x-1] and a[x] shared.
	for p--; p > 0 && !cutsAt(a, p); p-- {
	}
	p = max(p, 0)
	n -= p
	for _, w := range [...]int{64, 8} {
		for q+w <= n && a[len(a)-q-w:len(a)-q] == c[len(c)-q-w:len(c)-q] {
			q += w
		}
	}
	for q < n && a[len(a)-1-q] == c[len(c)-1-q] {
		q++
	}
	for q--; q > 0 && !cutsAt(a, len(a)-q); q-- {
	}
	return p, max(q, 0)
}

// cutsAt reports whether x is where whitespace ends and other text begins.
func cutsAt(s string, x int) bool {
	if !isSpaceByte(s[x-1]) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s[x:])
	return !unicode.IsSpace(r)
}

func isSpaceByte(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }

// tokens appends the token-level redline of a against c. Words and marks
// are aligned first, so whitespace never anchors an alignment of its own;
// the whitespace between aligned words is then aligned within each gap.
// Tokens are interned as they are cut, into the aligner's reused buffers.
func (b *builder) tokens(a, c string) {
	al := b.aligner()
	ta, tc := &al.ta, &al.tc
	al.tokenize(ta, a)
	al.tokenize(tc, c)
	spaced := al.spaced[:0] // the runs of ta and tc: words and the whitespace between them
	ia, ic := 0, 0
	al.words = al.matchIDs(al.words[:0], ta.wids, tc.wids)
	for _, r := range al.words {
		for k := 0; k < r.n; k++ {
			x, y := int(ta.words[r.i+k]), int(tc.words[r.j+k])
			spaced = gap(spaced, ta.ids[ia:x], tc.ids[ic:y], ia, ic)
			spaced = addRun(spaced, run{x, y, 1})
			ia, ic = x+1, y+1
		}
	}
	spaced = gap(spaced, ta.ids[ia:], tc.ids[ic:], ia, ic)
	al.spaced = spaced
	runs := joinBlanks(spaced, func(k int) bool {
		r := spaced[k]
		return isBlank(a[ta.start(r.i):ta.start(r.i+r.n)])
	}, len(ta.ids), len(tc.ids))
	ia, ic = 0, 0
	for _, r := range append(runs, run{len(ta.ids), len(tc.ids), 0}) {
		b.add(Delete, a[ta.start(ia):ta.start(r.i)], 0)
		b.add(Insert, c[tc.start(ic):tc.start(r.j)], 0)
		b.add(Equal, a[ta.start(r.i):ta.start(r.i+r.n)], 0)
		ia, ic = r.i+r.n, r.j+r.n
	}
}

// gap appends to runs the alignment of the tokens between two aligned words
// (ga and gc, from ia and ic): most often one space each, the same. Only
// their common start and end are kept: the words between were left
// unaligned by the words' alignment, and the whitespace around them goes
// with them.
func gap(runs []run, ga, gc []int32, ia, ic int) []run {
	p := 0
	for p < len(ga) && p < len(gc) && ga[p] == gc[p] {
		p++
	}
	runs = addRun(runs, run{ia, ic, p})
	s := 0
	for s < len(ga)-p && s < len(gc)-p && ga[len(ga)-1-s] == gc[len(gc)-1-s] {
		s++
	}
	return addRun(runs, run{ia + len(ga) - s, ic + len(gc) - s, s})
}

// joinBlanks drops the runs that hold only whitespace (blank(k) of runs[k])
// and stand between two changes (na and nb units in all), so the changes
// join into one: a reader marks "[-a b-]{+x y+}", not "[-a-]{+x+} [-b-]{+y+}",
// and a paragraph merged into the next is aligned across the blank line.
//
// The runs kept are written over runs: kept[j] for j <= k is written after
// runs[k] is read, and blank(k) may read runs[k-1] (never overwritten but by
// itself), runs[k] and what follows.
func joinBlanks(runs []run, blank func(k int) bool, na, nb int) []run {
	kept := runs[:0]
	for k, r := range runs {
		changeBefore := r.i > 0 || r.j > 0
		if k > 0 {
			p := runs[k-1]
			changeBefore = p.i+p.n < r.i || p.j+p.n < r.j
		}
		changeAfter := r.i+r.n < na || r.j+r.n < nb
		if changeBefore && changeAfter && blank(k) {
			continue
		}
		kept = append(kept, r)
	}
	return kept
}

// allBlank reports whether every unit is whitespace only.
func allBlank(units []string) bool {
	for _, u := range units {
		if !isBlank(u) {
			return false
		}
	}
	return true
}

func isBlank(s string) bool { return strings.TrimSpace(s) == "" }

// editedAround reports whether the changes on both sides of runs[k] (lines
// la against lb) are each one line edited in place (see nearlySame): two
// paragraphs edited where they stand, each its own change, however close.
func editedAround(la, lb []string, runs []run, k int) bool {
	r := runs[k]
	a0, b0 := 0, 0
	if k > 0 {
		a0, b0 = runs[k-1].i+runs[k-1].n, runs[k-1].j+runs[k-1].n
	}
	a1, b1 := len(la), len(lb)
	if k+1 < len(runs) {
		a1, b1 = runs[k+1].i, runs[k+1].j
	}
	edited := func(a0, a1, b0, b1 int) bool {
		return a1-a0 == 1 && b1-b0 == 1 && nearlySame(la[a0], lb[b0])
	}
	return edited(a0, r.i, b0, r.j) && edited(r.i+r.n, a1, r.j+r.n, b1)
}
