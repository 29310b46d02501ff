package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"

	"mra/server/boltstore"
	"mra/server/docx"
	"mra/server/export"
	"mra/server/mra"
)

// runExport is `mra export --db FILE --negotiation ID --kind KIND --format
// FORMAT [--version N] [--from M] [--meeting ID] [--party P [--internal]] [-o FILE]`: an
// administrator's export from a stopped server's database. It takes party
// P's view (P must take part), or without --party shared material only;
// --internal adds P's own internal threads, and needs --party.
func runExport(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mra export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", "", "database `file` (of a stopped server)")
	neg := fs.String("negotiation", "", "the negotiation's `id`")
	var r export.Request
	fs.StringVar((*string)(&r.Kind), "kind", "", "clean, redline, bracketed, record or minutes")
	fs.StringVar((*string)(&r.Format), "format", "", "txt, docx, html or json (as the kind allows)")
	fs.StringVar((*string)(&r.Meeting), "meeting", "", "the meeting `id` whose minutes to export (kind minutes)")
	fs.IntVar(&r.Version, "version", 0, "the version `N` (default the latest)")
	fs.IntVar(&r.From, "from", 0, "a redline's old version `M` (default N-1)")
	party := fs.String("party", "", "whose view to export, a party `code` (default: shared material only)")
	fs.BoolVar(&r.Internal, "internal", false, "add --party's own internal threads (html and docx)")
	out := fs.String("o", "", "write to `file` (default standard output)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if *neg == "" || r.Kind == "" || r.Format == "" {
		fmt.Fprintln(stderr, "mra export: --db, --negotiation, --kind and --format are required")
		return exitUsage
	}
	if r.Internal && *party == "" {
		fmt.Fprintln(stderr, "mra export: --internal needs --party: only a party's own internal threads may be exported")
		return exitUsage
	}
	if err := r.Check(); err != nil {
		fmt.Fprintf(stderr, "mra export: %s\n", message(err))
		return exitUsage
	}
	if *db == "" {
		fmt.Fprintln(stderr, "mra export: --db is required")
		return exitUsage
	}
	st, err := boltstore.Open(*db, boltstore.Options{MustExist: true})
	if errors.Is(err, boltstore.ErrLocked) {
		fmt.Fprintf(stderr, "mra export: %v\nA running server holds it: export from the server instead, with the page's Export menu or GET /api/negotiations/%s/export.\n", err, *neg)
		return exitFail
	}
	if err != nil {
		fmt.Fprintf(stderr, "mra export: %v\n", err)
		return exitFail
	}
	defer st.Close()
	f, err := exportFrom(st, mra.NegotiationID(*neg), mra.PartyID(*party), r)
	if err != nil {
		fmt.Fprintf(stderr, "mra export: %s\n", message(err))
		return exitFail
	}
	if *out == "" {
		if _, err := stdout.Write(f.Body); err != nil {
			fmt.Fprintf(stderr, "mra export: %v\n", err)
			return exitFail
		}
		return exitOK
	}
	if err := os.WriteFile(*out, f.Body, 0o600); err != nil {
		fmt.Fprintf(stderr, "mra export: %v\n", err)
		return exitFail
	}
	fmt.Fprintf(stderr, "mra export: wrote %s (%d bytes)\n", *out, len(f.Body))
	return exitOK
}

// exportFrom makes an export from a store, through the same view as the
// server's endpoint.
func exportFrom(st *boltstore.Store, id mra.NegotiationID, party mra.PartyID, r export.Request) (*export.File, error) {
	stored, err := st.Load()
	if err != nil {
		return nil, err
	}
	k := slices.IndexFunc(stored, func(s mra.Stored) bool { return s.ID == id })
	if k < 0 {
		return nil, fmt.Errorf("no negotiation %q", id)
	}
	n, err := mra.Restore(stored[k])
	if err != nil {
		return nil, err
	}
	if party != "" && !n.Member(party) {
		return nil, fmt.Errorf("party %s takes no part in negotiation %s", party, id)
	}
	ps, err := st.Parties()
	if err != nil {
		return nil, err
	}
	parties := map[mra.PartyID]mra.Party{}
	for _, p := range ps {
		parties[p.ID] = p
	}
	users, err := st.Users()
	if err != nil {
		return nil, err
	}
	v := export.ViewOf(n, party, parties)
	v.Names = map[mra.UserID]string{}
	for _, u := range users {
		if n.Member(u.Party) {
			v.Names[u.ID] = u.Name
		}
	}
	v.Text = export.TextsBySHA(v.Snapshot, st.Text)
	export.SetPast(&v, id, parties, func(k mra.StreamKey) ([][]byte, error) { return st.Events(id, k, 0, 0, 0) }, st.Text)
	return export.Make(v, r)
}

// message is an error as a user reads it: a contract error's message alone.
func message(err error) string {
	var e *mra.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

// runImport is `mra import FILE.docx`: the document's text on standard
// output (one line per paragraph, tracked insertions kept, deletions
// dropped), what was found on standard error. No database is needed.
func runImport(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mra import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, "usage: mra import FILE.docx > text.txt") }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitUsage
	}
	path := fs.Arg(0)
	info, err := os.Stat(path)
	if err == nil && info.Size() > 16<<20 {
		fmt.Fprintf(stderr, "mra import: %s is over 16 MiB, the import limit\n", path)
		return exitFail
	}
	data, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(stderr, "mra import: %v\n", err)
		return exitFail
	}
	rep, err := docx.Read(data, docx.Options{})
	if err != nil {
		var de *docx.Error
		if errors.As(err, &de) {
			fmt.Fprintf(stderr, "mra import: %s: %s\n", path, de.Reason)
		} else {
			fmt.Fprintf(stderr, "mra import: %s: %v\n", path, err)
		}
		return exitFail
	}
	if _, err := io.WriteString(stdout, rep.Text); err != nil {
		fmt.Fprintf(stderr, "mra import: %v\n", err)
		return exitFail
	}
	fmt.Fprintf(stderr, "mra import: %d paragraphs, %d tracked changes (insertions kept, deletions dropped), %d runs of hidden text left out", rep.Paragraphs, rep.TrackedChanges, rep.Hidden)
	if rep.Headers+rep.Footers+rep.Footnotes+rep.Endnotes+rep.Comments > 0 {
		fmt.Fprintf(stderr, "; not in the text: %d headers, %d footers, %d footnotes, %d endnotes, %d comments",
			rep.Headers, rep.Footers, rep.Footnotes, rep.Endnotes, rep.Comments)
	}
	fmt.Fprintln(stderr)
	return exitOK
}
