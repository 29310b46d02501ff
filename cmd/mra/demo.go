package main

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"mra/server"
	"mra/server/boltstore"
	"mra/server/mra"
)

// demoSeed is the demo's users, with the passwords printed once, and the
// sample negotiation still to create.
type demoSeed struct {
	users     []mra.User
	passwords map[mra.UserID]string
}

var demoParties = []mra.Party{
	{ID: "US", Name: "U.S. Customs and Border Protection", Program: "CTPAT"},
	{ID: "SG", Name: "Singapore Customs", Program: "Secure Trade Partnership"},
}

var demoUsers = []mra.User{
	{ID: "alice", Name: "Alice Moreno", Party: "US", Roles: []mra.Role{mra.Negotiator}},
	{ID: "ben", Name: "Ben Okafor", Party: "US", Roles: []mra.Role{mra.Legal}},
	{ID: "carol", Name: "Carol Jensen", Party: "US", Roles: []mra.Role{mra.Signatory}},
	{ID: "dan", Name: "Dan Whitfield", Party: "US", Roles: []mra.Role{mra.Admin}},
	{ID: "mei", Name: "Tan Mei Ling", Party: "SG", Roles: []mra.Role{mra.Negotiator}},
	{ID: "wei", Name: "Lim Wei Jie", Party: "SG", Roles: []mra.Role{mra.Legal}},
	{ID: "siti", Name: "Siti Rahman", Party: "SG", Roles: []mra.Role{mra.Signatory}},
	{ID: "raj", Name: "Raj Kumar", Party: "SG", Roles: []mra.Role{mra.Admin}},
}

// seedUsers adds the demo parties and users to an empty database and returns
// them with their new passwords; nil when the database has parties already.
func seedUsers(st *boltstore.Store) (*demoSeed, error) {
	existing, err := st.Parties()
	if err != nil {
		return nil, fmt.Errorf("seed demo: %w", err)
	}
	if len(existing) > 0 {
		return nil, nil
	}
	var ops []server.Operation
	for _, p := range demoParties {
		ops = append(ops, server.AddParty(p))
	}
	seed := &demoSeed{passwords: map[mra.UserID]string{}}
	for _, u := range demoUsers {
		pw := newPassword()
		hash, err := server.HashPassword(pw)
		if err != nil {
			return nil, err
		}
		u.PasswordHash = hash
		ops = append(ops, server.AddUser(u))
		seed.users = append(seed.users, u)
		seed.passwords[u.ID] = pw
	}
	if _, err := server.Operate(st, time.Now(), ops...); err != nil {
		return nil, fmt.Errorf("seed demo users: %w", err)
	}
	return seed, nil
}

// newPassword returns 16 random characters, easy to copy.
func newPassword() string {
	const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 16)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

func (d *demoSeed) print(w io.Writer, url string) {
	fmt.Fprintf(w, "Demo data created. Open %s and log in as one of these users\n", url)
	fmt.Fprintln(w, "(the passwords are shown this once; delete the database file to start over):")
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  user\tparty\trole\tpassword")
	for _, u := range d.users {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", u.ID, u.Party, u.Roles[0], d.passwords[u.ID])
	}
	tw.Flush()
}

func (d *demoSeed) user(id mra.UserID) mra.User {
	for _, u := range d.users {
		if u.ID == id {
			return u
		}
	}
	panic("no demo user " + id)
}

