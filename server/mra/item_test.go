package mra

import (
	"encoding/json"
	"strings"
	"testing"
)

// item decodes a command's item from JSON, as ParseCommand would.
func item(t *testing.T, js string) *ItemArg {
	t.Helper()
	var a ItemArg
	if err := json.Unmarshal([]byte(js), &a); err != nil {
		t.Fatal(err)
	}
	return &a
}

func TestItemRules(t *testing.T) {
	for _, tc := range []struct {
		name, user, item string
		code             Code
	}{
		{"a prerequisite", "us-neg", `{"kind":"prerequisite","program":"SG","prerequisite":"cmaa","met":true,"evidence":"CMAA in force since 2008-06-26"}`, ""},
		{"a prerequisite of a stranger's program", "us-neg", `{"kind":"prerequisite","program":"EX","prerequisite":"cmaa"}`, CodeBadRequest},
		{"an unknown prerequisite", "us-neg", `{"kind":"prerequisite","program":"SG","prerequisite":"goodwill"}`, CodeBadRequest},
		{"a prerequisite without a program", "us-neg", `{"kind":"prerequisite","prerequisite":"cmaa"}`, CodeBadRequest},
		{"a factor", "sg-neg", `{"kind":"factor","factor":"trade_volume","text":"USD 40 bn a year"}`, ""},
		{"an unknown factor", "sg-neg", `{"kind":"factor","factor":"weather","text":"x"}`, CodeBadRequest},
		{"a step", "us-neg", `{"kind":"step","text":"Exchange the criteria","owner":"SG","due":"2027-03-31"}`, ""},
		{"a step without text", "us-neg", `{"kind":"step","owner":"SG","due":"2027-03-31"}`, CodeBadRequest},
		{"a step owned by a stranger", "us-neg", `{"kind":"step","text":"x","owner":"EX"}`, CodeBadRequest},
		{"a step due on no date", "us-neg", `{"kind":"step","text":"x","owner":"SG","due":"31/03/2027"}`, CodeBadRequest},
		{"a step with a sector", "us-neg", `{"kind":"step","text":"x","owner":"SG","sector":"importer"}`, CodeBadRequest},
		{"a benefit", "us-neg", `{"kind":"benefit","text":"Fewer examinations"}`, ""},
		{"an observation", "sg-neg", `{"kind":"observation","date":"2027-05-04","place":"Long Beach","sector":"importer","observer":"SG","findings":"Seals checked","outcome":"satisfactory"}`, ""},
		{"an observation of no sector", "sg-neg", `{"kind":"observation","date":"2027-05-04","sector":"bakery","observer":"SG","findings":"x"}`, CodeBadRequest},
		{"an observation without findings", "sg-neg", `{"kind":"observation","date":"2027-05-04","sector":"importer","observer":"SG"}`, CodeBadRequest},
		{"an observation without a date", "sg-neg", `{"kind":"observation","sector":"importer","observer":"SG","findings":"x"}`, CodeBadRequest},
		{"a procedure", "us-neg", `{"kind":"procedure","text":"Monthly list of members"}`, ""},
		{"a text too long", "us-neg", `{"kind":"procedure","text":"` + strings.Repeat("x", MaxItemChars+1) + `"}`, CodeBadRequest},
		{"no kind", "us-neg", `{"text":"x"}`, CodeBadRequest},
		{"an id on add", "us-neg", `{"id":"it-1","kind":"benefit","text":"x"}`, CodeBadRequest},
		{"by a legal reviewer", "us-legal", `{"kind":"benefit","text":"x"}`, CodeForbidden},
		{"by a stranger", "ex-neg", `{"kind":"benefit","text":"x"}`, CodeNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newPFixture(t)
			r, err := f.do(UserID(tc.user), Command{Type: CmdAddItem, Item: item(t, tc.item)})
			if tc.code != "" {
				if err == nil || err.Code != tc.code {
					t.Fatalf("got %v, want %s", err, tc.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			it := r.(map[string]any)["item"].(*Item)
			if it.ID == "" || it.Stage != itemStage[it.Kind] || it.Author != UserID(tc.user) {
				t.Errorf("item %+v", it)
			}
		})
	}
}

// Items change by update_item, benefits are agreed by each side (again
// after their words change), and the validation stage counts its sectors.
func TestItemLife(t *testing.T) {
	f := newPFixture(t)
	add := func(user UserID, js string) *Item {
		t.Helper()
		return f.must(user, Command{Type: CmdAddItem, Item: item(t, js)}).(map[string]any)["item"].(*Item)
	}
	pre := add("us-neg", `{"kind":"prerequisite","program":"SG","prerequisite":"cmaa"}`)
	if _, err := f.do("us-neg", Command{Type: CmdAddItem, Item: item(t, `{"kind":"prerequisite","program":"SG","prerequisite":"cmaa"}`)}); err == nil {
		t.Error("a prerequisite listed twice")
	}
	f.must("sg-neg", Command{Type: CmdUpdateItem, Item: item(t, `{"id":"`+pre.ID+`","met":true,"evidence":"CMAA in force since 2008-06-26"}`)})
	if got := f.p.item(pre.ID); !got.Met || got.Evidence == "" || got.Author != "us-neg" {
		t.Errorf("prerequisite after update: %+v", got)
	}
	for _, bad := range []string{`{"id":"` + pre.ID + `","program":"US"}`, `{"id":"` + pre.ID + `","kind":"step"}`, `{"id":"it-none","met":true}`} {
		if _, err := f.do("sg-neg", Command{Type: CmdUpdateItem, Item: item(t, bad)}); err == nil {
			t.Errorf("update %s was accepted", bad)
		}
	}

	b := add("us-neg", `{"kind":"benefit","text":"Fewer examinations"}`)
	if got := f.p.item(b.ID).AgreedBy; len(got) != 1 || got[0] != "US" {
		t.Errorf("a new benefit is agreed by %v, want its party", got)
	}
	f.must("sg-neg", Command{Type: CmdAgreeItem, Item: &ItemArg{ID: b.ID}})
	n := len(f.events)
	f.must("sg-neg", Command{Type: CmdAgreeItem, Item: &ItemArg{ID: b.ID}})
	if len(f.events) != n {
		t.Error("agreeing twice made an event")
	}
	if got := f.p.item(b.ID).AgreedBy; len(got) != 2 {
		t.Errorf("agreed by %v", got)
	}
	f.must("sg-neg", Command{Type: CmdUpdateItem, Item: item(t, `{"id":"`+b.ID+`","text":"Fewer examinations and priority at the border"}`)})
	if got := f.p.item(b.ID).AgreedBy; len(got) != 1 || got[0] != "SG" {
		t.Errorf("after new words the benefit is agreed by %v, want the party that changed it", got)
	}
	if _, err := f.do("us-neg", Command{Type: CmdAgreeItem, Item: &ItemArg{ID: pre.ID}}); err == nil {
		t.Error("a prerequisite was agreed")
	}

	add("sg-neg", `{"kind":"observation","date":"2027-05-04","sector":"importer","observer":"SG","findings":"Seals checked"}`)
	add("sg-neg", `{"kind":"observation","date":"2027-05-05","sector":"importer","observer":"SG","findings":"Records kept"}`)
	add("us-neg", `{"kind":"observation","date":"2027-06-01","sector":"carrier","observer":"US","findings":"Container yard"}`)
	v := f.p.View("SG")
	c := v.Stages[4].Coverage
	if v.Stages[4].Stage != StageValidation || c == nil || c.BySector["importer"] != 2 || c.BySector["carrier"] != 1 || strings.Join(c.Missing, ",") != "consolidator" {
		t.Errorf("coverage %+v", c)
	}
	if len(v.Stages[0].Items) != 1 || len(v.Stages[2].Items) != 1 || len(v.Stages[4].Items) != 3 {
		t.Errorf("items by stage: %d %d %d", len(v.Stages[0].Items), len(v.Stages[2].Items), len(v.Stages[4].Items))
	}
	step := add("us-neg", `{"kind":"step","text":"Exchange the criteria","owner":"SG","due":"2027-03-31"}`)
	f.must("sg-neg", Command{Type: CmdUpdateItem, Item: item(t, `{"id":"`+step.ID+`","done":true}`)})
	if got := f.p.item(step.ID); !got.Done || got.Text != "Exchange the criteria" || got.Due != "2027-03-31" {
		t.Errorf("step after update: %+v", got)
	}

	checkFold(t, f)
}
