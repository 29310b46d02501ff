package export

import (
	"html"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"mra/diff"
)

// The html exports are one self-contained page each: inline CSS (a print
// stylesheet included), no script, no external resource, every piece of
// user text escaped. The server sends them with a CSP that allows nothing
// but inline style.

const pageStyle = `
body { font: 16px/1.6 Georgia, "Times New Roman", serif; color: #1b1b1b; background: #fff; margin: 2rem auto; max-width: 50rem; padding: 0 1rem; }
header, footer, .legend, .notes, table { font-family: system-ui, sans-serif; font-size: 0.9rem; }
header { border-bottom: 1px solid #999; margin-bottom: 1.5rem; }
h1 { font-size: 1.4rem; margin: 0 0 0.25rem; }
.meta { margin: 0.25rem 0; }
.sha { font-family: ui-monospace, monospace; overflow-wrap: anywhere; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; }
ins { background: #dff3e4; color: #0b4a1c; text-decoration: underline; }
del { background: #fbe3e4; color: #7a1016; text-decoration: line-through; }
ins.move, del.move { background: #e3ecfb; color: #0b2e6b; }
ins.move { text-decoration: underline double; }
del.move { text-decoration: line-through double; }
ins.move.edit, del.move.edit { background: #c9d8f5; font-weight: bold; }
.mark { font-family: system-ui, sans-serif; font-size: 0.75em; font-weight: bold; text-decoration: none; display: inline-block; padding: 0 0.25em; border-radius: 3px; background: #0b2e6b; color: #fff; }
.bracket { font-weight: bold; color: #7a1016; }
a.ref { font-family: system-ui, sans-serif; font-size: 0.7em; vertical-align: super; text-decoration: none; color: #0b2e6b; }
.notes li { margin-bottom: 0.75rem; }
.notes .internal { border-left: 4px solid #7a1016; padding-left: 0.5rem; }
.label { font-weight: bold; }
.quote { font-style: italic; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1.5rem; }
th, td { border: 1px solid #999; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
@media print {
  body { margin: 0; max-width: none; font-size: 11pt; }
  a.ref { color: #000; }
  ins, del, ins.move, del.move { background: none; color: #000; }
  .notes li, tr { break-inside: avoid; }
  header { border-bottom: 1px solid #000; }
}
`

// esc escapes user text for html, quotes included.
func esc(s string) string { return html.EscapeString(s) }

