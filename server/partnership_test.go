package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"mra/server/mra"
	"mra/server/servertest"
)

type partnershipRead struct {
	Partnership  mra.PartnershipView   `json:"partnership"`
	Negotiations []mra.NegotiationView `json:"negotiations"`
}

func readPartnership(t *testing.T, c *servertest.Client, id string) (partnershipRead, string) {
	t.Helper()
	status, body := c.Get("/api/partnerships/" + id)
	if status != http.StatusOK {
		t.Fatalf("GET partnership as %s: %d %s", c.User, status, body)
	}
	var r partnershipRead
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatal(err)
	}
	return r, string(body)
}

// A partnership through its stages: created by a negotiator, stages marked
// by either side, notes shared or a party's own, its negotiation linked;
// over HTTP and the socket, idempotent, and the same after a restart.
func TestPartnership(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	us, sg := w.Login("us-neg"), w.Login("sg-neg")
	var created struct {
		Partnership string `json:"partnership"`
	}
	createCmd := map[string]any{"id": w.NextID(), "type": "create_partnership", "title": "CTPAT and STP", "parties": []string{"US", "SG"}}
	us.Must(createCmd, &created)
	id := created.Partnership
	if !strings.HasPrefix(id, "p-") {
		t.Fatalf("partnership id %q", id)
	}
	var again struct {
		Partnership string `json:"partnership"`
	}
	us.Must(createCmd, &again)
	if again.Partnership != id {
		t.Errorf("a repeated create made another partnership: %s", again.Partnership)
	}

	us.Must(map[string]any{"type": "mark_stage", "partnership": id, "stage": "evaluation", "status": "done"}, nil)
	sock := sg.Dial(t)
	ack := sock.Must(servertest.AnswerTo(sock.Send(map[string]any{"type": "mark_stage", "partnership": id, "stage": "work_plan", "status": "in_progress"})), "mark over the socket")
	if ack.Type != "ack" {
		t.Fatalf("mark_stage over the socket: %s", ack.Raw)
	}
	w.Login("us-legal").Must(map[string]any{"type": "stage_note", "partnership": id, "stage": "evaluation", "visibility": "shared", "body": "CMAA in force since 2008-06-26."}, nil)
	w.Login("us-legal").Must(map[string]any{"type": "stage_note", "partnership": id, "stage": "criteria", "visibility": "internal", "body": "US-ONLY their IT criteria look weak"}, nil)
	neg := us.Create(1)
	us.Must(map[string]any{"type": "link_negotiation", "partnership": id, "negotiation": neg}, nil)

	for _, c := range []*servertest.Client{us, sg} {
		r, raw := readPartnership(t, c, id)
		p := r.Partnership
		if p.Current != mra.StageWorkPlan || p.Stages[0].Status != mra.StageDone || p.Stages[0].By != "us-neg" || p.Stages[1].Party != "SG" {
			t.Errorf("as %s: stages %+v", c.User, p.Stages[:2])
		}
		if len(p.Stages[0].Notes) != 1 || len(r.Negotiations) != 1 || r.Negotiations[0].ID != mra.NegotiationID(neg) {
			t.Errorf("as %s: notes %+v, negotiations %+v", c.User, p.Stages[0].Notes, r.Negotiations)
		}
		if internal := strings.Contains(raw, "US-ONLY"); internal != (c.User == "us-neg") {
			t.Errorf("as %s: the US internal note shown %v", c.User, internal)
		}
	}
	// The list: statuses, no notes at all.
	status, body := sg.Get("/api/partnerships")
	if status != http.StatusOK || !strings.Contains(string(body), id) || strings.Contains(string(body), "US-ONLY") || strings.Contains(string(body), "CMAA") {
		t.Errorf("list: %d %s", status, body)
	}

	// Strangers see nothing and may do nothing.
	ex := w.Login("ex-neg")
	if status, _ := ex.Get("/api/partnerships/" + id); status != http.StatusNotFound {
		t.Errorf("a stranger reads the partnership: %d", status)
	}
	if _, body := ex.Get("/api/partnerships"); strings.Contains(string(body), id) {
		t.Errorf("a stranger's list holds it: %s", body)
	}
	ex.Fails(mra.CodeNotFound, map[string]any{"type": "mark_stage", "partnership": id, "stage": "benefits", "status": "done"})
	ex.Fails(mra.CodeNotFound, map[string]any{"type": "stage_note", "partnership": id, "stage": "benefits", "visibility": "shared", "body": "x"})

	// Bad input is refused and changes nothing.
	_, before := readPartnership(t, us, id)
	us.Fails(mra.CodeBadRequest, map[string]any{"type": "mark_stage", "partnership": id, "stage": "lunch", "status": "done"})
	us.Fails(mra.CodeBadRequest, map[string]any{"type": "mark_stage", "partnership": id, "stage": "benefits", "status": "almost"})
	us.Fails(mra.CodeBadRequest, map[string]any{"type": "stage_note", "partnership": id, "stage": "benefits", "visibility": "everyone", "body": "x"})
	w.Login("us-legal").Fails(mra.CodeForbidden, map[string]any{"type": "mark_stage", "partnership": id, "stage": "benefits", "status": "done"})
	us.Fails(mra.CodeBadRequest, map[string]any{"type": "mark_stage", "partnership": id, "stage": "benefits", "status": "done", "Status": "done"})
	w.Login("us-sign").Fails(mra.CodeForbidden, map[string]any{"type": "stage_note", "partnership": id, "stage": "benefits", "visibility": "shared", "body": "x"})
	var otherNeg struct {
		Negotiation string `json:"negotiation"`
	}
	us.Must(map[string]any{"type": "create_negotiation", "title": "US and EX", "parties": []string{"US", "EX"}}, &otherNeg)
	other := otherNeg.Negotiation
	us.Fails(mra.CodeBadRequest, map[string]any{"type": "link_negotiation", "partnership": id, "negotiation": other})
	w.Login("sg-neg").Fails(mra.CodeNotFound, map[string]any{"type": "link_negotiation", "partnership": id, "negotiation": other}) // SG is not in it
	us.Fails(mra.CodeBadRequest, map[string]any{"type": "create_partnership", "title": "x", "parties": []string{"US"}})
	if _, after := readPartnership(t, us, id); after != before {
		t.Error("refused commands changed the partnership")
	}

	w.Restart()
	r, raw := readPartnership(t, w.Login("sg-neg"), id)
	if r.Partnership.Current != mra.StageWorkPlan || len(r.Negotiations) != 1 || strings.Contains(raw, "US-ONLY") {
		t.Errorf("after a restart: %s", raw)
	}
	if err := w.Verify(); err != nil {
		t.Errorf("verify: %v", err)
	}
}