// negotiation creates the sample negotiation through the server's one
// command path, as its users would: two versions of an arrangement, an
// agreed and a proposed consensus, open issues (one resolved), a reply, an
// internal legal note, one approval, and a meeting (demoMeeting).
func (d *demoSeed) negotiation(s *server.Server) error {
	var neg string
	step := 0
	do := func(as mra.UserID, cmd map[string]any) (map[string]any, error) {
		step++
		cmd["id"] = fmt.Sprintf("demo-%d", step)
		if neg != "" && cmd["type"] != mra.CmdCreateNegotiation {
			cmd["negotiation"] = neg
		}
		raw, err := json.Marshal(cmd)
		if err != nil {
			return nil, err
		}
		answer, code := s.Execute(d.user(as), raw)
		if code != "" {
			return nil, fmt.Errorf("seed demo step %d (%s): %s", step, cmd["type"], answer)
		}
		var a struct {
			Result map[string]any `json:"result"`
		}
		if err := json.Unmarshal(answer, &a); err != nil {
			return nil, err
		}
		return a.Result, nil
	}
	comment := func(as mra.UserID, version int, text, quote string, kind mra.ThreadKind, visibility mra.Visibility, body string) (string, error) {
		start, end := quoteRange(text, quote)
		r, err := do(as, map[string]any{"type": mra.CmdComment, "version": version, "kind": kind, "visibility": visibility,
			"body": body, "start": start, "end": end, "quote": quote})
		if err != nil {
			return "", err
		}
		return r["thread"].(string), nil
	}

	r, err := do("alice", map[string]any{"type": mra.CmdCreateNegotiation,
		"title": demoTitle, "parties": []string{"US", "SG"}})
	if err != nil {
		return err
	}
	neg = r["negotiation"].(string)
	if _, err := do("alice", map[string]any{"type": mra.CmdProposeVersion, "base": 0, "text": demoText1,
		"note": "U.S. proposed text for discussion"}); err != nil {
		return err
	}
	agreed, err := comment("mei", 1, demoText1, "recognise the validation findings", mra.KindConsensus, mra.Shared,
		"Singapore agrees with mutual recognition of validation findings as drafted.")
	if err != nil {
		return err
	}
	if _, err := do("alice", map[string]any{"type": mra.CmdConcur, "thread": agreed}); err != nil {
		return err
	}
	days, err := comment("mei", 1, demoText1, "within 30 days", mra.KindOpenIssue, mra.Shared,
		"Thirty days is too short for our partner agencies; we propose sixty.")
	if err != nil {
		return err
	}
	if _, err := do("alice", map[string]any{"type": mra.CmdReply, "thread": days,
		"body": "We can accept sixty days if suspensions are notified at once."}); err != nil {
		return err
	}
	if _, err := comment("alice", 1, demoText1, "Each Customs Administration shall designate a contact point",
		mra.KindConsensus, mra.Shared, "Proposed as agreed: the contact point article is standard."); err != nil {
		return err
	}
	if _, err := do("mei", map[string]any{"type": mra.CmdProposeVersion, "base": 1, "text": demoText2,
		"note": "Singapore revision: sixty days, suspension notice, data protection"}); err != nil {
		return err
	}
	if _, err := do("mei", map[string]any{"type": mra.CmdResolve, "thread": days,
		"body": "Resolved by the sixty-day period in version 2."}); err != nil {
		return err
	}
	privacy, err := comment("alice", 2, demoText2, "in accordance with the laws and regulations of each Customs Administration",
		mra.KindOpenIssue, mra.Shared, "We need a reference to the Privacy Act here before we can agree.")
	if err != nil {
		return err
	}
	if _, err := comment("ben", 2, demoText2, "may suspend its recognition",
		mra.KindNote, mra.Internal, "Legal: check suspension against our notice-and-comment obligations before we concur."); err != nil {
		return err
	}
	v2 := mra.SHA256(demoText2)
	if _, err := do("wei", map[string]any{"type": mra.CmdSignOff, "version": 2, "sha256": v2, "decision": mra.Approve,
		"body": "Singapore legal review: approved as drafted."}); err != nil {
		return err
	}
	if err := demoMeeting(do, days, privacy); err != nil {
		return err
	}
	if err := demoOptions(do, comment, privacy); err != nil {
		return err
	}

	// Years after signing: an arrangement signed earlier, its next periodic
	// review scheduled, and an amendment of it in negotiation.
	neg = ""
	if r, err = do("alice", map[string]any{"type": mra.CmdCreateNegotiation,
		"title": "Arrangement on the exchange of AEO program information", "parties": []string{"US", "SG"}}); err != nil {
		return err
	}
	signed := r["negotiation"].(string)
	neg = signed
	if _, err := do("alice", map[string]any{"type": mra.CmdProposeVersion, "base": 0, "text": demoSigned, "note": "Text as agreed in the last round"}); err != nil {
		return err
	}
	sha := mra.SHA256(demoSigned)
	for _, as := range []mra.UserID{"ben", "wei"} {
		if _, err := do(as, map[string]any{"type": mra.CmdSignOff, "version": 1, "sha256": sha, "decision": mra.Approve}); err != nil {
			return err
		}
	}
	for _, as := range []mra.UserID{"carol", "siti"} {
		if _, err := do(as, map[string]any{"type": mra.CmdSign, "version": 1, "sha256": sha}); err != nil {
			return err
		}
	}
	due := time.Now().UTC().AddDate(0, 6, 0).Format("2006-01-02")
	if _, err := do("mei", map[string]any{"type": mra.CmdScheduleReview, "due": due, "body": "Yearly review of the information exchange."}); err != nil {
		return err
	}
	neg = ""
	if r, err = do("mei", map[string]any{"type": mra.CmdCreateNegotiation, "title": "Amendment 1: notice of suspensions",
		"parties": []string{"SG", "US"}, "amends": signed}); err != nil {
		return err
	}
	neg = r["negotiation"].(string)
	amended := strings.Replace(demoSigned, "within 30 days of a change in membership status.\n",
		"within 30 days of a change in membership status, and of a suspension without delay.\n", 1)
	if _, err := do("mei", map[string]any{"type": mra.CmdProposeVersion, "base": 1, "text": amended, "note": "Singapore: suspensions notified at once"}); err != nil {
		return err
	}
	if _, err := comment("alice", 2, amended, "without delay", mra.KindOpenIssue, mra.Shared,
		"\"Without delay\" needs a number of days for our systems; we suggest five working days."); err != nil {
		return err
	}
	amendment := neg

	// The partnership around them, in its implementation stage.
	neg = "" // partnership commands name what they act on themselves
	if r, err = do("alice", map[string]any{"type": mra.CmdCreatePartnership, "title": "CTPAT and the Secure Trade Partnership",
		"parties": []string{"US", "SG"}}); err != nil {
		return err
	}
	p := r["partnership"].(string)
	cmds := []struct {
		as  mra.UserID
		cmd map[string]any
	}{
		{"alice", map[string]any{"type": mra.CmdSetCriteria, "text": demoCriteriaUS}},
		{"mei", map[string]any{"type": mra.CmdSetCriteria, "text": demoCriteriaSG}},
		{"mei", map[string]any{"type": mra.CmdAddItem, "item": map[string]any{"kind": "prerequisite", "program": "US", "prerequisite": "cmaa", "met": true, "evidence": "Customs Mutual Assistance Agreement in force since 2008"}}},
		{"alice", map[string]any{"type": mra.CmdAddItem, "item": map[string]any{"kind": "prerequisite", "program": "SG", "prerequisite": "cmaa", "met": true, "evidence": "Customs Mutual Assistance Agreement in force since 2008"}}},
		{"alice", map[string]any{"type": mra.CmdAddItem, "item": map[string]any{"kind": "factor", "factor": "trade_volume", "text": "Singapore is among the largest trading partners by container volume."}}},
		{"alice", map[string]any{"type": mra.CmdAddItem, "item": map[string]any{"kind": "step", "text": "Exchange each program's minimum security criteria", "owner": "SG", "due": "2025-03-31", "done": true}}},
		{"mei", map[string]any{"type": mra.CmdAddItem, "item": map[string]any{"kind": "step", "text": "Joint validation visits in both countries", "owner": "US", "due": "2025-09-30", "done": true}}},
		{"alice", map[string]any{"type": mra.CmdAddItem, "item": map[string]any{"kind": "benefit", "text": "Fewer examinations of members' cargo"}}},
		{"mei", map[string]any{"type": mra.CmdAddItem, "item": map[string]any{"kind": "benefit", "text": "Priority processing after a disruption of trade"}}},
		{"mei", map[string]any{"type": mra.CmdAddItem, "item": map[string]any{"kind": "observation", "date": "2025-05-06", "place": "Long Beach, California", "sector": "importer", "observer": "SG", "findings": "Seal verification and container inspection followed the written procedures.", "outcome": "satisfactory"}}},
		{"alice", map[string]any{"type": mra.CmdAddItem, "item": map[string]any{"kind": "observation", "date": "2025-06-17", "place": "Singapore", "sector": "consolidator", "observer": "US", "findings": "Access controls at the consolidation warehouse met the criteria; visitor logs kept.", "outcome": "satisfactory"}}},
		{"alice", map[string]any{"type": mra.CmdAddItem, "item": map[string]any{"kind": "procedure", "text": "Monthly exchange of the lists of members in good standing", "done": true}}},
		{"mei", map[string]any{"type": mra.CmdAddItem, "item": map[string]any{"kind": "procedure", "text": "Notice of a suspended member within five working days"}}},
		{"ben", map[string]any{"type": mra.CmdStageNote, "stage": "criteria", "visibility": "internal", "body": "Legal: SG's conveyance criteria go further than ours; no gap on our side."}},
		{"mei", map[string]any{"type": mra.CmdStageNote, "stage": "implementation", "visibility": "shared", "body": "The suspension notice is the subject of Amendment 1."}},
		{"alice", map[string]any{"type": mra.CmdLinkNegotiation, "negotiation": signed}},
		{"mei", map[string]any{"type": mra.CmdLinkNegotiation, "negotiation": amendment}},
	}
	for _, s := range []string{"evaluation", "work_plan", "benefits", "criteria", "validation", "negotiation", "signing"} {
		cmds = append(cmds, struct {
			as  mra.UserID
			cmd map[string]any
		}{"alice", map[string]any{"type": mra.CmdMarkStage, "stage": s, "status": "done"}})
	}
	cmds = append(cmds, struct {
		as  mra.UserID
		cmd map[string]any
	}{"mei", map[string]any{"type": mra.CmdMarkStage, "stage": "implementation", "status": "in_progress"}})
	for _, c := range cmds {
		c.cmd["partnership"] = p
		if _, err := do(c.as, c.cmd); err != nil {
			return err
		}
	}
	return nil
}

