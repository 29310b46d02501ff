package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"mra/server/boltstore"
	"mra/server/mra"
	"mra/server/servertest"
)

// login logs in to the running app at url: the test world's client.
func login(t *testing.T, url, user, password string) *servertest.Client {
	t.Helper()
	return servertest.LoginAt(t, url, mra.UserID(user), password, nil)
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// demoPasswords reads the user table the demo prints.
func demoPasswords(t *testing.T, out string) map[string]string {
	t.Helper()
	pw := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^\s+(\w+)\s+(US|SG)\s+\w+\s+(\S+)$`).FindAllStringSubmatch(out, -1) {
		pw[m[1]] = m[3]
	}
	if len(pw) != 8 {
		t.Fatalf("demo printed %d users:\n%s", len(pw), out)
	}
	return pw
}

// TestDemo runs the real program with demo data and uses it as the two
// parties would.
func TestDemo(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	var out bytes.Buffer
	app, err := Open(Config{Addr: "127.0.0.1:0", DB: db, Demo: true}, quiet(), &out)
	if err != nil {
		t.Fatal(err)
	}
	pw := demoPasswords(t, out.String())
	alice := login(t, app.URL(), "alice", pw["alice"])
	mei := login(t, app.URL(), "mei", pw["mei"])

	var list struct {
		Negotiations []struct {
			ID            string `json:"id"`
			Title         string `json:"title"`
			Status        string `json:"status"`
			LatestVersion int    `json:"latest_version"`
			Amends        string `json:"amends"`
			AmendedBy     []string
			ReviewDue     string `json:"review_due"`
		} `json:"negotiations"`
	}
	alice.GetJSON("/api/negotiations", &list)
	byTitle := map[string]int{}
	for i, n := range list.Negotiations {
		byTitle[n.Title] = i
	}
	main, signed, amendment := list.Negotiations[byTitle[demoTitle]], list.Negotiations[byTitle["Arrangement on the exchange of AEO program information"]],
		list.Negotiations[byTitle["Amendment 1: notice of suspensions"]]
	if len(list.Negotiations) != 3 || main.LatestVersion != 2 || main.Status != "negotiating" {
		t.Fatalf("demo negotiations: %+v", list)
	}
	if signed.Status != "signed" || signed.ReviewDue == "" || amendment.Amends != signed.ID || amendment.LatestVersion != 2 || amendment.Status != "negotiating" {
		t.Errorf("the demo's signed arrangement %+v and its amendment %+v", signed, amendment)
	}
	id := main.ID
	// The partnership around the signed arrangement, in its implementation stage.
	var parts struct {
		Partnerships []struct {
			ID           string   `json:"id"`
			Current      string   `json:"current"`
			Negotiations []string `json:"negotiations"`
		} `json:"partnerships"`
	}
	mei.GetJSON("/api/partnerships", &parts)
	if len(parts.Partnerships) != 1 || parts.Partnerships[0].Current != "implementation" || len(parts.Partnerships[0].Negotiations) != 2 {
		t.Errorf("demo partnerships: %+v", parts)
	}
	type snap struct {
		Threads []struct {
			Kind, Visibility, Status string
		} `json:"threads"`
		SignOffs  []json.RawMessage `json:"sign_offs"`
		Readiness struct {
			OpenIssues    int `json:"open_issues"`
			VoidConsensus int `json:"void_consensus"`
		} `json:"readiness"`
	}
	var us, sg snap
	alice.GetJSON("/api/negotiations/"+id, &us)
	mei.GetJSON("/api/negotiations/"+id, &sg)
	// Five threads and one internal to US, then an open issue on suspension
	// and three options' rationale notes.
	if len(us.Threads) != 9 || len(sg.Threads) != 8 || len(us.SignOffs) != 1 {
		t.Errorf("demo: US sees %d threads, SG %d, %d sign-offs; want 9, 8 and 1", len(us.Threads), len(sg.Threads), len(us.SignOffs))
	}
	if us.Readiness.OpenIssues != 2 || us.Readiness.VoidConsensus != 1 {
		t.Errorf("demo readiness: %+v", us.Readiness)
	}
	if err := app.Close(context.Background()); err != nil {
		t.Fatal(err)
	}

	// Started again on the same file, the demo keeps what is there.
	out.Reset()
	app, err = Open(Config{Addr: "127.0.0.1:0", DB: db, Demo: true}, quiet(), &out)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close(context.Background())
	for user, p := range pw {
		if strings.Contains(out.String(), p) {
			t.Errorf("second start printed %s's password again:\n%s", user, out.String())
		}
	}
	if !strings.Contains(out.String(), "shown when it was made") || !strings.Contains(out.String(), "delete "+db) ||
		!strings.Contains(out.String(), "mra user reset-password --db "+db) {
		t.Errorf("second start does not say where the passwords went and how to start over:\n%s", out.String())
	}
	alice = login(t, app.URL(), "alice", pw["alice"])
	alice.GetJSON("/api/negotiations", &list)
	if len(list.Negotiations) != 3 {
		t.Errorf("after restart: %+v", list)
	}
}

func TestPartyUserVerify(t *testing.T) {
	db := filepath.Join(t.TempDir(), "mra.db")
	run := func(stdin string, args ...string) (int, string) {
		var out, errOut bytes.Buffer
		code := run(args, strings.NewReader(stdin), &out, &errOut)
		return code, out.String() + errOut.String()
	}
	for _, c := range []struct {
		stdin string
		args  []string
		code  int
		say   string
	}{
		{"", []string{"party", "add", "--db", db, "--id", "US", "--name", "U.S. Customs and Border Protection", "--program", "CTPAT"}, 0, "added party US"},
		{"", []string{"party", "add", "--db", db, "--id", "SG", "--name", "Singapore Customs"}, 0, "added party SG"},
		{"", []string{"party", "add", "--db", db, "--id", "US", "--name", "Again"}, 1, "is taken"},
		{"", []string{"party", "add", "--db", db, "--id", "us", "--name", "lower"}, 2, "capital letters"},
		{"s3cret-passphrase\n", []string{"user", "add", "--db", db, "--id", "alice", "--party", "US", "--role", "negotiator,legal", "--name", "Alice"}, 0, "added user alice"},
		{"s3cret-passphrase\n", []string{"user", "add", "--db", db, "--id", "alice", "--party", "US", "--role", "negotiator"}, 1, "is taken"},
		{"s3cret-passphrase\n", []string{"user", "add", "--db", db, "--id", "bob", "--party", "ZZ", "--role", "negotiator"}, 1, `no party "ZZ"`},
		{"s3cret-passphrase\n", []string{"user", "add", "--db", db, "--id", "bob", "--party", "SG", "--role", "king"}, 2, "unknown role"},
		{"short\n", []string{"user", "add", "--db", db, "--id", "bob", "--party", "SG", "--role", "legal"}, 2, "at least 8"},
		{"another-passphrase\n", []string{"user", "add", "--db", db, "--id", "mei", "--party", "SG", "--role", "negotiator"}, 0, "added user mei"},
		{"", []string{"verify", "--db", db}, 0, "intact"},
	} {
		code, out := run(c.stdin, c.args...)
		if code != c.code || !strings.Contains(out, c.say) {
			t.Fatalf("mra %s: exit %d %q; want %d saying %q", strings.Join(c.args, " "), code, out, c.code, c.say)
		}
	}

	app, err := Open(Config{Addr: "127.0.0.1:0", DB: db}, quiet(), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	alice := login(t, app.URL(), "alice", "s3cret-passphrase")
	body := `{"id":"c1","type":"create_negotiation","title":"Test","parties":["US","SG"]}`
	res, err := alice.HC.Post(app.URL()+"/api/command", "application/json", strings.NewReader(body))
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("create: %v %v", err, res)
	}
	var ack struct {
		Result struct {
			Negotiation string `json:"negotiation"`
		} `json:"result"`
	}
	json.NewDecoder(res.Body).Decode(&ack)
	res.Body.Close()
	for i, cmd := range []string{
		`{"id":"c2","type":"propose_version","negotiation":"N","base":0,"text":"Article 1\nThe Parties agree.\n"}`,
		`{"id":"c3","type":"comment","negotiation":"N","version":1,"kind":"note","visibility":"shared","body":"Fine."}`,
		`{"id":"c4","type":"comment","negotiation":"N","version":1,"kind":"note","visibility":"internal","body":"Check."}`,
	} {
		res, err := alice.HC.Post(app.URL()+"/api/command", "application/json", strings.NewReader(strings.Replace(cmd, `"N"`, `"`+ack.Result.Negotiation+`"`, 1)))
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("command %d: %v %v", i, err, res.Status)
		}
		res.Body.Close()
	}

	// While the server holds the file, another command fails fast, saying so.
	start := time.Now()
	code, out := run("", "verify", "--db", db)
	if code != 1 || !strings.Contains(out, "in use") || time.Since(start) > 2*time.Second {
		t.Errorf("verify on a held database: exit %d after %v: %q", code, time.Since(start), out)
	}
	// Adding a user then says where it is done while the server runs.
	if code, out := run("another-passphrase\n", "user", "add", "--db", db, "--id", "zed", "--party", "US", "--role", "legal"); code != 1 ||
		!strings.Contains(out, "in use") || !strings.Contains(out, "admin adds users") {
		t.Errorf("user add on a held database: exit %d: %q", code, out)
	}
	if err := app.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if code, out := run("", "verify", "--db", db); code != 0 {
		t.Fatalf("verify: %d %s", code, out)
	}

	// Alter one byte of the shared stream's second event: verify names it.
	tamper(t, db, ack.Result.Negotiation, "shared", 2)
	code, out = run("", "verify", "--db", db)
	if code != 1 || !strings.Contains(out, ack.Result.Negotiation) || !strings.Contains(out, "shared") || !strings.Contains(out, "event 2") {
		t.Errorf("verify of an altered event: exit %d: %q", code, out)
	}
}

// tamper changes one character of a stored event's body in the file.
func tamper(t *testing.T, path, neg, stream string, seq uint64) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("negotiations")).Bucket([]byte(neg)).Bucket([]byte("streams")).Bucket([]byte(stream))
		key := binary.BigEndian.AppendUint64(nil, seq)
		v := append([]byte(nil), b.Get(key)...)
		i := bytes.Index(v, []byte(`"note":"`))
		if i < 0 {
			i = bytes.Index(v, []byte(`"kind":"`))
		}
		v[i+8] ^= 0x01
		return b.Put(key, v)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// buildBinary builds the real mra binary into dir.
func buildBinary(t *testing.T, dir string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(dir, "mra")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// startDemo runs `mra demo` on db and returns the process, its URL and what
// it printed before serving (the demo users' passwords).
func startDemo(t *testing.T, bin, db string) (*exec.Cmd, string, string) {
	t.Helper()
	cmd := exec.Command(bin, "demo", "--addr", "127.0.0.1:0", "--db", db)
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var printed strings.Builder
	sc := bufio.NewScanner(stdout)
	url := ""
	for url == "" && sc.Scan() {
		printed.WriteString(sc.Text() + "\n")
		if m := regexp.MustCompile(`serving .* on (http://\S+)`).FindStringSubmatch(sc.Text()); m != nil {
			url = m[1]
		}
	}
	go io.Copy(io.Discard, stdout)
	if url == "" {
		cmd.Process.Kill()
		t.Fatal("the binary never said where it serves")
	}
	return cmd, url, printed.String()
}

// TestBinaryServesAndStops builds the real binary, serves, and stops it with
// SIGTERM: it shuts down cleanly and the database opens again.
func TestBinaryServesAndStops(t *testing.T) {
	dir := t.TempDir()
	bin := buildBinary(t, dir)
	db := filepath.Join(dir, "mra.db")
	cmd, url, _ := startDemo(t, bin, db)
	res, err := http.Get(url + "/healthz")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("healthz: %v", err)
	}
	res.Body.Close()
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v", err)
		}
	case <-time.After(15 * time.Second):
		cmd.Process.Kill()
		t.Fatal("no exit 15 s after SIGTERM")
	}
	var out, errOut bytes.Buffer
	if code := run([]string{"verify", "--db", db}, nil, &out, &errOut); code != 0 {
		t.Errorf("verify after shutdown: %s %s", out.String(), errOut.String())
	}
}

