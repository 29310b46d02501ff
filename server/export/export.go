// Package export turns what one party may see of a negotiation into the
// files of PROTOCOL "Exports": the clean text, a redline, the bracketed text
// and the signing record, as txt, docx, html or json.
//
// It works from a View: the party's snapshot (mra.Negotiation.Snapshot, the
// one path that decides what a party sees, also behind GET
// /api/negotiations/{id}) and the texts of its versions. An export therefore
// never holds what that party's snapshot would not show; on top of that it
// holds shared material only, unless the request asks for the party's own
// internal threads (html and docx). Every file is a function of the view
// and the request alone: no clock, no randomness, so the same export twice
// is the same bytes.
package export

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode"

	"mra/server/mra"
)

// Kind is what an export shows.
type Kind string

// The kinds of export.
const (
	Clean     Kind = "clean"     // the text of a version
	Redline   Kind = "redline"   // version From → version Version
	Bracketed Kind = "bracketed" // the text with the ranges still in dispute in brackets
	Record    Kind = "record"    // the signing record of a version
	Minutes   Kind = "minutes"   // the minutes of a meeting (minutes.go)
)

// Format is the file format of an export.
type Format string

// The formats.
const (
	TXT  Format = "txt"
	DOCX Format = "docx"
	HTML Format = "html"
	JSON Format = "json"
)

// formats lists the formats of each kind, as the contract's table does.
var formats = map[Kind][]Format{
	Clean:     {TXT, DOCX, HTML},
	Redline:   {DOCX, HTML},
	Bracketed: {TXT, DOCX, HTML},
	Record:    {JSON, HTML},
	Minutes:   {HTML, DOCX},
}

// ContentTypes are the media types of the formats.
var ContentTypes = map[Format]string{
	TXT:  "text/plain; charset=utf-8",
	DOCX: DocxType,
	HTML: "text/html; charset=utf-8",
	JSON: "application/json; charset=utf-8",
}

// DocxType is the media type of a .docx file (also what POST /api/import takes).
const DocxType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

// Request is what to export.
type Request struct {
	Kind   Kind
	Format Format
	// Version is the version to export (0: the latest); a redline's new side.
	Version int
	// From is a redline's old side (0: Version-1). Only a redline takes it.
	From int
	// Internal adds the viewing party's own internal threads (and its own
	// internal sign-offs' bodies in a record), marked internal: html and
	// docx only.
	Internal bool
	// Meeting is the meeting whose minutes a minutes export holds; only
	// that kind takes it.
	Meeting mra.MeetingID
}

// ParseQuery reads a request from the export endpoint's query parameters
// (kind, format, version, from, internal, meeting). Its errors are
// bad_request, naming the parameter.
func ParseQuery(q url.Values) (Request, error) {
	r := Request{Kind: Kind(q.Get("kind")), Format: Format(q.Get("format"))}
	for _, p := range []struct {
		name string
		dst  *int
	}{{"version", &r.Version}, {"from", &r.From}} {
		raw, ok := q[p.name]
		if !ok {
			continue
		}
		v, err := strconv.Atoi(raw[0])
		if err != nil || v < 1 || len(raw) > 1 {
			return r, mra.Errorf(mra.CodeBadRequest, "%s must be one version number (1 or more)", p.name)
		}
		*p.dst = v
	}
	switch raw, ok := q["internal"]; {
	case !ok:
	case len(raw) == 1 && raw[0] == "1":
		r.Internal = true
	case len(raw) == 1 && (raw[0] == "0" || raw[0] == ""):
	default:
		return r, mra.Errorf(mra.CodeBadRequest, "internal must be 1 or 0")
	}
	if raw, ok := q["meeting"]; ok {
		if len(raw) != 1 || raw[0] == "" {
			return r, mra.Errorf(mra.CodeBadRequest, "meeting must be one meeting id")
		}
		r.Meeting = mra.MeetingID(raw[0])
	}
	return r, r.Check()
}