// The stages' items over HTTP: added, updated, agreed, counted; a
// stranger touches none.
func TestPartnershipItems(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	us, sg := w.Login("us-neg"), w.Login("sg-neg")
	var created struct {
		Partnership string `json:"partnership"`
	}
	us.Must(map[string]any{"type": "create_partnership", "title": "CTPAT and STP", "parties": []string{"US", "SG"}}, &created)
	id := created.Partnership
	var added struct {
		Item mra.Item `json:"item"`
	}
	us.Must(map[string]any{"type": "add_item", "partnership": id, "item": map[string]any{"kind": "benefit", "text": "Fewer examinations"}}, &added)
	benefit := added.Item.ID
	sg.Must(map[string]any{"type": "agree_item", "partnership": id, "item": map[string]any{"id": benefit}}, nil)
	sg.Must(map[string]any{"type": "add_item", "partnership": id, "item": map[string]any{"kind": "observation", "date": "2027-05-04",
		"place": "Long Beach", "sector": "importer", "observer": "SG", "findings": "Seals checked at the dock", "outcome": "satisfactory"}}, nil)
	us.Must(map[string]any{"type": "add_item", "partnership": id, "item": map[string]any{"kind": "step", "text": "Exchange the criteria", "owner": "SG", "due": "2027-03-31"}}, &added)
	sg.Must(map[string]any{"type": "update_item", "partnership": id, "item": map[string]any{"id": added.Item.ID, "done": true}}, nil)
	us.Fails(mra.CodeBadRequest, map[string]any{"type": "add_item", "partnership": id, "item": map[string]any{"kind": "observation", "sector": "bakery"}})
	us.Fails(mra.CodeNotFound, map[string]any{"type": "update_item", "partnership": id, "item": map[string]any{"id": "it-none", "done": true}})
	w.Login("us-legal").Fails(mra.CodeForbidden, map[string]any{"type": "add_item", "partnership": id, "item": map[string]any{"kind": "benefit", "text": "x"}})
	w.Login("ex-neg").Fails(mra.CodeNotFound, map[string]any{"type": "agree_item", "partnership": id, "item": map[string]any{"id": benefit}})

	w.Restart()
	r, _ := readPartnership(t, w.Login("us-neg"), id)
	stages := map[mra.Stage]mra.StageView{}
	for _, s := range r.Partnership.Stages {
		stages[s.Stage] = s
	}
	if b := stages[mra.StageBenefits].Items; len(b) != 1 || len(b[0].AgreedBy) != 2 {
		t.Errorf("benefits %+v", b)
	}
	if c := stages[mra.StageValidation].Coverage; c == nil || c.BySector["importer"] != 1 || strings.Join(c.Missing, ",") != "consolidator,carrier" {
		t.Errorf("coverage %+v", c)
	}
	if s := stages[mra.StageWorkPlan].Items; len(s) != 1 || !s[0].Done || s[0].Owner != "SG" {
		t.Errorf("work plan %+v", s)
	}
	if err := w.Verify(); err != nil {
		t.Errorf("verify: %v", err)
	}
}