// demoOptions gives the demo negotiation's open issues bracket options:
// two wordings of the data-protection clause, and a notice period for
// suspensions tied to Singapore's wording in a package, which the United
// States has accepted in part (so both are conditional).
func demoOptions(do func(mra.UserID, map[string]any) (map[string]any, error),
	comment func(mra.UserID, int, string, string, mra.ThreadKind, mra.Visibility, string) (string, error), privacy string) error {
	suspend, err := comment("mei", 2, demoText2, "may suspend its recognition", mra.KindOpenIssue, mra.Shared,
		"A suspension without notice would surprise our members; we need a notice period.")
	if err != nil {
		return err
	}
	const clause = "in accordance with the laws and regulations of each Customs Administration"
	offers := []struct {
		as                mra.UserID
		issue, text, body string
	}{
		{"alice", privacy, clause + ", including the Privacy Act of 1974", "Our statute must be named for the exchange to be lawful on our side."},
		{"mei", privacy, clause + ", including those on the protection of personal data", "A general reference covers both statutes and any that replace them."},
		{"alice", suspend, "may, after 30 days' notice, suspend its recognition", "Thirty days lets members answer before a suspension."},
	}
	ids := make([]string, len(offers))
	for k, o := range offers {
		r, err := do(o.as, map[string]any{"type": mra.CmdAddOption, "thread": o.issue, "text": o.text, "body": o.body})
		if err != nil {
			return err
		}
		ids[k] = r["option"].(string)
	}
	if _, err := do("mei", map[string]any{"type": mra.CmdLinkPackage, "options": []string{ids[1], ids[2]},
		"title": "Data protection and notice of suspension"}); err != nil {
		return err
	}
	_, err = do("alice", map[string]any{"type": mra.CmdAcceptOption, "option": ids[1]})
	return err
}

