package export

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"mra/server/mra"
)

// RecordFile is the signing record of one version, as the json export
// holds it.
type RecordFile struct {
	Negotiation struct {
		ID    mra.NegotiationID `json:"id"`
		Title string            `json:"title"`
	} `json:"negotiation"`
	Parties    []RecordParty     `json:"parties"`
	Version    int               `json:"version"`
	SHA256     string            `json:"sha256"`
	Proposed   RecordProposed    `json:"proposed"`
	Status     mra.Status        `json:"status"` // the negotiation's, now
	Latest     bool              `json:"latest"` // whether the version is the latest
	SignOffs   []RecordSignOff   `json:"sign_offs"`
	Signatures []RecordSignature `json:"signatures"`
	Heads      struct {
		Shared mra.Head `json:"shared"`
	} `json:"heads"`
}

// RecordParty is a party of the negotiation.
type RecordParty struct {
	ID   mra.PartyID `json:"id"`
	Name string      `json:"name"`
}

// RecordProposed says who proposed the version, and when.
type RecordProposed struct {
	User  mra.UserID  `json:"user"`
	Name  string      `json:"name"`
	Party mra.PartyID `json:"party"`
	At    time.Time   `json:"at"`
}

// RecordSignOff is a reviewer's latest decision on the version. Body is
// there for a shared sign-off only (and, in an html record with internal,
// the viewing party's own internal ones).
type RecordSignOff struct {
	User       mra.UserID     `json:"user"`
	Name       string         `json:"name"`
	Party      mra.PartyID    `json:"party"`
	Decision   mra.Decision   `json:"decision"`
	Visibility mra.Visibility `json:"visibility"`
	Body       *string        `json:"body,omitempty"`
	At         time.Time      `json:"at"`
	SHA256     string         `json:"sha256"`
	// Carry: the reviewer's earlier approval whose review carried, and
	// which articles they re-read.
	Carry *mra.SignOffCarry `json:"carry,omitempty"`
}

// RecordSignature is a party's standing signature of the version.
type RecordSignature struct {
	User   mra.UserID  `json:"user"`
	Name   string      `json:"name"`
	Party  mra.PartyID `json:"party"`
	At     time.Time   `json:"at"`
	SHA256 string      `json:"sha256"`
}

func (x *exporter) name(u mra.UserID) string {
	if n, ok := x.v.Names[u]; ok && n != "" {
		return n
	}
	return string(u)
}

func (x *exporter) record() RecordFile {
	s := x.v.Snapshot
	var r RecordFile
	r.Negotiation.ID, r.Negotiation.Title = s.Negotiation.ID, s.Negotiation.Title
	r.Parties = []RecordParty{}
	for _, p := range s.Parties {
		r.Parties = append(r.Parties, RecordParty{ID: p.ID, Name: x.partyName(p.ID)})
	}
	m := x.meta
	r.Version, r.SHA256 = m.Number, m.SHA256
	r.Proposed = RecordProposed{User: m.Author, Name: x.name(m.Author), Party: m.Party, At: m.At.UTC()}
	r.Status, r.Latest = s.Negotiation.Status, m.Number == x.latest
	r.SignOffs, r.Signatures = []RecordSignOff{}, []RecordSignature{}
	for _, so := range s.SignOffs {
		if so.Version != m.Number || so.SHA256 != m.SHA256 {
			continue
		}
		o := RecordSignOff{User: so.User, Name: x.name(so.User), Party: so.Party, Decision: so.Decision,
			Visibility: so.Visibility, At: so.At.UTC(), SHA256: so.SHA256, Carry: so.Carry}
		if so.Body != nil && (so.Visibility == mra.Shared ||
			x.r.Internal && x.v.Party != "" && so.Party == x.v.Party) {
			body := *so.Body
			o.Body = &body
		}
		r.SignOffs = append(r.SignOffs, o)
	}
	for _, sg := range s.Signatures {
		if sg.Version != m.Number || sg.SHA256 != m.SHA256 {
			continue
		}
		r.Signatures = append(r.Signatures, RecordSignature{User: sg.User, Name: x.name(sg.User), Party: sg.Party,
			At: sg.At.UTC(), SHA256: sg.SHA256})
	}
	r.Heads.Shared = x.v.SharedHead
	return r
}

