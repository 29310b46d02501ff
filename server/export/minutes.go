package export

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"mra/server/docx"
	"mra/server/mra"
)

// The minutes of a meeting (server/README "Meetings"), as html or docx:
// who was present, the issues taken up with their outcomes, the actions by
// party, the versions proposed while it ran, the minutes' SHA-256 and the
// approvals, and what has become of each ad referendum since. They come
// from the snapshot's MEETING, like every export from the party's
// snapshot; a meeting holds shared material only, and each issue is
// checked again against the snapshot's shared threads as it is written.
// Like the signing record, the minutes name people where they record who
// chaired and who approved; the rest names parties.

// checkMinutes checks a minutes request: a meeting, html or docx, nothing
// that belongs to a version.
func (r Request) checkMinutes() error {
	switch {
	case r.Meeting == "":
		return mra.Errorf(mra.CodeBadRequest, "meeting: minutes are a meeting's; name it with meeting=ID")
	case r.Version != 0 || r.From != 0:
		return mra.Errorf(mra.CodeBadRequest, "version: minutes are a meeting's, not a version's")
	case r.Internal:
		return mra.Errorf(mra.CodeBadRequest, "internal: minutes hold shared material only")
	}
	return nil
}

// minutesView is a meeting's minutes as the file shows them.
type minutesView struct {
	m      mra.Meeting
	min    *mra.Minutes
	issues []mra.MinutesIssue // those the snapshot shows as shared threads
	kinds  map[mra.ThreadID]mra.ThreadKind
	since  []mra.Disposition // ad referendum dispositions settled since the minutes were made
}

func (x *exporter) minutesFile() (*File, error) {
	var mv minutesView
	i := slices.IndexFunc(x.v.Snapshot.Meetings, func(m mra.Meeting) bool { return m.ID == x.r.Meeting })
	if i < 0 {
		return nil, mra.Errorf(mra.CodeNotFound, "no meeting %q", x.r.Meeting)
	}
	mv.m = x.v.Snapshot.Meetings[i]
	if mv.m.Minutes == nil {
		return nil, mra.Errorf(mra.CodeBadRequest, "meeting: %q is running; its minutes are made when it ends", mv.m.ID)
	}
	mv.min = mv.m.Minutes
	mv.kinds = map[mra.ThreadID]mra.ThreadKind{}
	for _, t := range x.v.Snapshot.Threads {
		if t.Visibility == mra.Shared {
			mv.kinds[t.ID] = t.Kind
		}
	}
	for _, is := range mv.min.Issues {
		if _, ok := mv.kinds[is.Thread]; ok {
			mv.issues = append(mv.issues, is)
		}
	}
	at := map[mra.DispositionID]mra.Referendum{}
	for _, is := range mv.min.Issues {
		for _, d := range is.Dispositions {
			at[d.ID] = d.Confirmed
		}
	}
	for _, d := range mv.m.Dispositions {
		if d.Outcome == mra.OutcomeAdReferendum && d.Confirmed != at[d.ID] {
			if _, ok := mv.kinds[d.Thread]; ok {
				mv.since = append(mv.since, d)
			}
		}
	}
	var body []byte
	var err error
	if x.r.Format == DOCX {
		body, err = x.minutesDocx(&mv)
	} else {
		body = x.minutesHTML(&mv)
	}
	if err != nil {
		return nil, err
	}
	title := strings.TrimSpace(x.v.Snapshot.Negotiation.Title)
	if title == "" {
		title = "negotiation"
	}
	name := title + " " + strings.TrimSpace(mv.m.Title) + " minutes." + string(x.r.Format)
	return &File{Name: name, ASCIIName: asciiName(name), ContentType: ContentTypes[x.r.Format], Body: body}, nil
}

// when is a time as minutes give it.
func when(t time.Time) string { return t.UTC().Format("2 January 2006, 15:04 UTC") }

func (x *exporter) parties(ps []mra.PartyID) string {
	names := make([]string, len(ps))
	for k, p := range ps {
		names[k] = x.partyName(p)
	}
	return strings.Join(names, ", ")
}