// demoMeeting holds the demo negotiation's last round, ended and its
// minutes approved by both sides: the sixty days agreed, the Privacy Act
// reference kept in brackets, with an action for the United States.
func demoMeeting(do func(mra.UserID, map[string]any) (map[string]any, error), days, privacy string) error {
	m, err := do("alice", map[string]any{"type": mra.CmdStartMeeting, "title": "Round 2 (video call)", "parties": []string{"US", "SG"}})
	if err != nil {
		return err
	}
	id := m["id"].(string)
	due := time.Now().UTC().AddDate(0, 0, 14).Format("2006-01-02")
	for _, s := range []struct {
		as  mra.UserID
		cmd map[string]any
	}{
		{"alice", map[string]any{"type": mra.CmdFocusIssue, "thread": days}},
		{"mei", map[string]any{"type": mra.CmdDispose, "thread": days, "outcome": mra.OutcomeAgreed, "body": "Sixty days, as in version 2."}},
		{"alice", map[string]any{"type": mra.CmdFocusIssue, "thread": privacy}},
		{"alice", map[string]any{"type": mra.CmdDispose, "thread": privacy, "outcome": mra.OutcomeBracketKept,
			"body": "Kept in brackets until the reference is drafted."}},
		{"alice", map[string]any{"type": mra.CmdDispose, "thread": privacy, "outcome": mra.OutcomeAction, "owner": "US", "due": due,
			"body": "Send wording that refers to the Privacy Act."}},
	} {
		s.cmd["meeting"] = id
		if _, err := do(s.as, s.cmd); err != nil {
			return err
		}
	}
	ended, err := do("alice", map[string]any{"type": mra.CmdEndMeeting, "meeting": id})
	if err != nil {
		return err
	}
	for _, as := range []mra.UserID{"alice", "mei"} {
		if _, err := do(as, map[string]any{"type": mra.CmdApproveMinutes, "meeting": id, "sha256": ended["sha256"], "decision": mra.Approve}); err != nil {
			return err
		}
	}
	return nil
}