// page writes the document around a body.
func (x *exporter) page(b *strings.Builder, heading string, body func()) {
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
	b.WriteString("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	b.WriteString("<title>" + esc(x.v.Snapshot.Negotiation.Title+" — "+heading) + "</title>\n")
	b.WriteString("<style>" + pageStyle + "</style>\n</head>\n<body>\n<header>\n")
	b.WriteString("<h1>" + esc(x.v.Snapshot.Negotiation.Title) + "</h1>\n")
	b.WriteString("<p class=\"meta\">" + esc(heading) + "</p>\n")
	m := x.meta
	b.WriteString("<p class=\"meta\">Version " + strconv.Itoa(m.Number) + ", proposed by " + esc(x.partyName(m.Party)) +
		" on " + esc(m.At.UTC().Format(time.RFC3339)) + ". SHA-256 <span class=\"sha\">" + esc(m.SHA256) + "</span></p>\n")
	if x.r.Internal {
		b.WriteString("<p class=\"meta\"><strong>Internal — " + esc(x.partyName(x.v.Party)) +
			"</strong>: this file holds that party's internal threads. Do not send it to another party.</p>\n")
	}
	b.WriteString("</header>\n")
	body()
	b.WriteString("</body>\n</html>\n")
}

// piece is a stretch of text drawn in one element (open and close are raw
// html, the text is escaped).
type piece struct {
	open, close string
	text        string
}

// writePieces writes the pieces with a note reference at each mark (code
// points of the concatenated texts), in order: a mark on the boundary of
// two pieces goes between their elements.
func writePieces(b *strings.Builder, pieces []piece, marks []htmlMark) {
	slices.SortStableFunc(marks, func(a, c htmlMark) int { return a.at - c.at })
	pos, k := 0, 0
	for _, p := range pieces {
		for ; k < len(marks) && marks[k].at <= pos; k++ {
			b.WriteString(marks[k].html)
		}
		b.WriteString(p.open)
		text := p.text
		n := utf8.RuneCountInString(text)
		for ; k < len(marks) && marks[k].at < pos+n; k++ {
			cut := byteOffset(text, marks[k].at-pos)
			b.WriteString(esc(text[:cut]))
			pos += utf8.RuneCountInString(text[:cut])
			n -= utf8.RuneCountInString(text[:cut])
			text = text[cut:]
			b.WriteString(marks[k].html)
		}
		b.WriteString(esc(text))
		pos += n
		b.WriteString(p.close)
	}
	for ; k < len(marks); k++ {
		b.WriteString(marks[k].html)
	}
}

type htmlMark struct {
	at   int
	html string
}

// byteOffset returns the byte offset of code point p of s (len(s) beyond).
func byteOffset(s string, p int) int {
	for i := range s {
		if p == 0 {
			return i
		}
		p--
	}
	return len(s)
}

// refMarks returns a reference to each placed note at the end of its
// range, mapped by at (nil: as they are).
func refMarks(ns []note, at func(s, e int) (int, int)) []htmlMark {
	var out []htmlMark
	for _, n := range ns {
		if !n.Placed {
			continue
		}
		s, e := n.Start, n.End
		if at != nil {
			s, e = at(s, e)
		}
		_ = s
		num := strconv.Itoa(n.Num)
		out = append(out, htmlMark{at: e, html: `<a class="ref" id="ref-` + num + `" href="#note-` + num + `" aria-label="note ` + num + `">` + num + `</a>`})
	}
	return out
}

// writeNotes writes the numbered notes.
func writeNotes(b *strings.Builder, ns []note, latest int, version int) {
	b.WriteString("<section class=\"notes\">\n<h2>Threads</h2>\n")
	if version != latest {
		b.WriteString("<p>Threads stand on the latest version (" + strconv.Itoa(latest) + "); this version carries none.</p>\n")
	}
	if len(ns) == 0 {
		if version == latest {
			b.WriteString("<p>No threads.</p>\n")
		}
		b.WriteString("</section>\n")
		return
	}
	b.WriteString("<ol>\n")
	for _, n := range ns {
		num := strconv.Itoa(n.Num)
		class := ""
		if n.Internal {
			class = ` class="internal"`
		}
		b.WriteString(`<li id="note-` + num + `"` + class + `><p><span class="label">` + esc(n.Label) + "</span> — raised by " + esc(n.Party))
		if n.Placed {
			b.WriteString(` on <span class="quote">“` + esc(n.Quote) + `”</span> <a href="#ref-` + num + `">(in the text)</a>`)
		} else {
			b.WriteString(" (a general note)")
		}
		b.WriteString("</p>\n")
		for _, m := range n.Messages {
			b.WriteString("<p><strong>" + esc(m.Party) + "</strong> (" + esc(m.At.UTC().Format(time.RFC3339)) + "): <span class=\"text\">" + esc(m.Body) + "</span></p>\n")
		}
		b.WriteString("</li>\n")
	}
	b.WriteString("</ol>\n</section>\n")
}

func (x *exporter) cleanHTML() []byte {
	var b strings.Builder
	ns := x.notes()
	x.page(&b, "Clean text of version "+strconv.Itoa(x.r.Version), func() {
		b.WriteString("<main class=\"text\">")
		writePieces(&b, []piece{{text: x.text}}, refMarks(ns, nil))
		b.WriteString("</main>\n")
		writeNotes(&b, ns, x.latest, x.r.Version)
	})
	return []byte(b.String())
}

func (x *exporter) bracketedHTML() []byte {
	var b strings.Builder
	ns := x.notes()
	bt := Brackets(x.text, x.bracketRanges())
	x.page(&b, "Bracketed text of version "+strconv.Itoa(x.r.Version), func() {
		b.WriteString("<p class=\"legend\">Text in <span class=\"bracket\">[</span>brackets<span class=\"bracket\">]</span> is not agreed: a shared open issue is open on it, or a consensus on it is void.</p>\n")
		b.WriteString("<main class=\"text\">")
		var pieces []piece
		bs := bt.Text
		for {
			i := strings.IndexAny(bs, "[]")
			if i < 0 {
				break
			}
			pieces = append(pieces, piece{text: bs[:i]}, piece{open: `<span class="bracket">`, close: "</span>", text: bs[i : i+1]})
			bs = bs[i+1:]
		}
		// Brackets of the text itself are drawn like ours; only ours count
		// in the offsets, and both are one code point, so marks stay right.
		pieces = append(pieces, piece{text: bs})
		writePieces(&b, pieces, refMarks(ns, bt.shift))
		b.WriteString("</main>\n")
		writeNotes(&b, ns, x.latest, x.r.Version)
	})
	return []byte(b.String())
}

func (x *exporter) redlineHTML() []byte {
	var b strings.Builder
	ns := x.notes()
	ops := diff.Redline(x.old, x.text)
	heading := "Redline of version " + strconv.Itoa(x.r.From) + " → version " + strconv.Itoa(x.r.Version) +
		", changes by " + x.partyName(x.meta.Party)
	x.page(&b, heading, func() {
		b.WriteString(`<p class="legend">Legend: <ins>inserted</ins>, <del>deleted</del>, <del class="move">moved from here</del>, <ins class="move">moved to here</ins>. ` +
			`A moved passage carries the same number (<span class="mark">↦1</span> where it left, <span class="mark">⇥1</span> where it arrived); ` +
			`words changed on the way are in bold inside it.</p>` + "\n")
		b.WriteString("<main class=\"text\">")
		pieces := make([]piece, 0, len(ops))
		for k, op := range ops {
			p := piece{text: op.Text}
			class := ""
			if op.Move != 0 {
				class = "move"
				if op.Edit {
					class += " edit"
				}
			}
			tag := ""
			switch op.Op {
			case diff.Insert:
				tag = "ins"
			case diff.Delete:
				tag = "del"
			}
			if tag != "" {
				attr := ""
				if class != "" {
					attr = ` class="` + class + `" title="move ` + strconv.Itoa(op.Move) + `"`
				}
				p.open, p.close = "<"+tag+attr+">", "</"+tag+">"
				if op.Move != 0 && (k == 0 || ops[k-1].Move != op.Move || ops[k-1].Op != op.Op) {
					sign := "↦"
					if op.Op == diff.Insert {
						sign = "⇥"
					}
					p.open += `<span class="mark">` + sign + strconv.Itoa(op.Move) + "</span>"
				}
			}
			pieces = append(pieces, p)
		}
		m := newOffsetMap(ops)
		writePieces(&b, pieces, refMarks(ns, m.mapRange))
		b.WriteString("</main>\n")
		writeNotes(&b, ns, x.latest, x.r.Version)
	})
	return []byte(b.String())
}

// offsetMap maps code points of a redline's new text onto the
// concatenation of its ops' texts (deleted text included).
type offsetMap struct {
	newAt, allAt []int // start of each equal or insert op, on both
	lens         []int
}

func newOffsetMap(ops []diff.Op) offsetMap {
	var m offsetMap
	nw, all := 0, 0
	for _, op := range ops {
		n := utf8.RuneCountInString(op.Text)
		if op.Op != diff.Delete {
			m.newAt, m.allAt, m.lens = append(m.newAt, nw), append(m.allAt, all), append(m.lens, n)
			nw += n
		}
		all += n
	}
	return m
}

// at maps p; at a boundary a start goes after deleted text, an end before it.
func (m offsetMap) at(p int, end bool) int {
	k, _ := slices.BinarySearch(m.newAt, p+1) // newAt[k-1] <= p
	k--
	if k < 0 {
		return p
	}
	if end && p == m.newAt[k] && k > 0 {
		return m.allAt[k-1] + m.lens[k-1]
	}
	return m.allAt[k] + p - m.newAt[k]
}

func (m offsetMap) mapRange(s, e int) (int, int) {
	s2 := m.at(s, false)
	e2 := m.at(e, s != e)
	return s2, max(s2, e2)
}
