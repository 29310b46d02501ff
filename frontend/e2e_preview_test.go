package frontend_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"

	"mra/diff/difftest"
)

// wireOp is one op of a redline as the server sends it.
type wireOp struct {
	Op   string `json:"op"`
	Text string `json:"text"`
	Move int    `json:"move"`
	Edit bool   `json:"edit"`
}

// redlineFacts is what a redline holds, counted as the page counts it
// (redline.js): ops with words, moved passages, numbered changes (a run
// of plain deletions and insertions with words, or one side of a move),
// and for each change the article whose heading it stands under in the
// new text (the last "Article N" line ended before it).
type redlineFacts struct {
	Insert, Delete, Move, Changes int
	Articles                      []string
}

var articleLine = regexp.MustCompile(`(?m)^Article (\d+)$`)

func factsOf(ops []wireOp) redlineFacts {
	var f redlineFacts
	words := func(s string) bool {
		return strings.IndexFunc(s, func(r rune) bool { return !unicode.IsSpace(r) }) >= 0
	}
	moves := map[int]bool{}
	var seen strings.Builder // the new text so far
	article := ""
	lastLine := 0 // where the unfinished line of seen starts
	advance := func(s string) {
		for _, line := range strings.SplitAfter(s, "\n") {
			seen.WriteString(line)
			if strings.HasSuffix(line, "\n") {
				full := seen.String()[lastLine : seen.Len()-1]
				if m := articleLine.FindStringSubmatch(full); m != nil && m[0] == full {
					article = m[1]
				}
				lastLine = seen.Len()
			}
		}
	}
	numbered := func(k int) bool {
		for j := k; j < len(ops) && ops[j].Op != "equal" && ops[j].Move == 0; j++ {
			if words(ops[j].Text) {
				return true
			}
		}
		return false
	}
	open := false
	for k, op := range ops {
		switch {
		case op.Op == "equal":
			open = false
		case op.Move != 0:
			moves[op.Move] = true
			if k == 0 || ops[k-1].Op != op.Op || ops[k-1].Move != op.Move {
				f.Changes++
				f.Articles = append(f.Articles, article)
			}
			open = false
		default:
			if words(op.Text) {
				if op.Op == "insert" {
					f.Insert++
				} else {
					f.Delete++
				}
			}
			if !open && numbered(k) {
				f.Changes++
				f.Articles = append(f.Articles, article)
				open = true
			}
		}
		if op.Op != "delete" {
			advance(op.Text)
		}
	}
	f.Move = len(moves)
	return f
}

// describe is redline.js's describeCounts.
func (f redlineFacts) describe() string {
	var parts []string
	plural := func(n int, one, many string) string {
		if n == 1 {
			return fmt.Sprintf("%d %s", n, one)
		}
		return fmt.Sprintf("%d %s", n, many)
	}
	if f.Insert > 0 {
		parts = append(parts, plural(f.Insert, "insertion", "insertions"))
	}
	if f.Delete > 0 {
		parts = append(parts, plural(f.Delete, "deletion", "deletions"))
	}
	if f.Move > 0 {
		parts = append(parts, plural(f.Move, "moved passage", "moved passages"))
	}
	return strings.Join(parts, ", ") + "."
}

// changeWords is, in the page, the text of every change of a redline in
// order (sr-only labels and move tags aside), as one string.
func changeWords(sel string) string {
	return fmt.Sprintf(`(() => {
		const text = (e) => { const c = e.cloneNode(true); c.querySelectorAll('.sr-only, .move-tag').forEach(x => x.remove()); return c.textContent; };
		return [...document.querySelectorAll(%s + ' ins, ' + %s + ' del')].filter(e => !e.parentElement.closest('ins, del'))
			.map(e => e.tagName + ':' + text(e)).join('|');
	})()`, jsString(sel), jsString(sel))
}

// headingsSeen is, in the page, for each numbered change of a drawn
// redline, the last "Article N" line that the visible new text (deletions,
// labels, tags and fold buttons aside) ended before it.
const headingsSeen = `(() => {
	const el = document.querySelector('#redline');
	const starts = new Set([...el.querySelectorAll('[data-change]')]);
	const out = []; let line = '', article = '';
	const skip = (n) => n.nodeType === 1 && (n.matches('del, .sr-only, .move-tag, button'));
	const walk = (n) => {
		if (n.nodeType === 3) {
			for (const ch of n.data) {
				if (ch === '\n') { const m = line.match(/^Article (\d+)$/); if (m) article = m[1]; line = ''; } else line += ch;
			}
			return;
		}
		if (starts.has(n)) out.push(article);
		if (skip(n)) return;
		for (const c of n.childNodes) walk(c);
	};
	walk(el);
	return out;
})()`

