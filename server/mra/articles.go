package mra

import (
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Per-article review carry (server/README "Per-article review carry"): a
// legal reviewer who approved one version re-reads in a later one only the
// articles that changed. What carries is the review, never the approval:
// the gate counts approvals bound to the latest version's SHA-256 alone.

// Article is one article of a text: from its heading line to the next
// heading (or the text's end), in code points; Title is the heading with
// its short title line, as the page's outline shows it.
type Article struct {
	Index int    `json:"index"`
	Title string `json:"title"`
	Start int    `json:"start"`
	End   int    `json:"end"`

	head string // the heading line, trimmed: what names the article across versions
	body string // its text, without the whitespace at its end
}

// heading is the page's outline rule (frontend text.js): "Article 7",
// "ANNEX II", "Chapter 2: Scope", "Preamble", or a Markdown heading; not
// "Article 3 shall apply", which is a sentence. Compiled when first needed,
// not when every command of the binary starts.
var heading = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^\s{0,3}(?:(?:Article|ARTICLE|Art\.|Annex|ANNEX|Appendix|APPENDIX|Chapter|CHAPTER|Section|SECTION|Part|PART|Schedule|SCHEDULE)` +
		`\s+(?:[0-9]+|[IVXLC]+|[A-Z])(?:\.[0-9]+)*\.?(?:\s*[-\x{2013}\x{2014}:.]\s*\S.{0,80})?|Preamble|PREAMBLE|#{1,6}\s+\S.*)\s*$`)
})

func isHeading(line string) bool {
	if utf8.RuneCountInString(line) > 120 {
		return false
	}
	t := strings.TrimLeft(line, " \t")
	if t == "" || !strings.ContainsRune("AaCSPp#", rune(t[0])) { // cheap: most lines are prose
		return false
	}
	return heading().MatchString(line)
}

// isTitleLine reports whether a (trimmed) line after a heading is its short
// title: "Exchange of information", not a numbered paragraph.
func isTitleLine(sub string) bool {
	return sub != "" && utf8.RuneCountInString(sub) <= 80 && !strings.ContainsRune("0123456789(", rune(sub[0])) &&
		!strings.ContainsAny(sub[len(sub)-1:], ".;:") && !isHeading(sub)
}

// Articles cuts a text at its heading lines. Text before the first heading
// that holds words is an opening article; a text with no heading is one.
func Articles(t *Text) []Article {
	s := t.String()
	type entry struct {
		head, title string
		start       int
	}
	var entries []entry
	for pos := 0; pos <= len(s); {
		nl := strings.IndexByte(s[pos:], '\n')
		end := len(s)
		if nl >= 0 {
			end = pos + nl
		}
		if line := s[pos:end]; isHeading(line) {
			head := strings.TrimSpace(line)
			title := strings.TrimSpace(strings.TrimLeft(head, "#"))
			if !strings.HasPrefix(head, "#") && end < len(s) {
				next := s[end+1:]
				if k := strings.IndexByte(next, '\n'); k >= 0 {
					next = next[:k]
				}
				if sub := strings.TrimSpace(next); isTitleLine(sub) {
					title += " · " + sub
				}
			}
			entries = append(entries, entry{head, title, pos})
		}
		if nl < 0 {
			break
		}
		pos = end + 1
	}
	first := len(s)
	if len(entries) > 0 {
		first = entries[0].start
	}
	if opening := strings.TrimSpace(s[:first]); opening != "" {
		line, _, _ := strings.Cut(opening, "\n")
		line = strings.TrimSpace(line)
		if utf8.RuneCountInString(line) > 60 {
			line = string([]rune(line)[:57]) + "…"
		}
		entries = append([]entry{{"", line, 0}}, entries...)
	}
	out := make([]Article, len(entries))
	for k, e := range entries {
		end := len(s)
		if k+1 < len(entries) {
			end = entries[k+1].start
		}
		out[k] = Article{Index: k, Title: e.title, Start: t.pointAt(e.start), End: t.pointAt(end),
			head: e.head, body: strings.TrimRightFunc(s[e.start:end], isSpace)}
	}
	return out
}

// Article states in a carry.
const (
	ArticleUnchanged = "unchanged" // the same words are in the earlier version
	ArticleChanged   = "changed"   // an article of the same heading is, with other words
	ArticleNew       = "new"
)

// CarriedArticle is one article of the later version and its state.
type CarriedArticle struct {
	Article
	State string `json:"state"`
}

