// Command mra runs the negotiation server and its tools. Each subcommand is
// one function of run's table; run returns the process exit code, so tests
// drive the real program without a subprocess.
package main

import (
	"fmt"
	"io"
	"maps"
	"os"
	"runtime/debug"
	"slices"
)

func main() {
	if len(os.Args) > 1 && commands()[os.Args[1]].batch {
		// A batch command holds its inputs and result at once and exits:
		// collecting only near a generous limit saves most of its GC work.
		debug.SetGCPercent(-1)
		debug.SetMemoryLimit(1 << 30)
	}
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// command is one subcommand: it gets its arguments and the standard streams
// and returns the exit code.
type command struct {
	summary string
	run     func(args []string, stdin io.Reader, stdout, stderr io.Writer) int
	batch   bool // runs once over its inputs and exits (see main)
}

func commands() map[string]command {
	return map[string]command{
		"diff":   {"print the word-level redline of two UTF-8 files", runDiff, true},
		"serve":  {"run the server", runServe, false},
		"demo":   {"run the server, first seeding an empty database with demo data", runDemo, false},
		"party":  {"add a party: mra party add --db FILE --id US --name NAME", runParty, false},
		"user":   {"add a user: mra user add --db FILE --id alice --party US --role negotiator", runUser, false},
		"verify": {"check every event log's hash chain", runVerify, false},
		"export": {"export a negotiation's text, redline or record from a stopped server's database", runExport, true},
		"import": {"print a .docx file's text: mra import FILE.docx", runImport, true},
	}
}

// Exit codes: 0 success, 1 failure (with a message on stderr), 2 bad usage.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stderr, cmds)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "mra: unknown command %q\n", args[0])
		usage(stderr, cmds)
		return exitUsage
	}
	return c.run(args[1:], stdin, stdout, stderr)
}

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "usage: mra COMMAND [flags] [args]")
	fmt.Fprintln(w, "\ncommands:")
	for _, name := range slices.Sorted(maps.Keys(cmds)) {
		fmt.Fprintf(w, "  %-8s %s\n", name, cmds[name].summary)
	}
	fmt.Fprintln(w, "\nRun 'mra COMMAND -h' for a command's flags.")
}