// TestPreviewIsTheStoredRedlineAtSize: on the reference agreement (3 MB,
// 1 % of words edited), the preview of the revision shows the very ops of
// the stored redline after proposing (counts, moves, every changed word);
// a draft that edits an agreed clause is told which consensus it voids
// (linked) and can still be sent, one that edits elsewhere is not; a
// preview is never shown as current for an earlier draft. Then the compare view of the pair: next /
// previous change with a count, by keys and buttons, and "Changes only"
// keeping each change's article heading.
func TestPreviewIsTheStoredRedlineAtSize(t *testing.T) {
	pair := difftest.Agreement(2000)
	e := newEnv(t)
	usNeg, sgNeg := e.api("us-neg"), e.api("sg-neg")
	id := usNeg.negotiation("Reference agreement", pair.Old)
	// An agreed consensus on the first sentence of Article 1, paragraph 1.
	first := strings.Index(pair.Old, "1. ") + 3
	sentence := pair.Old[first : first+strings.Index(pair.Old[first:], ".")]
	quote := strings.Join(strings.Fields(sentence)[:4], " ")
	agreed := usNeg.comment(id, 1, pair.Old, quote, "consensus", "shared", "Agreed on the call.")
	sgNeg.do("concur", map[string]any{"negotiation": id, "thread": agreed})
	secret := sgNeg.comment(id, 1, pair.Old, quote, "consensus", "internal", "SG's own note")

	us := e.page("us-neg")
	us.login("us-neg")
	us.room(id)
	us.click(`.tab[data-tab="propose"]`)
	us.waitJS("the editor, prefilled with version 1", `document.querySelector('#draft').value.length === `+fmt.Sprint(len(pair.Old)), 10*time.Second)

	// The watch: whenever the preview says it is current, it is for the
	// draft as it stands.
	evalIn[bool](us, `(() => {
		const p = document.querySelector('#preview'), d = document.querySelector('#draft');
		window.__stale = [];
		const check = () => { if (p.dataset.state === 'current' && p.dataset.rev !== d.dataset.rev) window.__stale.push(p.dataset.rev + ' for ' + d.dataset.rev); };
		new MutationObserver(check).observe(p, { attributes: true });
		new MutationObserver(check).observe(d, { attributes: true });
		return true;
	})()`)
	current := `document.querySelector('#preview').dataset.state === 'current' && document.querySelector('#preview').dataset.rev === document.querySelector('#draft').dataset.rev`

	// A draft that edits the agreed clause: the warning, before Send.
	word := strings.Fields(sentence)[1]
	inClause := pair.Old[:first] + strings.Replace(pair.Old[first:], " "+word+" ", " "+word+" provisionally ", 1)
	us.setValue("#draft", inClause)
	if st := us.text("#preview-summary"); !strings.Contains(st, "out of date") {
		t.Errorf("just after an edit the summary says %q, want it out of date", st)
	}
	us.waitJS("the preview of the edit in the agreed clause", current, 20*time.Second)
	us.waitText("#draft-voids", "This proposal voids 1 agreed clause", 2*time.Second)
	if href := evalIn[string](us, `document.querySelector('#draft-voids a').getAttribute('href')`); !strings.HasSuffix(href, "/t/"+agreed) {
		t.Errorf("the void links to %q, want thread %s", href, agreed)
	}
	if body := us.text("#draft-voids"); !strings.Contains(body, quote) || strings.Contains(body, "internal") || strings.Contains(evalIn[string](us, `document.querySelector('#draft-voids').innerHTML`), secret) {
		t.Errorf("the voids say %q (quote %q, no SG internal thread)", body, quote)
	}
	if got := evalIn[int](us, `document.querySelectorAll('#preview ins').length`); got != 1 || !strings.Contains(us.text("#preview ins"), "provisionally") {
		t.Errorf("preview of a one-word edit: %d insertions (%q)", got, us.text("#preview ins"))
	}
	if d := evalIn[string](us, `document.querySelector('#propose-submit').getAttribute('aria-describedby') || ''`); !strings.Contains(d, "draft-voids") {
		t.Errorf("the Send button is described by %q, want the voids", d)
	}
	us.screenshot("19-preview-voids")

	// A draft that edits elsewhere (the last article): no warning.
	last := strings.LastIndex(pair.Old, "1. ") + 3
	elsewhere := pair.Old[:last] + strings.Replace(pair.Old[last:], " ", " duly ", 1)
	us.setValue("#draft", elsewhere)
	us.waitJS("the preview of the edit elsewhere", current, 20*time.Second)
	if !evalIn[bool](us, `document.querySelector('#draft-voids').hidden`) {
		t.Errorf("a draft that changes no agreed clause warns: %q", us.text("#draft-voids"))
	}

	// Two drafts in quick succession: the first one's answer, if it comes,
	// is never shown; the preview ends on the second: the revision, with
	// the agreed clause edited too.
	firstNew := strings.Index(pair.New, "1. ") + 3
	wordNew := strings.Fields(pair.New[firstNew:])[1]
	revision := pair.New[:firstNew] + strings.Replace(pair.New[firstNew:], " "+wordNew+" ", " "+wordNew+" provisionally ", 1)
	us.setValue("#draft", elsewhere+" ")
	time.Sleep(500 * time.Millisecond) // its request is on its way
	us.setValue("#draft", revision)
	us.waitJS("the preview of the revision", current, 30*time.Second)
	if stale := evalIn[[]string](us, `window.__stale`); len(stale) > 0 {
		t.Errorf("a preview was shown as current for an earlier draft: %v", stale)
	}
	previewSummary := us.text("#preview-summary")
	previewWords := evalIn[string](us, changeWords("#preview"))
	previewCount := us.text("#preview-change-count")
	us.waitText("#draft-voids", "This proposal voids 1 agreed clause", 2*time.Second)
	us.screenshot("20-preview-reference")

	us.click("#propose-submit")
	us.waitJS("the stored redline, drawn", `!document.querySelector('#view-compare').hidden && document.querySelector('#compare-summary').textContent.includes('version 2:') && !document.querySelector('#redline').hasAttribute('aria-busy')`, 30*time.Second)
	if st := usNeg.snapshot(id).Thread(agreed).Status; st != "void" {
		t.Errorf("after a proposal the preview said voids it, the agreed consensus is %s", st)
	}
	var stored struct {
		Ops []wireOp `json:"ops"`
	}
	usNeg.GetJSON("/api/negotiations/"+id+"/diff?from=1&to=2", &stored)
	facts := factsOf(stored.Ops)
	t.Logf("the reference redline: %s %d changes", facts.describe(), facts.Changes)
	if want := "Against version 1: " + facts.describe(); previewSummary != want {
		t.Errorf("preview summary %q, want %q", previewSummary, want)
	}
	if got := us.text("#compare-summary"); got != "Version 1 → version 2: "+facts.describe() {
		t.Errorf("compare summary %q, want %s", got, facts.describe())
	}
	if storedWords := evalIn[string](us, changeWords("#redline")); storedWords != previewWords || len(storedWords) < 10000 {
		t.Errorf("the preview's changed words (%d bytes) differ from the stored redline's (%d bytes)", len(previewWords), len(storedWords))
	}
	if strings.Contains(previewWords, "duly") || !strings.Contains(previewWords, "provisionally") {
		t.Errorf("the preview of the revision shows words of an earlier draft, or lacks its own")
	}
	count := fmt.Sprintf("%s changes", commas(facts.Changes))
	if previewCount != count || us.text("#compare-change-count") != count {
		t.Errorf("change counts: preview %q, compare %q, want %q", previewCount, us.text("#compare-change-count"), count)
	}

	// Next / previous change, by keyboard and by button.
	evalIn[bool](us, `(document.querySelector('#redline').focus(), true)`)
	us.press("n")
	us.waitText("#compare-change-count", "Change 1 of "+commas(facts.Changes), 5*time.Second)
	us.press("n")
	us.press("n")
	us.waitText("#compare-change-count", "Change 3 of ", 5*time.Second)
	us.press("p")
	us.waitText("#compare-change-count", "Change 2 of ", 5*time.Second)
	us.click("#compare-next-change")
	us.waitText("#compare-change-count", "Change 3 of ", 5*time.Second)
	if !evalIn[bool](us, `(() => {
		const a = document.activeElement, wrap = a.closest('.doc-wrap');
		if (!a.matches('ins.current-change, del.current-change') || a.dataset.change !== '2') return false;
		const r = a.getBoundingClientRect(), w = wrap.getBoundingClientRect();
		return r.top >= w.top && r.bottom <= w.bottom && document.querySelectorAll('.current-change').length >= 1;
	})()`) {
		t.Errorf("change 3 is not focused, marked and in view: focus on %s", evalIn[string](us, `document.activeElement.outerHTML.slice(0, 120)`))
	}
	if !evalIn[bool](us, `document.querySelector('#compare-prev-change').getAttribute('aria-keyshortcuts') === 'p' && document.querySelector('#compare-next-change').getAttribute('aria-keyshortcuts') === 'n'`) {
		t.Errorf("the change buttons do not name their keys")
	}
	us.screenshot("21-compare-next-change")
	us.checkA11y("compare at size")

	// Changes only: every change stands under its own article's heading.
	us.click("#changes-only")
	us.waitJS("the redline, changes only, drawn", `!!document.querySelector('#redline .fold') && !document.querySelector('#redline').hasAttribute('aria-busy')`, 30*time.Second)
	seen := evalIn[[]string](us, headingsSeen)
	if len(seen) != facts.Changes {
		t.Fatalf("%d numbered changes drawn, want %d", len(seen), facts.Changes)
	}
	wrong := 0
	for k := range seen {
		if seen[k] != facts.Articles[k] {
			if wrong < 3 {
				t.Errorf("change %d stands under Article %q, want Article %s", k+1, seen[k], facts.Articles[k])
			}
			wrong++
		}
	}
	if wrong > 0 {
		t.Errorf("%d of %d changes under another article's heading", wrong, len(seen))
	}
	if n := evalIn[int](us, `document.querySelectorAll('#redline .rl-heading').length`); n == 0 {
		t.Errorf("no heading kept where the fold hides one")
	}
	us.press("n")
	us.waitText("#compare-change-count", "Change 1 of ", 5*time.Second)
	us.shot("22-compare-changes-only", "#redline .rl-heading")
}

// commas writes n as the page does (en: 5,813).
func commas(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