// Carry compares the articles of a later text with an earlier one's:
// each later article is unchanged when the earlier text holds the same
// article, character for character but for the whitespace at its end;
// changed when an earlier article of the same heading is left; else new.
// Removed are the earlier articles left over, by title.
func Carry(from, to *Text) (articles []CarriedArticle, removed []string) {
	old := Articles(from)
	same := make(map[string][]int, len(old)) // body → earlier articles
	for k, a := range old {
		same[a.body] = append(same[a.body], k)
	}
	used := make([]bool, len(old))
	now := Articles(to)
	articles = make([]CarriedArticle, len(now))
	for k, a := range now {
		articles[k] = CarriedArticle{Article: a, State: ArticleNew}
		if ks := same[a.body]; len(ks) > 0 {
			used[ks[0]], same[a.body] = true, ks[1:]
			articles[k].State = ArticleUnchanged
		}
	}
	byHead := map[string][]int{}
	for k, a := range old {
		if !used[k] {
			byHead[a.head] = append(byHead[a.head], k)
		}
	}
	for k := range articles {
		a := &articles[k]
		if a.State != ArticleNew {
			continue
		}
		if ks := byHead[a.head]; len(ks) > 0 {
			used[ks[0]], byHead[a.head] = true, ks[1:]
			a.State = ArticleChanged
		}
	}
	for k, a := range old {
		if !used[k] {
			removed = append(removed, a.Title)
		}
	}
	return articles, removed
}

// ReviewCarry is the read of a carry (GET .../review-carry) and, without
// its articles, what a sign-off that carries records.
type ReviewCarry struct {
	Version   int              `json:"version"`
	SHA256    string           `json:"sha256"`
	From      *CarriedFrom     `json:"from"`
	Articles  []CarriedArticle `json:"articles"`
	Unchanged int              `json:"unchanged"`
	Changed   int              `json:"changed"`
	Added     int              `json:"added"`
	Removed   []string         `json:"removed"`
}

// CarriedFrom is the version a carry starts from, and when the reader
// approved it (null for a version compared with that the reader did not).
type CarriedFrom struct {
	Version int        `json:"version"`
	SHA256  string     `json:"sha256"`
	At      *time.Time `json:"at"`
}

// SignOffCarry is what a sign-off that carries records: the approved
// version it carries from, and the articles by state (their titles).
type SignOffCarry struct {
	From       int      `json:"from"`
	FromSHA256 string   `json:"from_sha256"`
	Unchanged  int      `json:"unchanged"`
	Changed    []string `json:"changed"`
	Added      []string `json:"added"`
	Removed    []string `json:"removed"`
}

// Approval returns user's standing approval of version v: their latest
// sign-off on it, when it approves v's text.
func (n *Negotiation) Approval(user UserID, v int) *SignOff {
	if v < 1 || v > len(n.Versions) {
		return nil
	}
	for k := range n.SignOffs {
		s := &n.SignOffs[k]
		if s.User == user && s.Version == v && s.Decision == Approve && s.SHA256 == n.Versions[v-1].SHA256 {
			return s
		}
	}
	return nil
}

// LastApproval returns the latest version before v that user approved, or 0.
func (n *Negotiation) LastApproval(user UserID, v int) int {
	for k := min(v, len(n.Versions)+1) - 1; k >= 1; k-- {
		if n.Approval(user, k) != nil {
			return k
		}
	}
	return 0
}

// NewReviewCarry compares the text of version to with the text of the
// approved version a carry starts from (from nil: no approval to carry
// from, and every article is new).
func NewReviewCarry(to Version, toText *Text, from *CarriedFrom, fromText *Text) ReviewCarry {
	rc := ReviewCarry{Version: to.Number, SHA256: to.SHA256, From: from, Removed: []string{}}
	if from == nil {
		for _, a := range Articles(toText) {
			rc.Articles = append(rc.Articles, CarriedArticle{Article: a, State: ArticleNew})
		}
	} else {
		var removed []string
		rc.Articles, removed = Carry(fromText, toText)
		if removed != nil {
			rc.Removed = removed
		}
	}
	if rc.Articles == nil {
		rc.Articles = []CarriedArticle{}
	}
	var changed, added []string
	rc.Unchanged, changed, added = byState(rc.Articles)
	rc.Changed, rc.Added = len(changed), len(added)
	return rc
}

// byState counts a carry's unchanged articles and names its changed and
// new ones.
func byState(arts []CarriedArticle) (unchanged int, changed, added []string) {
	changed, added = []string{}, []string{}
	for _, a := range arts {
		switch a.State {
		case ArticleUnchanged:
			unchanged++
		case ArticleChanged:
			changed = append(changed, a.Title)
		default:
			added = append(added, a.Title)
		}
	}
	return unchanged, changed, added
}

// signOffCarry is sign_off's carry from the actor's approval of version
// from onto the version signed off: bad_request unless the actor approved
// from, an earlier version.
func (d *decider) signOffCarry(v *Version) (*SignOffCarry, error) {
	from := *d.cmd.CarriedFrom
	if from < 1 || from >= v.Number {
		return nil, badRequest("carried_from must be an earlier version than %d", v.Number)
	}
	if d.n.Approval(d.in.Actor.ID, from) == nil {
		return nil, badRequest("carried_from: you have no standing approval of version %d to carry", from)
	}
	ft, tt := d.in.Texts[from], d.in.Texts[v.Number]
	if ft == nil || tt == nil {
		return nil, Errorf(CodeInternal, "the texts to carry between are not at hand")
	}
	arts, removed := Carry(ft, tt)
	c := &SignOffCarry{From: from, FromSHA256: d.n.Versions[from-1].SHA256, Removed: []string{}}
	c.Unchanged, c.Changed, c.Added = byState(arts)
	if removed != nil {
		c.Removed = removed
	}
	return c, nil
}