// demoCriteriaUS and demoCriteriaSG are the two programs' minimum security
// criteria, in short, for the demo's comparison.
const demoCriteriaUS = `Business partner requirements: members must have written procedures to screen new business partners and to monitor existing ones.
Container and trailer security: container integrity must be maintained to protect against the introduction of unauthorized material; high security seals must be affixed to all loaded containers.
Physical access controls: access controls prevent unauthorized entry to facilities; employees, visitors and vendors must be identified.
Personnel security: written processes must screen prospective employees and periodically check current employees.
Cybersecurity: members must have written policies and procedures protecting information technology systems.
Security training and threat awareness: a threat awareness program must be established and maintained by security personnel.
`

const demoCriteriaSG = `Trading partner security: the company shall screen its trading partners by written procedures and review them periodically.
Cargo security: the integrity of containers is maintained and tamper-evident seals are affixed to every loaded container.
Conveyance security: vehicles and conveyances are inspected for hidden compartments before loading.
Premises and access control: unauthorized entry to premises is prevented; employees and visitors carry identification.
Personnel security: prospective staff are screened and current staff are checked periodically.
Security training: staff receive training on threats and on the procedures to report them.
`

// demoSigned is the text of the demo's signed arrangement.
var demoSigned = strings.NewReplacer(
	"Mutual Recognition Arrangement between", "Arrangement on the exchange of AEO program information between",
	"shall recognise the validation findings of each other's Authorized Economic Operator program, in order to facilitate trade and secure the supply chain.",
	"shall exchange information on the members of their Authorized Economic Operator programs.",
).Replace(demoText1)

// demoTitle is the title of the demo's negotiation in progress.
const demoTitle = "Mutual Recognition Arrangement: CTPAT and the Secure Trade Partnership"

// quoteRange returns the code-point range of quote's first occurrence in text.
func quoteRange(text, quote string) (int, int) {
	i := strings.Index(text, quote)
	if i < 0 {
		panic("demo quote not in text: " + quote)
	}
	start := utf8.RuneCountInString(text[:i])
	return start, start + utf8.RuneCountInString(quote)
}

const demoText1 = `Mutual Recognition Arrangement between U.S. Customs and Border Protection and Singapore Customs

Article 1
Purpose

1. The Customs Administrations shall recognise the validation findings of each other's Authorized Economic Operator program, in order to facilitate trade and secure the supply chain.

Article 2
Programs

1. This Arrangement covers the Customs-Trade Partnership Against Terrorism (CTPAT) of U.S. Customs and Border Protection and the Secure Trade Partnership of Singapore Customs.

Article 3
Compatibility

1. The Customs Administrations shall maintain compatible security criteria, validation processes and membership benefits.

Article 4
Exchange of information

1. The Customs Administrations shall exchange information on the members of their programs within 30 days of a change in membership status.

Article 5
Contact points

1. Each Customs Administration shall designate a contact point for the implementation of this Arrangement.

Article 6
Entry into effect

1. This Arrangement shall take effect on the date of the last signature.
`

// demoText2 is Singapore's revision of demoText1: sixty days, a suspension
// paragraph, data protection, and a contact point "named" (which voids the
// consensus on "designate").
var demoText2 = strings.NewReplacer(
	"membership benefits.\n", "membership benefits.\n\n2. Either Customs Administration may suspend its recognition of a member whose validation has lapsed, and shall notify the other without delay.\n",
	"within 30 days of a change in membership status.\n", "within 60 days of a change in membership status.\n\n2. Information shall be exchanged and protected in accordance with the laws and regulations of each Customs Administration.\n",
	"shall designate a contact point", "shall name a contact point",
).Replace(demoText1)