// The criteria comparison over HTTP: each side's criteria (a real
// document's size: over 64 KiB), aligned side by side, marked by each.
func TestPartnershipCriteria(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	us, sg := w.Login("us-neg"), w.Login("sg-neg")
	var created struct {
		Partnership string `json:"partnership"`
	}
	us.Must(map[string]any{"type": "create_partnership", "title": "CTPAT and STP", "parties": []string{"US", "SG"}}, &created)
	id := created.Partnership
	var usText, sgText strings.Builder
	for i := range 400 {
		fmt.Fprintf(&usText, "Criterion %d on container seals number %d: written procedures verify seal integrity of containers at stuffing point %d, as the members' security officers record each inspection in the log.\n", i, i, i)
		fmt.Fprintf(&sgText, "Requirement %d for seals number %d: the integrity of container seals is verified by procedure at stuffing point %d.\n", i, i, i)
	}
	if usText.Len() <= 64<<10 {
		t.Fatalf("criteria of %d bytes: want a text over 64 KiB", usText.Len())
	}
	us.Must(map[string]any{"type": "set_criteria", "partnership": id, "text": usText.String()}, nil)
	sg.Must(map[string]any{"type": "set_criteria", "partnership": id, "text": sgText.String()}, nil)
	us.Fails(mra.CodeTooLarge, map[string]any{"type": "stage_note", "partnership": id, "stage": "criteria", "visibility": "shared", "body": usText.String()})

	r, _ := readPartnership(t, sg, id)
	var cmp mra.Comparison
	for _, s := range r.Partnership.Stages {
		if s.Stage == mra.StageCriteria && len(s.Comparisons) == 1 {
			cmp = s.Comparisons[0]
		}
	}
	if len(cmp.Rows) != 400 || cmp.Rows[7].A == nil || !strings.Contains(*cmp.Rows[7].A, "Requirement 7 ") || !strings.Contains(*cmp.Rows[7].B, "Criterion 7 ") {
		t.Fatalf("comparison of %d rows; row 7 %+v", len(cmp.Rows), cmp.Rows[7])
	}
	sg.Must(map[string]any{"type": "mark_criterion", "partnership": id, "row": cmp.Rows[7].Row, "mark": "equivalent"}, nil)
	w.Login("us-legal").Must(map[string]any{"type": "mark_criterion", "partnership": id, "row": cmp.Rows[7].Row, "mark": "partly"}, nil)
	us.Fails(mra.CodeNotFound, map[string]any{"type": "mark_criterion", "partnership": id, "row": "r-none", "mark": "gap"})
	w.Restart()
	r, _ = readPartnership(t, w.Login("us-neg"), id)
	for _, s := range r.Partnership.Stages {
		if s.Stage == mra.StageCriteria {
			c := s.Comparisons[0]
			if c.Rows[7].Marks["SG"] != mra.MarkEquivalent || c.Rows[7].Marks["US"] != mra.MarkPartly || c.Summary["US"]["unmarked"] != 399 {
				t.Errorf("after a restart: row 7 %+v, summary %v", c.Rows[7], c.Summary)
			}
		}
	}
	if err := w.Verify(); err != nil {
		t.Errorf("verify: %v", err)
	}
}

