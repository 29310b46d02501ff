package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"mra/server"
	"mra/server/boltstore"
	"mra/server/mra"
)

// openDB opens the database of an admin command; a running server holding
// it makes this fail within the store's lock timeout, saying so.
func openDB(fs *flag.FlagSet, db string, stderr io.Writer) (*boltstore.Store, int) {
	return openDBWith(fs, db, boltstore.Options{}, stderr)
}

// openDBWith is openDB with the store's options.
func openDBWith(fs *flag.FlagSet, db string, opts boltstore.Options, stderr io.Writer) (*boltstore.Store, int) {
	if db == "" {
		fmt.Fprintf(stderr, "%s: --db is required\n", fs.Name())
		return nil, exitUsage
	}
	st, err := boltstore.Open(db, opts)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", fs.Name(), err)
		if errors.Is(err, boltstore.ErrLocked) && (strings.HasPrefix(fs.Name(), "mra user") || strings.HasPrefix(fs.Name(), "mra party")) {
			fmt.Fprintln(stderr, "While the server runs, a party's admin adds users, disables them and resets passwords in the page\n"+
				"(Users, in the header), or by the commands in server/README.md \"Administration\"; stop the server to do it here.")
		}
		return nil, exitFail
	}
	return st, exitOK
}

// parseFlags parses an admin command's flags; it returns false with the exit
// code on a usage error.
func parseFlags(fs *flag.FlagSet, args []string) (int, bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK, false
		}
		return exitUsage, false
	}
	if fs.NArg() != 0 {
		fmt.Fprintf(fs.Output(), "%s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return exitUsage, false
	}
	return exitOK, true
}