func (x *exporter) recordJSON() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(x.record()); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func (x *exporter) recordHTML() []byte {
	r := x.record()
	var b strings.Builder
	x.page(&b, "Signing record of version "+strconv.Itoa(r.Version), func() {
		b.WriteString("<main>\n<h2>Version</h2>\n<table>\n")
		row := func(k, v string) { b.WriteString("<tr><th scope=\"row\">" + esc(k) + "</th><td>" + v + "</td></tr>\n") }
		row("Negotiation", esc(r.Negotiation.Title)+" ("+esc(string(r.Negotiation.ID))+")")
		var ps []string
		for _, p := range r.Parties {
			ps = append(ps, esc(p.Name)+" ("+esc(string(p.ID))+")")
		}
		row("Parties", strings.Join(ps, "; "))
		row("Version", strconv.Itoa(r.Version))
		row("SHA-256", `<span class="sha">`+esc(r.SHA256)+`</span>`)
		row("Proposed", esc(r.Proposed.Name)+" ("+esc(string(r.Proposed.User))+"), "+esc(x.partyName(r.Proposed.Party))+", "+esc(stamp(r.Proposed.At)))
		latest := "yes"
		if !r.Latest {
			latest = "no: a later version has been proposed"
		}
		row("Latest version", latest)
		row("Status of the negotiation", esc(string(r.Status)))
		b.WriteString("</table>\n<h2>Sign-offs</h2>\n")
		if len(r.SignOffs) == 0 {
			b.WriteString("<p>No sign-off on this version.</p>\n")
		} else {
			b.WriteString("<table>\n<thead><tr><th scope=\"col\">Reviewer</th><th scope=\"col\">Party</th><th scope=\"col\">Decision</th><th scope=\"col\">At</th><th scope=\"col\">Visibility</th><th scope=\"col\">Remarks</th></tr></thead>\n<tbody>\n")
			for _, so := range r.SignOffs {
				body := ""
				if so.Body != nil {
					body = `<span class="text">` + esc(*so.Body) + `</span>`
					if so.Visibility == mra.Internal {
						body = "<strong>Internal — " + esc(x.partyName(so.Party)) + ":</strong> " + body
					}
				}
				if c := so.Carry; c != nil {
					body += carryRemark(c)
				}
				b.WriteString("<tr><td>" + esc(so.Name) + " (" + esc(string(so.User)) + ")</td><td>" + esc(x.partyName(so.Party)) +
					"</td><td>" + esc(decisionLabel(so.Decision)) + "</td><td>" + esc(stamp(so.At)) + "</td><td>" + esc(string(so.Visibility)) +
					"</td><td>" + body + "</td></tr>\n")
			}
			b.WriteString("</tbody>\n</table>\n")
		}
		b.WriteString("<h2>Signatures</h2>\n")
		if len(r.Signatures) == 0 {
			b.WriteString("<p>No signature on this version.</p>\n")
		} else {
			b.WriteString("<table>\n<thead><tr><th scope=\"col\">Signatory</th><th scope=\"col\">Party</th><th scope=\"col\">At</th><th scope=\"col\">SHA-256 signed</th></tr></thead>\n<tbody>\n")
			for _, sg := range r.Signatures {
				b.WriteString("<tr><td>" + esc(sg.Name) + " (" + esc(string(sg.User)) + ")</td><td>" + esc(x.partyName(sg.Party)) +
					"</td><td>" + esc(stamp(sg.At)) + "</td><td class=\"sha\">" + esc(sg.SHA256) + "</td></tr>\n")
			}
			b.WriteString("</tbody>\n</table>\n")
		}
		b.WriteString("<h2>Shared record</h2>\n<table>\n")
		row("Events on the shared stream", strconv.FormatUint(r.Heads.Shared.Seq, 10))
		row("Hash of the last one", `<span class="sha">`+esc(r.Heads.Shared.Hash)+`</span>`)
		b.WriteString("</table>\n<p>Anyone holding the shared event log can check this hash chain (<code>mra verify</code>).</p>\n</main>\n")
	})
	return []byte(b.String())
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// carryRemark says what a sign-off's review carried from.
func carryRemark(c *mra.SignOffCarry) string {
	var b strings.Builder
	b.WriteString(`<p class="carry">Review carried from the approval of version ` + strconv.Itoa(c.From) +
		` (SHA-256 <span class="sha">` + esc(c.FromSHA256) + `</span>): ` + strconv.Itoa(c.Unchanged) + ` articles unchanged since`)
	for _, part := range []struct {
		label  string
		titles []string
	}{{"re-read as changed", c.Changed}, {"read as new", c.Added}, {"removed", c.Removed}} {
		if len(part.titles) > 0 {
			b.WriteString("; " + part.label + ": " + esc(strings.Join(part.titles, "; ")))
		}
	}
	b.WriteString(".</p>")
	return b.String()
}

func decisionLabel(d mra.Decision) string {
	if d == mra.Approve {
		return "approve"
	}
	return "request changes"
}