// The text in force: the signed negotiation no signed amendment replaces.
func TestPartnershipTextInForce(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	us := w.Login("us-neg")
	var created struct {
		Partnership string `json:"partnership"`
	}
	us.Must(map[string]any{"type": "create_partnership", "title": "CTPAT and STP", "parties": []string{"US", "SG"}}, &created)
	id := created.Partnership
	inForce := func() string {
		var r struct {
			InForce *string `json:"in_force"`
		}
		us.GetJSON("/api/partnerships/"+id, &r)
		if r.InForce == nil {
			return ""
		}
		return *r.InForce
	}
	draft := us.Create(1)
	us.Must(map[string]any{"type": "link_negotiation", "partnership": id, "negotiation": draft}, nil)
	if got := inForce(); got != "" {
		t.Errorf("in force before any signature: %s", got)
	}
	signed, _ := w.Signed(servertest.Text1)
	us.Must(map[string]any{"type": "link_negotiation", "partnership": id, "negotiation": signed}, nil)
	if got := inForce(); got != signed {
		t.Errorf("in force: %s, want the signed %s", got, signed)
	}
	var amend struct {
		Negotiation string `json:"negotiation"`
	}
	us.Must(map[string]any{"type": "create_negotiation", "title": "Amendment 1", "parties": []string{"US", "SG"}, "amends": signed}, &amend)
	// an amendment of a linked negotiation belongs to the partnership unlinked
	var read struct {
		Negotiations []mra.NegotiationView `json:"negotiations"`
	}
	us.GetJSON("/api/partnerships/"+id, &read)
	if len(read.Negotiations) != 3 {
		t.Errorf("the partnership's negotiations with an unlinked amendment: %d, want 3", len(read.Negotiations))
	}
	if got := inForce(); got != signed {
		t.Errorf("in force while the amendment is negotiated: %s, want %s", got, signed)
	}
	sha := us.Snapshot(amend.Negotiation).Versions[0].SHA256
	for _, u := range []mra.UserID{"us-legal", "sg-legal"} {
		w.Login(u).Must(map[string]any{"type": "sign_off", "negotiation": amend.Negotiation, "version": 1, "sha256": sha, "decision": "approve"}, nil)
	}
	for _, u := range []mra.UserID{"us-sign", "sg-sign"} {
		w.Login(u).Must(map[string]any{"type": "sign", "negotiation": amend.Negotiation, "version": 1, "sha256": sha}, nil)
	}
	if got := inForce(); got != amend.Negotiation {
		t.Errorf("in force once the amendment is signed: %s, want %s", got, amend.Negotiation)
	}
}

