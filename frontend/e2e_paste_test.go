package frontend_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"mra/diff/difftest"
)

// TestLongPasteIsFoldedAway: pasting a 3 MB revision hides the editor
// before the browser lays the text out, says what was pasted and puts the
// focus on the way back; the preview is the draft's; the text comes back
// intact on request; and the pasted text is what is proposed.
func TestLongPasteIsFoldedAway(t *testing.T) {
	pair := difftest.Agreement(2000)
	e := newEnv(t)
	usNeg := e.api("us-neg")
	id := usNeg.negotiation("Reference agreement", pair.Old)

	us := e.page("us-neg")
	us.login("us-neg")
	us.room(id)
	us.click(`.tab[data-tab="propose"]`)
	us.waitJS("the draft, prefilled with version 1", `document.querySelector('#draft').value.length === `+fmt.Sprint(len(pair.Old)), 10*time.Second)

	// A long text starts folded: never laid out in the editor.
	if !evalIn[bool](us, `document.querySelector('#draft').hidden && document.querySelector('#draft').getClientRects().length === 0`) {
		t.Fatal("the 3 MB text of version 1 is laid out in the editor")
	}
	us.waitText("#draft-folded", "Your draft starts as version 1’s text, "+commas(len([]rune(pair.Old)))+" characters", 2*time.Second)

	// A paste onto the folded notice replaces the draft, still folded.
	evalIn[bool](us, `(() => { const b = document.querySelector('#draft-show'); const dt = new DataTransfer(); dt.setData('text/plain', 'A short revision.'); b.dispatchEvent(new ClipboardEvent('paste', {clipboardData: dt, bubbles: true, cancelable: true})); return true; })()`)
	if got := evalIn[string](us, `document.querySelector('#draft').value`); got != "A short revision." {
		t.Fatalf("a paste on the folded notice left the draft %.40q", got)
	}
	us.waitJS("the preview of the short paste", `document.querySelector('#preview').dataset.state === 'current' && document.querySelector('#preview').dataset.rev === document.querySelector('#draft').dataset.rev`, 20*time.Second)
	if evalIn[bool](us, `!document.querySelector('#draft').hidden`) {
		t.Fatal("a paste on the folded notice unfolded the editor")
	}
	us.click("#draft-show")
	if !us.focused("#draft") {
		t.Fatal("\"Show the text\" did not put the cursor in the editor")
	}

	// Typing, even a long run of it, never folds the editor.
	evalIn[bool](us, `(() => { const d = document.querySelector('#draft'); d.focus(); d.value += ' more'; d.dispatchEvent(new InputEvent('input', {bubbles: true, inputType: 'insertText', data: ' more'})); return true; })()`)
	if evalIn[bool](us, `document.querySelector('#draft').hidden || !document.querySelector('#draft-folded').hidden`) {
		t.Fatal("typing folded the editor")
	}

	// The paste, as the browser reports one.
	evalIn[bool](us, `(() => { const d = document.querySelector('#draft'); d.focus(); d.value = `+jsString(pair.New)+`; d.dispatchEvent(new InputEvent('input', {bubbles: true, inputType: 'insertFromPaste'})); return true; })()`)
	if !evalIn[bool](us, `document.querySelector('#draft').hidden && document.querySelector('#draft').getClientRects().length === 0`) {
		t.Fatal("after a 3 MB paste the editor is still laid out")
	}
	us.waitText("#draft-folded", fmt.Sprintf("You pasted a text of %s characters", commas(len([]rune(pair.New)))), 2*time.Second)
	if !us.focused("#draft-show") {
		t.Error("after the paste the focus is not on \"Show the text to edit it\"")
	}
	us.waitJS("the preview of the paste", `document.querySelector('#preview').dataset.state === 'current' && document.querySelector('#preview').dataset.rev === document.querySelector('#draft').dataset.rev`, 20*time.Second)
	if s := us.text("#preview-summary"); strings.Contains(s, "No changes") || !strings.Contains(s, "Against version 1") {
		t.Errorf("the preview summary says %q", s)
	}
	if role, name := evalIn[string](us, `document.querySelector('#draft-folded').getAttribute('role')`), us.text("#draft-show"); role != "status" || name != "Show the text to edit it" {
		t.Errorf("the folded notice is %q with button %q", role, name)
	}

	// Back to the text, by keyboard: intact, with the cursor in it.
	us.press("\r")
	if !us.focused("#draft") || evalIn[bool](us, `document.querySelector('#draft').hidden || !document.querySelector('#draft-folded').hidden`) {
		t.Fatal("\"Show the text\" did not bring the editor back with the cursor in it")
	}
	if got := evalIn[string](us, `document.querySelector('#draft').value`); got != pair.New {
		t.Fatalf("the editor holds %d characters, not the %d pasted", len(got), len(pair.New))
	}

	// Folded again, the pasted text is what is sent.
	evalIn[bool](us, `(() => { const d = document.querySelector('#draft'); d.value = `+jsString(pair.New)+`; d.dispatchEvent(new InputEvent('input', {bubbles: true, inputType: 'insertFromPaste'})); return true; })()`)
	us.setValue("#draft-note", "the revision, pasted")
	us.click("#propose-submit")
	us.waitJS("version 2", `document.querySelector('#version-select') && [...document.querySelectorAll('#version-select option')].some(o => o.textContent.startsWith('Version 2'))`, 20*time.Second)
	if s := usNeg.snapshot(id); len(s.Versions) != 2 || s.Versions[1].Length != len([]rune(pair.New)) {
		t.Fatalf("versions after sending the folded paste: %+v", s.Versions)
	}
}
