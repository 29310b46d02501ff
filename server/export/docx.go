package export

import (
	"bytes"

	"mra/diff"
	"mra/server/docx"
)

// document is the docx.Document of an export: title the negotiation's,
// creator the viewing party's name (empty for an administrator's shared
// export), every date the exported version's time (never the clock), and
// tracked changes by the party that proposed the version.
func (x *exporter) document(segs []docx.Segment, ns []note, at func(s, e int) (int, int)) docx.Document {
	d := docx.Document{
		Title:    x.v.Snapshot.Negotiation.Title,
		Date:     x.meta.At.UTC(),
		Author:   x.partyName(x.meta.Party),
		Segments: segs,
	}
	if x.v.Party != "" {
		d.Creator = x.partyName(x.v.Party)
	}
	for _, n := range ns {
		s, e := 0, 0
		if n.Placed {
			s, e = n.Start, n.End
			if at != nil {
				s, e = at(s, e)
			}
		}
		d.Comments = append(d.Comments, docx.Comment{
			Start: s, End: e, Author: n.Party, Initials: string(n.PartyID), Date: n.Date.UTC(), Text: n.commentText(),
		})
	}
	return d
}

func write(d docx.Document) ([]byte, error) {
	var b bytes.Buffer
	if err := docx.Write(&b, d); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func (x *exporter) cleanDocx() ([]byte, error) {
	return write(x.document([]docx.Segment{{Kind: docx.Same, Text: x.text}}, x.notes(), nil))
}

func (x *exporter) bracketedDocx() ([]byte, error) {
	bt := Brackets(x.text, x.bracketRanges())
	return write(x.document([]docx.Segment{{Kind: docx.Same, Text: bt.Text}}, x.notes(), bt.shift))
}

func (x *exporter) redlineDocx() ([]byte, error) {
	ops := diff.Redline(x.old, x.text)
	return write(x.document(Segments(ops), x.notes(), newOffsetMap(ops).mapRange))
}

// Segments maps a redline's ops onto a document's segments: equal text
// kept, insertions and deletions tracked, moves tracked as moves (a moved
// passage's deletes where it left, its inserts where it arrived, edits
// within it included, so accepting every change gives the new text and
// rejecting every one the old).
func Segments(ops []diff.Op) []docx.Segment {
	segs := make([]docx.Segment, 0, len(ops))
	for _, op := range ops {
		s := docx.Segment{Text: op.Text, Move: op.Move}
		switch {
		case op.Op == diff.Equal:
			s.Kind, s.Move = docx.Same, 0
		case op.Op == diff.Insert && op.Move != 0:
			s.Kind = docx.MoveTo
		case op.Op == diff.Insert:
			s.Kind = docx.Insert
		case op.Move != 0:
			s.Kind = docx.MoveFrom
		default:
			s.Kind = docx.Delete
		}
		if k := len(segs) - 1; k >= 0 && segs[k].Kind == s.Kind && segs[k].Move == s.Move {
			segs[k].Text += s.Text // one segment per run of the same change
			continue
		}
		segs = append(segs, s)
	}
	return segs
}