// outcome says in words what a disposition recorded (referendum as given).
func (x *exporter) outcome(d mra.Disposition, ref mra.Referendum) string {
	switch d.Outcome {
	case mra.OutcomeAgreed:
		return "Agreed by " + x.parties(d.Parties)
	case mra.OutcomeAdReferendum:
		s := "Agreed ad referendum: to be confirmed by the capital of " + x.partyName(d.Owner)
		switch ref {
		case mra.RefConfirmed:
			s += " (confirmed)"
		case mra.RefWithdrawn:
			s += " (withdrawn: the bracket is kept)"
		default:
			s += " (pending)"
		}
		return s
	case mra.OutcomeBracketKept:
		return "Bracket kept"
	case mra.OutcomeAction:
		return "Action for " + x.partyName(d.Owner) + ", due " + d.Due
	}
	return string(d.Outcome)
}

// issueOutcome is an issue's outcome in words.
func issueOutcome(o mra.IssueOutcome) string {
	switch o {
	case mra.OutcomeAgreed:
		return "Agreed"
	case mra.OutcomeAdReferendum:
		return "Agreed ad referendum"
	case mra.OutcomeBracketKept:
		return "Bracket kept"
	case "":
		return "Discussed; no outcome recorded"
	}
	return string(o)
}

func (x *exporter) chair(mv *minutesView) string {
	return x.name(mv.min.Chair) + " (" + x.partyName(mv.m.ChairParty) + ")"
}

// approval says where the approval of the minutes stands.
func (x *exporter) approvalState(mv *minutesView) string {
	if mv.m.Approved {
		return "Approved by every party present."
	}
	var waiting []mra.PartyID
	for _, p := range mv.m.Parties {
		if !slices.ContainsFunc(mv.m.Approvals, func(a mra.MinutesApproval) bool { return a.Party == p && a.Decision == mra.Approve }) {
			waiting = append(waiting, p)
		}
	}
	return "Not yet approved by " + x.parties(waiting) + "."
}

// actionsByOwner groups the actions by owner, in the minutes' order.
func actionsByOwner(as []mra.MinutesAction) [][]mra.MinutesAction {
	var out [][]mra.MinutesAction
	for _, a := range as {
		if n := len(out); n > 0 && out[n-1][0].Owner == a.Owner {
			out[n-1] = append(out[n-1], a)
			continue
		}
		out = append(out, []mra.MinutesAction{a})
	}
	return out
}

// issueNumber is the number an issue has in the minutes (1 on), or 0.
func (mv *minutesView) issueNumber(t mra.ThreadID) int {
	return slices.IndexFunc(mv.issues, func(is mra.MinutesIssue) bool { return is.Thread == t }) + 1
}