// Check reports whether the kind, format and flags go together (the
// version numbers are checked against the negotiation by Make).
func (r Request) Check() error {
	fs, ok := formats[r.Kind]
	if !ok {
		return mra.Errorf(mra.CodeBadRequest, "kind must be clean, redline, bracketed, record or minutes")
	}
	if !contains(fs, r.Format) {
		names := make([]string, len(fs))
		for k, f := range fs {
			names[k] = string(f)
		}
		return mra.Errorf(mra.CodeBadRequest, "format: a %s export is %s", r.Kind, strings.Join(names, ", "))
	}
	if r.Version < 0 || r.From < 0 {
		return mra.Errorf(mra.CodeBadRequest, "version and from must be version numbers (1 or more)")
	}
	if r.From != 0 && r.Kind != Redline {
		return mra.Errorf(mra.CodeBadRequest, "from: only a redline takes from")
	}
	if r.Kind == Minutes {
		return r.checkMinutes()
	}
	if r.Meeting != "" {
		return mra.Errorf(mra.CodeBadRequest, "meeting: only minutes take a meeting")
	}
	if r.Internal && r.Format != HTML && r.Format != DOCX {
		return mra.Errorf(mra.CodeBadRequest, "internal: only html and docx exports hold internal threads")
	}
	return nil
}

func contains(fs []Format, f Format) bool {
	for _, g := range fs {
		if g == f {
			return true
		}
	}
	return false
}

// View is what one party may see of a negotiation, and how to read its
// texts.
type View struct {
	// Snapshot is Negotiation.Snapshot(Party, ...): threads, sign-offs and
	// versions as Party sees them, anchored on the latest version.
	Snapshot mra.Snapshot
	// Party is whose view it is; "" for an administrator's export of shared
	// material only (Snapshot must then be taken for party "" too).
	Party mra.PartyID
	// SharedHead is the head of the negotiation's shared stream (seq, hash).
	SharedHead mra.Head
	// Names maps user ids to people's names, for the record (the
	// snapshot's Names).
	Names map[mra.UserID]string
	// Text returns the text of a version of the snapshot.
	Text func(version int) (string, error)
	// At, when set, returns the view as it stood while an older version
	// was the latest (see Past): the threads of an older version's export.
	// Without it an older version's export carries no thread, and its
	// bracketed text is refused.
	At func(version int) (View, error)
}

// ViewOf returns what a user of party p may see of n (p "" for shared
// material only): its snapshot, through the one path the snapshot endpoint
// takes, and its shared stream's head. The caller sets Names and Text. The
// view shares nothing that Apply changes, so it may be used after n's lock
// is released.
func ViewOf(n *mra.Negotiation, p mra.PartyID, parties map[mra.PartyID]mra.Party) View {
	return View{Snapshot: n.Snapshot(p, parties), Party: p, SharedHead: n.Heads[mra.SharedStream]}
}

// TextsBySHA returns a View's Text for its snapshot's versions, reading
// each text by its SHA-256 with load.
func TextsBySHA(s mra.Snapshot, load func(sha string) (string, error)) func(int) (string, error) {
	versions := s.Versions
	return func(n int) (string, error) {
		if n < 1 || n > len(versions) {
			return "", mra.Errorf(mra.CodeNotFound, "no version %d", n)
		}
		return load(versions[n-1].SHA256)
	}
}

// File is an export.
type File struct {
	Name        string // the file name, in UTF-8 (for filename*)
	ASCIIName   string // the same name in ASCII letters, digits, '-', '_' and '.'
	ContentType string
	Body        []byte
}

// Disposition returns the Content-Disposition header of the file.
func (f *File) Disposition() string {
	return `attachment; filename="` + f.ASCIIName + `"; filename*=UTF-8''` + extValue(f.Name)
}