// Every partnership command works over the socket as over HTTP, and a
// repeated command id gets the first answer and changes nothing.
func TestPartnershipCommandsOverSocket(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	us := w.Login("us-neg")
	sock := us.Dial(t)
	send := func(cmd map[string]any) servertest.Msg {
		t.Helper()
		m := sock.Must(servertest.AnswerTo(sock.Send(cmd)), "the answer to "+cmd["type"].(string))
		if m.Type != "ack" {
			t.Fatalf("%s over the socket: %s", cmd["type"], m.Raw)
		}
		return m
	}
	m := send(map[string]any{"type": "create_partnership", "title": "CTPAT and STP", "parties": []string{"US", "SG"}})
	var created struct {
		Result struct {
			Partnership string `json:"partnership"`
		} `json:"result"`
	}
	json.Unmarshal([]byte(m.Raw), &created)
	id := created.Result.Partnership
	neg := us.Create(1)
	var added struct {
		Result struct {
			Item mra.Item `json:"item"`
		} `json:"result"`
	}
	for _, cmd := range []map[string]any{
		{"type": "mark_stage", "stage": "evaluation", "status": "in_progress"},
		{"type": "stage_note", "stage": "evaluation", "visibility": "shared", "body": "Started."},
		{"type": "link_negotiation", "negotiation": neg},
		{"type": "set_criteria", "text": "Seals on every loaded container.\nBadges for every visitor.\n"},
	} {
		cmd["partnership"] = id
		send(cmd)
	}
	json.Unmarshal([]byte(send(map[string]any{"type": "add_item", "partnership": id, "item": map[string]any{"kind": "benefit", "text": "Fewer examinations"}}).Raw), &added)
	send(map[string]any{"type": "update_item", "partnership": id, "item": map[string]any{"id": added.Result.Item.ID, "text": "Fewer examinations of members' cargo"}})
	w.Login("sg-neg").Must(map[string]any{"type": "set_criteria", "partnership": id, "text": "Tamper-evident seals on loaded containers.\n"}, nil)
	sgSock := w.Login("sg-neg").Dial(t)
	if m := sgSock.Must(servertest.AnswerTo(sgSock.Send(map[string]any{"type": "agree_item", "partnership": id, "item": map[string]any{"id": added.Result.Item.ID}})), "agree over the socket"); m.Type != "ack" {
		t.Fatalf("agree_item over the socket: %s", m.Raw)
	}
	r, _ := readPartnership(t, us, id)
	row := ""
	for _, s := range r.Partnership.Stages {
		if s.Stage == mra.StageCriteria && len(s.Comparisons) == 1 {
			row = s.Comparisons[0].Rows[0].Row
		}
	}
	mark := map[string]any{"id": w.NextID(), "type": "mark_criterion", "partnership": id, "row": row, "mark": "equivalent"}
	first := send(mark)
	again := send(mark)
	if first.Raw != again.Raw {
		t.Errorf("a repeated mark answered %s, then %s", first.Raw, again.Raw)
	}
	_, before := readPartnership(t, us, id)
	send(map[string]any{"id": mark["id"], "type": "mark_criterion", "partnership": id, "row": row, "mark": "gap"}) // same id: the first answer
	_, after := readPartnership(t, us, id)
	if after != before || !strings.Contains(after, `"US":"equivalent"`) {
		t.Error("a repeated command id changed the partnership")
	}
	if err := w.Verify(); err != nil {
		t.Errorf("verify: %v", err)
	}
}