func (x *exporter) minutesHTML(mv *minutesView) []byte {
	var b strings.Builder
	mn := mv.min
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
	b.WriteString("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	b.WriteString("<title>" + esc(x.v.Snapshot.Negotiation.Title+" — minutes of "+mn.Title) + "</title>\n")
	b.WriteString("<style>" + pageStyle + "</style>\n</head>\n<body>\n<header>\n")
	b.WriteString("<h1>" + esc(x.v.Snapshot.Negotiation.Title) + "</h1>\n")
	b.WriteString("<p class=\"meta\">Minutes of the meeting “" + esc(mn.Title) + "”</p>\n")
	b.WriteString("<p class=\"meta\">From " + esc(when(mn.StartedAt)) + " to " + esc(when(mn.EndedAt)) +
		", chaired by " + esc(x.chair(mv)) + ".</p>\n")
	b.WriteString("<p class=\"meta\">SHA-256 of the minutes <span class=\"sha\">" + esc(mv.m.SHA256) + "</span>. " +
		esc(x.approvalState(mv)) + "</p>\n</header>\n<main>\n")

	b.WriteString("<h2>Present</h2>\n<ul>\n")
	for _, p := range mn.Parties {
		b.WriteString("<li>" + esc(x.partyName(p)) + " (" + esc(string(p)) + ")</li>\n")
	}
	b.WriteString("</ul>\n<h2>Issues</h2>\n")
	if len(mv.issues) == 0 {
		b.WriteString("<p>No issue was taken up.</p>\n")
	}
	for k, is := range mv.issues {
		b.WriteString("<section>\n<h3>" + strconv.Itoa(k+1) + ". " + esc(kindLabel(mv.kinds[is.Thread])) + " raised by " +
			esc(x.partyName(is.RaisedBy)) + "</h3>\n")
		if is.Quote != "" {
			b.WriteString("<p>On the words: <span class=\"quote text\">“" + esc(is.Quote) + "”</span></p>\n")
		}
		if is.Statement != "" {
			b.WriteString("<p class=\"text\">" + esc(is.Statement) + "</p>\n")
		}
		b.WriteString("<p><span class=\"label\">Outcome:</span> " + esc(issueOutcome(is.Outcome)) + "</p>\n")
		if len(is.Dispositions) > 0 {
			b.WriteString("<table>\n<thead><tr><th scope=\"col\">Recorded</th><th scope=\"col\">By</th><th scope=\"col\">At</th><th scope=\"col\">Note</th></tr></thead>\n<tbody>\n")
			for _, d := range is.Dispositions {
				b.WriteString("<tr><td>" + esc(x.outcome(d, d.Confirmed)) + "</td><td>" + esc(x.partyName(d.Party)) + "</td><td>" +
					esc(when(d.At)) + "</td><td class=\"text\">" + esc(d.Body) + "</td></tr>\n")
			}
			b.WriteString("</tbody>\n</table>\n")
		}
		b.WriteString("</section>\n")
	}

	b.WriteString("<h2>Actions</h2>\n")
	if len(mn.Actions) == 0 {
		b.WriteString("<p>No action was recorded.</p>\n")
	}
	for _, group := range actionsByOwner(mn.Actions) {
		b.WriteString("<h3>" + esc(x.partyName(group[0].Owner)) + "</h3>\n<ul>\n")
		for _, a := range group {
			ref := ""
			if n := mv.issueNumber(a.Thread); n > 0 {
				ref = " (issue " + strconv.Itoa(n) + ")"
			}
			b.WriteString("<li>Due " + esc(a.Due) + ": <span class=\"text\">" + esc(a.Body) + "</span>" + ref + "</li>\n")
		}
		b.WriteString("</ul>\n")
	}

	b.WriteString("<h2>Versions proposed during the meeting</h2>\n")
	if len(mn.Versions) == 0 {
		b.WriteString("<p>None.</p>\n")
	} else {
		b.WriteString("<table>\n<thead><tr><th scope=\"col\">Version</th><th scope=\"col\">Proposed by</th><th scope=\"col\">At</th><th scope=\"col\">Note</th><th scope=\"col\">SHA-256</th></tr></thead>\n<tbody>\n")
		for _, v := range mn.Versions {
			b.WriteString("<tr><td>" + strconv.Itoa(v.Version) + "</td><td>" + esc(x.partyName(v.Party)) + "</td><td>" + esc(when(v.At)) +
				"</td><td class=\"text\">" + esc(v.Note) + "</td><td class=\"sha\">" + esc(v.SHA256) + "</td></tr>\n")
		}
		b.WriteString("</tbody>\n</table>\n")
	}

	b.WriteString("<h2>Approval of the minutes</h2>\n")
	if len(mv.m.Approvals) == 0 {
		b.WriteString("<p>No decision yet.</p>\n")
	} else {
		b.WriteString("<table>\n<thead><tr><th scope=\"col\">Who</th><th scope=\"col\">Party</th><th scope=\"col\">Decision</th><th scope=\"col\">At</th><th scope=\"col\">Remarks</th></tr></thead>\n<tbody>\n")
		for _, a := range mv.m.Approvals {
			b.WriteString("<tr><td>" + esc(x.name(a.User)) + " (" + esc(string(a.User)) + ")</td><td>" + esc(x.partyName(a.Party)) + "</td><td>" +
				esc(decisionLabel(a.Decision)) + "</td><td>" + esc(when(a.At)) + "</td><td class=\"text\">" + esc(a.Body) + "</td></tr>\n")
		}
		b.WriteString("</tbody>\n</table>\n")
	}
	b.WriteString("<p>" + esc(x.approvalState(mv)) + " A decision binds to the SHA-256 above.</p>\n")
	if len(mv.since) > 0 {
		b.WriteString("<h2>Since the meeting</h2>\n<ul>\n")
		for _, d := range mv.since {
			b.WriteString("<li>Issue " + strconv.Itoa(mv.issueNumber(d.Thread)) + ": " + esc(x.outcome(d, d.Confirmed)) + "</li>\n")
		}
		b.WriteString("</ul>\n")
	}
	b.WriteString("</main>\n</body>\n</html>\n")
	return []byte(b.String())
}

// minutesDocx writes the minutes as a document of plain paragraphs, one
// per line, dated at the meeting's end (never the clock).
func (x *exporter) minutesDocx(mv *minutesView) ([]byte, error) {
	mn := mv.min
	var lines []string
	add := func(format string, args ...any) { lines = append(lines, fmt.Sprintf(format, args...)) }
	add("%s", x.v.Snapshot.Negotiation.Title)
	add("Minutes of the meeting “%s”", mn.Title)
	add("From %s to %s, chaired by %s.", when(mn.StartedAt), when(mn.EndedAt), x.chair(mv))
	add("SHA-256 of the minutes: %s. %s", mv.m.SHA256, x.approvalState(mv))
	add("")
	add("Present")
	for _, p := range mn.Parties {
		add("%s (%s)", x.partyName(p), p)
	}
	add("")
	add("Issues")
	if len(mv.issues) == 0 {
		add("No issue was taken up.")
	}
	for k, is := range mv.issues {
		add("%d. %s raised by %s", k+1, kindLabel(mv.kinds[is.Thread]), x.partyName(is.RaisedBy))
		if is.Quote != "" {
			add("On the words: “%s”", oneLine(is.Quote))
		}
		if is.Statement != "" {
			add("%s", oneLine(is.Statement))
		}
		add("Outcome: %s", issueOutcome(is.Outcome))
		for _, d := range is.Dispositions {
			line := fmt.Sprintf("Recorded by %s, %s: %s", x.partyName(d.Party), when(d.At), x.outcome(d, d.Confirmed))
			if d.Body != "" {
				line += ". " + oneLine(d.Body)
			}
			add("%s", line)
		}
		add("")
	}
	add("Actions")
	if len(mn.Actions) == 0 {
		add("No action was recorded.")
	}
	for _, group := range actionsByOwner(mn.Actions) {
		add("%s", x.partyName(group[0].Owner))
		for _, a := range group {
			ref := ""
			if n := mv.issueNumber(a.Thread); n > 0 {
				ref = fmt.Sprintf(" (issue %d)", n)
			}
			add("Due %s: %s%s", a.Due, oneLine(a.Body), ref)
		}
	}
	add("")
	add("Versions proposed during the meeting")
	if len(mn.Versions) == 0 {
		add("None.")
	}
	for _, v := range mn.Versions {
		add("Version %d, proposed by %s, %s: %s (SHA-256 %s)", v.Version, x.partyName(v.Party), when(v.At), oneLine(v.Note), v.SHA256)
	}
	add("")
	add("Approval of the minutes")
	if len(mv.m.Approvals) == 0 {
		add("No decision yet.")
	}
	for _, a := range mv.m.Approvals {
		line := fmt.Sprintf("%s (%s), %s: %s, %s", x.name(a.User), a.User, x.partyName(a.Party), decisionLabel(a.Decision), when(a.At))
		if a.Body != "" {
			line += ". " + oneLine(a.Body)
		}
		add("%s", line)
	}
	add("%s A decision binds to the SHA-256 above.", x.approvalState(mv))
	if len(mv.since) > 0 {
		add("")
		add("Since the meeting")
		for _, d := range mv.since {
			add("Issue %d: %s", mv.issueNumber(d.Thread), x.outcome(d, d.Confirmed))
		}
	}
	d := docx.Document{
		Title:    x.v.Snapshot.Negotiation.Title + " — minutes of " + mn.Title,
		Date:     mn.EndedAt.UTC(),
		Author:   x.partyName(mv.m.ChairParty),
		Segments: []docx.Segment{{Kind: docx.Same, Text: strings.Join(lines, "\n")}},
	}
	if x.v.Party != "" {
		d.Creator = x.partyName(x.v.Party)
	}
	return write(d)
}

// oneLine joins a text's lines with spaces: a docx line is a paragraph,
// and a user's text stays within its item.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