// TestCrashLosesNoAcknowledgedCommand kills the real server with SIGKILL
// while comments pour in: every comment it acknowledged is in the database,
// which opens cleanly with every chain intact.
func TestCrashLosesNoAcknowledgedCommand(t *testing.T) {
	dir := t.TempDir()
	bin := buildBinary(t, dir)
	db := filepath.Join(dir, "mra.db")
	cmd, url, printed := startDemo(t, bin, db)
	alice := login(t, url, "alice", demoPasswords(t, printed)["alice"])
	var list struct {
		Negotiations []struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		} `json:"negotiations"`
	}
	alice.GetJSON("/api/negotiations", &list)
	neg := ""
	for _, n := range list.Negotiations {
		if n.Title == demoTitle {
			neg = n.ID
		}
	}

	var mu sync.Mutex
	acked := map[string]string{} // command id → thread id
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				id := fmt.Sprintf("crash-%d-%d", g, n)
				body, _ := json.Marshal(map[string]any{"id": id, "type": "comment", "negotiation": neg, "version": 2,
					"kind": "note", "visibility": "shared", "body": "note " + id})
				res, err := alice.HC.Post(url+"/api/command", "application/json", bytes.NewReader(body))
				if err != nil {
					return // the server is gone
				}
				var a struct {
					Result struct {
						Thread string `json:"thread"`
					} `json:"result"`
				}
				err = json.NewDecoder(res.Body).Decode(&a)
				res.Body.Close()
				if err == nil && res.StatusCode == 200 {
					mu.Lock()
					acked[id] = a.Result.Thread
					mu.Unlock()
				}
			}
		}()
	}
	time.Sleep(1500 * time.Millisecond)
	cmd.Process.Kill() // no shutdown, no flush: a crash
	cmd.Wait()
	close(stop)
	wg.Wait()
	if len(acked) < 50 {
		t.Fatalf("only %d comments acknowledged before the crash", len(acked))
	}

	st, err := boltstore.Open(db, boltstore.Options{})
	if err != nil {
		t.Fatalf("the database does not open after the crash: %v", err)
	}
	defer st.Close()
	if err := st.Verify(); err != nil {
		t.Fatalf("verify after the crash: %v", err)
	}
	stored, err := st.Load()
	if err != nil {
		t.Fatal(err)
	}
	var n *mra.Negotiation
	for _, s := range stored {
		if string(s.ID) == neg {
			if n, err = mra.Restore(s); err != nil {
				t.Fatal(err)
			}
		}
	}
	for id, thread := range acked {
		if _, ok, err := st.Answer("alice", id); err != nil || !ok {
			t.Errorf("acknowledged command %s has no stored answer", id)
		}
		if n == nil || n.Threads[mra.ThreadID(thread)] == nil {
			t.Errorf("acknowledged comment %s (thread %s) is lost", id, thread)
		}
	}
	t.Logf("%d acknowledged comments, all on disk after SIGKILL", len(acked))
}