// A partnership's events live: subscribe with "partnership" replays the
// shared stream and the party's own, then sends live ones; another party's
// internal note never reaches the socket; strangers are not_found.
func TestPartnershipLive(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	us := w.Login("us-neg")
	var created struct {
		Partnership string `json:"partnership"`
	}
	us.Must(map[string]any{"type": "create_partnership", "title": "CTPAT and STP", "parties": []string{"US", "SG"}}, &created)
	id := created.Partnership
	w.Login("us-legal").Must(map[string]any{"type": "stage_note", "partnership": id, "stage": "criteria", "visibility": "internal", "body": "US-ONLY before"}, nil)
	us.Must(map[string]any{"type": "mark_stage", "partnership": id, "stage": "evaluation", "status": "in_progress"}, nil)

	sg := w.Login("sg-neg").Dial(t)
	subID := sg.Send(map[string]any{"type": "subscribe", "partnership": id, "since": map[string]int{"shared": 0, "internal": 0}})
	var replayed []servertest.Msg
	for {
		m := sg.Must(func(m servertest.Msg) bool { return m.Type == "event" || m.ID == subID }, "the replay")
		if m.Type != "event" {
			if m.Type != "ack" || !strings.Contains(m.Raw, `"shared":2`) {
				t.Fatalf("subscribe ack %s", m.Raw)
			}
			break
		}
		replayed = append(replayed, m)
	}
	if len(replayed) != 2 || !strings.Contains(replayed[0].Raw, `"kind":"partnership_created"`) || !strings.Contains(replayed[0].Raw, `"partnership":"`+id+`"`) {
		t.Errorf("replay %v", replayed)
	}
	var read struct {
		Heads map[string]uint64 `json:"heads"`
	}
	w.Login("sg-neg").GetJSON("/api/partnerships/"+id, &read)
	if read.Heads["shared"] != 2 || read.Heads["internal"] != 0 {
		t.Errorf("SG's read heads %v, want shared 2, internal 0 (US's internal note is not SG's)", read.Heads)
	}
	usSock := w.Login("us-legal").Dial(t)
	usSub := usSock.Send(map[string]any{"type": "subscribe", "partnership": id, "since": map[string]int{"shared": 2, "internal": 1}})
	presence := "" // the presence message the US socket gets, whenever it comes
	seeing := func(match func(servertest.Msg) bool) func(servertest.Msg) bool {
		return func(m servertest.Msg) bool {
			if m.Type == "presence" {
				presence = m.Raw
			}
			return match(m)
		}
	}
	usSock.Must(seeing(servertest.AnswerTo(usSub)), "US's subscribe")
	w.Login("us-legal").Must(map[string]any{"type": "stage_note", "partnership": id, "stage": "criteria", "visibility": "internal", "body": "US-ONLY after"}, nil)
	us.Must(map[string]any{"type": "mark_stage", "partnership": id, "stage": "evaluation", "status": "done"}, nil)
	var seen []string
	m := sg.Must(func(m servertest.Msg) bool {
		seen = append(seen, m.Raw)
		return m.Type == "event" && m.Kind == string(mra.EvStageMarked)
	}, "the live mark")
	if !strings.Contains(m.Raw, `"status":"done"`) {
		t.Errorf("live event %s", m.Raw)
	}
	for _, raw := range seen {
		if strings.Contains(raw, "US-ONLY") {
			t.Errorf("SG's socket got US's internal note: %s", raw)
		}
	}
	if n := usSock.Must(seeing(servertest.IsEvent(mra.EvStageNoted)), "US's own internal note, live"); !strings.Contains(n.Raw, "US-ONLY after") || !strings.Contains(n.Raw, `"stream":"internal"`) {
		t.Errorf("US's note event %s", n.Raw)
	}
	if presence == "" {
		usSock.Must(seeing(func(m servertest.Msg) bool { return m.Type == "presence" }), "presence in the partnership")
	}
	if !strings.Contains(presence, `"partnership":"`+id+`"`) || strings.Contains(presence, `"negotiation"`) {
		t.Errorf("presence %s", presence)
	}
	ex := w.Login("ex-neg").Dial(t)
	if a := ex.Must(servertest.AnswerTo(ex.Send(map[string]any{"type": "subscribe", "partnership": id})), "a stranger's subscribe"); a.Error == nil || a.Error.Code != mra.CodeNotFound {
		t.Errorf("a stranger's subscribe: %s", a.Raw)
	}
}