// runParty is `mra party add --db FILE --id US --name NAME [--program P]`.
func runParty(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "add" {
		fmt.Fprintln(stderr, "usage: mra party add --db FILE --id US --name NAME [--program PROGRAM]")
		return exitUsage
	}
	fs := flag.NewFlagSet("mra party add", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", "", "database `file`")
	var p mra.Party
	fs.StringVar((*string)(&p.ID), "id", "", "the party's short `code`, e.g. US")
	fs.StringVar(&p.Name, "name", "", "the administration's `name`")
	fs.StringVar(&p.Program, "program", "", "its AEO `program`, e.g. CTPAT")
	if code, ok := parseFlags(fs, args[1:]); !ok {
		return code
	}
	if mra.CheckPartyCode(p.ID) != nil || strings.TrimSpace(p.Name) == "" {
		fmt.Fprintln(stderr, "mra party add: --id (2 to 8 capital letters or digits) and --name are required")
		return exitUsage
	}
	st, code := openDB(fs, *db, stderr)
	if st == nil {
		return code
	}
	defer st.Close()
	if _, err := server.Operate(st, time.Now(), server.AddParty(p)); err != nil {
		fmt.Fprintf(stderr, "mra party add: party %s: %v\n", p.ID, err)
		return exitFail
	}
	fmt.Fprintf(stdout, "added party %s (%s)\n", p.ID, p.Name)
	return exitOK
}

// runUser is `mra user add --db FILE --id alice --party US --role R[,R] [--name N]`,
// reading the password from the first line of standard input.
func runUser(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "reset-password" {
		return runResetPassword(args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "add" {
		fmt.Fprintln(stderr, "usage: mra user add --db FILE --id alice --party US --role negotiator[,legal,signatory,admin] [--name NAME] < password")
		fmt.Fprintln(stderr, "       mra user reset-password --db FILE --id alice")
		return exitUsage
	}
	fs := flag.NewFlagSet("mra user add", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", "", "database `file`")
	var u mra.User
	fs.StringVar((*string)(&u.ID), "id", "", "the login `name`")
	fs.StringVar((*string)(&u.Party), "party", "", "the user's party `code`")
	roles := fs.String("role", "", "comma-separated `roles`: negotiator, legal, signatory, admin")
	fs.StringVar(&u.Name, "name", "", "the user's full `name` (default: the login name)")
	if code, ok := parseFlags(fs, args[1:]); !ok {
		return code
	}
	if u.ID == "" || strings.ContainsAny(string(u.ID), " \t\r\n") || utf8.RuneCountInString(string(u.ID)) > 64 {
		fmt.Fprintln(stderr, "mra user add: --id is required: a login name without spaces, at most 64 characters")
		return exitUsage
	}
	for _, r := range strings.Split(*roles, ",") {
		role := mra.Role(strings.TrimSpace(r))
		if !mra.ValidRole(role) {
			fmt.Fprintf(stderr, "mra user add: unknown role %q (want negotiator, legal, signatory or admin)\n", role)
			return exitUsage
		}
		u.Roles = append(u.Roles, role)
	}
	if u.Name == "" {
		u.Name = string(u.ID)
	}
	password, err := bufio.NewReader(stdin).ReadString('\n')
	password = strings.TrimRight(password, "\r\n")
	if (err != nil && err != io.EOF) || utf8.RuneCountInString(password) < 8 {
		fmt.Fprintln(stderr, "mra user add: give a password of at least 8 characters on the first line of standard input")
		return exitUsage
	}
	st, code := openDB(fs, *db, stderr)
	if st == nil {
		return code
	}
	defer st.Close()
	if u.PasswordHash, err = server.HashPassword(password); err != nil {
		fmt.Fprintf(stderr, "mra user add: %v\n", err)
		return exitFail
	}
	if _, err := server.Operate(st, time.Now(), server.AddUser(u)); err != nil {
		var e *mra.Error
		if errors.As(err, &e) && e.Code == mra.CodeNotFound {
			fmt.Fprintf(stderr, "mra user add: no party %q (add it with mra party add)\n", u.Party)
		} else {
			fmt.Fprintf(stderr, "mra user add: user %s: %v\n", u.ID, err)
		}
		return exitFail
	}
	fmt.Fprintf(stdout, "added user %s (%s) to party %s\n", u.ID, *roles, u.Party)
	return exitOK
}

// runResetPassword is `mra user reset-password --db FILE --id alice`: a
// new one-time password for the user, printed once, which works for one
// login that must change it (the remedy for a forgotten password, or for
// the demo's passwords, shown only when its database was made). The
// user's sessions end: a server holding the file is stopped first.
func runResetPassword(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mra user reset-password", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", "", "database `file`")
	id := fs.String("id", "", "the user's login `name`")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if *id == "" {
		fmt.Fprintln(stderr, "mra user reset-password: --id is required")
		return exitUsage
	}
	st, code := openDBWith(fs, *db, boltstore.Options{MustExist: true}, stderr)
	if st == nil {
		return code
	}
	defer st.Close()
	cmd := &mra.Command{Type: mra.CmdResetPassword, User: &mra.UserArg{ID: mra.UserID(*id), Ref: true}}
	res, err := server.Operate(st, time.Now(), server.Operation{Command: cmd})
	if err != nil {
		fmt.Fprintf(stderr, "mra user reset-password: %v\n", err)
		return exitFail
	}
	if err := st.DeleteUserSessions(mra.UserID(*id)); err != nil {
		fmt.Fprintf(stderr, "mra user reset-password: end the sessions of %s: %v\n", *id, err)
		return exitFail
	}
	fmt.Fprintf(stdout, "one-time password for %s: %s\n", *id, res[0]["password"])
	fmt.Fprintln(stdout, "It works for one login, which must choose a new password. Hand it over privately.")
	return exitOK
}

// runVerify is `mra verify --db FILE`: the file (CheckFile), then every
// hash chain and the state against the fold of the events (Audit); or the
// first thing that fails. A missing, empty, truncated or damaged file fails (exit 1) naming
// what is wrong; verify never creates or initialises a file.
func runVerify(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mra verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", "", "database `file`")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	st, code := openDBWith(fs, *db, boltstore.Options{MustExist: true}, stderr)
	if st == nil {
		return code
	}
	defer st.Close()
	if err := st.CheckFile(); err != nil {
		fmt.Fprintf(stderr, "mra verify: %v\n", err)
		return exitFail
	}
	if _, err := st.Audit(); err != nil { // every chain, then the fold
		fmt.Fprintf(stderr, "mra verify: %v\n", err)
		return exitFail
	}
	fmt.Fprintln(stdout, "mra verify: every event log is intact, every text matches its SHA-256, and the state served is the fold of the events")
	return exitOK
}