// extValue percent-encodes s as an RFC 8187 value: every byte but the
// attr-chars (letters, digits and !#$&+-.^_`|~).
func extValue(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// Make makes the export r of what v shows. Its errors are *mra.Error:
// bad_request for a request that does not fit the negotiation (naming the
// parameter), not_found for a version that does not exist.
func Make(v View, r Request) (*File, error) {
	if err := r.Check(); err != nil {
		return nil, err
	}
	if r.Internal && v.Party == "" {
		return nil, mra.Errorf(mra.CodeBadRequest, "internal: an export without a party holds shared material only")
	}
	if r.Kind == Minutes {
		return (&exporter{v: v, r: r}).minutesFile()
	}
	latest := len(v.Snapshot.Versions)
	if latest == 0 {
		return nil, mra.Errorf(mra.CodeNotFound, "no version yet")
	}
	if r.Version == 0 {
		r.Version = latest
	}
	if r.Version > latest {
		return nil, mra.Errorf(mra.CodeNotFound, "no version %d", r.Version)
	}
	if r.Kind == Redline {
		switch {
		case r.From == 0 && r.Version == 1:
			return nil, mra.Errorf(mra.CodeBadRequest, "from: version 1 has no earlier version; a redline of it needs from")
		case r.From == 0:
			r.From = r.Version - 1
		case r.From >= r.Version:
			return nil, mra.Errorf(mra.CodeBadRequest, "from must be an earlier version than version (%d)", r.Version)
		}
	}
	if r.Kind == Bracketed && r.Version != latest && v.At == nil {
		return nil, mra.Errorf(mra.CodeBadRequest,
			"version: a bracketed text is made of the latest version (%d), where the threads stand", latest)
	}
	x := &exporter{v: v, r: r, meta: v.Snapshot.Versions[r.Version-1], latest: latest}
	var err error
	if r.Kind != Record && r.Version != latest && v.At != nil {
		// The threads as they stood on version N while it was the latest.
		if x.v, err = v.At(r.Version); err != nil {
			return nil, err
		}
		if len(x.v.Snapshot.Versions) != r.Version {
			return nil, fmt.Errorf("export: the view at version %d has %d versions", r.Version, len(x.v.Snapshot.Versions))
		}
		x.latest, x.now = r.Version, latest
	}
	if r.Kind != Record {
		if x.text, err = v.Text(r.Version); err != nil {
			return nil, err
		}
	}
	if r.Kind == Redline {
		if x.old, err = v.Text(r.From); err != nil {
			return nil, err
		}
	}
	body, err := x.make()
	if err != nil {
		return nil, err
	}
	name := x.fileName()
	return &File{Name: name, ASCIIName: asciiName(name), ContentType: ContentTypes[r.Format], Body: body}, nil
}

// exporter holds one export being made.
type exporter struct {
	v         View
	r         Request
	meta      mra.Version // version r.Version
	latest    int         // the latest version of x.v
	now       int         // the latest version now, when x.v is a past view (else 0)
	text, old string      // version r.Version's text, and r.From's for a redline
}

func (x *exporter) make() ([]byte, error) {
	switch x.r.Kind {
	case Clean:
		switch x.r.Format {
		case TXT:
			return []byte(x.text), nil
		case DOCX:
			return x.cleanDocx()
		case HTML:
			return x.cleanHTML(), nil
		}
	case Redline:
		if x.r.Format == DOCX {
			return x.redlineDocx()
		}
		return x.redlineHTML(), nil
	case Bracketed:
		switch x.r.Format {
		case TXT:
			return []byte(Brackets(x.text, x.bracketRanges()).Text), nil
		case DOCX:
			return x.bracketedDocx()
		case HTML:
			return x.bracketedHTML(), nil
		}
	case Record:
		if x.r.Format == JSON {
			return x.recordJSON()
		}
		return x.recordHTML(), nil
	}
	return nil, fmt.Errorf("export: no %s %s", x.r.Kind, x.r.Format) // Check let it through: a bug
}

// partyName returns a party's name from the snapshot (its id if unnamed).
func (x *exporter) partyName(p mra.PartyID) string {
	for _, party := range x.v.Snapshot.Parties {
		if party.ID == p && party.Name != "" {
			return party.Name
		}
	}
	return string(p)
}

// fileName is "<title> v<N> <kind>.<ext>" ("v<M>-v<N>" for a redline), with
// "internal" added when the file holds internal threads.
func (x *exporter) fileName() string {
	title := strings.TrimSpace(x.v.Snapshot.Negotiation.Title)
	if title == "" {
		title = "negotiation"
	}
	vs := "v" + strconv.Itoa(x.r.Version)
	if x.r.Kind == Redline {
		vs = "v" + strconv.Itoa(x.r.From) + "-v" + strconv.Itoa(x.r.Version)
	}
	name := title + " " + vs + " " + string(x.r.Kind)
	if x.r.Internal {
		name += " internal"
	}
	return name + "." + string(x.r.Format)
}

// asciiName keeps ASCII letters and digits, '.' and '_', and turns every
// other run of characters into one '-': a name safe in any quoted header
// and on any file system.
func asciiName(name string) string {
	ext := name[strings.LastIndexByte(name, '.'):]
	base := strings.TrimSuffix(name, ext)
	var b strings.Builder
	dash := false
	for _, c := range base {
		if c < unicode.MaxASCII && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(c)
			dash = false
			continue
		}
		dash = true
	}
	s := b.String()
	if len(s) > 100 {
		s = strings.TrimRight(s[:100], "-.")
	}
	if s == "" {
		s = "export"
	}
	return s + ext
}
