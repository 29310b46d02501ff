// Command mraload measures mra's real-time path against a running server:
// it opens N subscribers on one negotiation, sends comments from a few
// writers, and reports the latency from each send to its receipt by the
// last subscriber, the throughput, and (given the server's pid) the
// server's memory per open WebSocket.
//
//	mraload -url http://127.0.0.1:8080 -user alice -password ... -subscribers 1000 -comments 300 -pid PID
//
// It only ever connects to the given URL (loopback by default), and stops
// after its comments or its timeout.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
)

type config struct {
	url, user, password, negotiation string
	subscribers, writers, comments   int
	rate                             float64
	pid                              int
	timeout                          time.Duration
}

func main() {
	var c config
	flag.StringVar(&c.url, "url", "http://127.0.0.1:8080", "the server's `URL`")
	flag.StringVar(&c.user, "user", "alice", "a negotiator to log in as")
	flag.StringVar(&c.password, "password", os.Getenv("MRA_PASSWORD"), "the user's password (default $MRA_PASSWORD)")
	flag.StringVar(&c.negotiation, "negotiation", "", "negotiation `id` to load (default: create one)")
	flag.IntVar(&c.subscribers, "subscribers", 1000, "subscribed sockets")
	flag.IntVar(&c.writers, "writers", 4, "sockets that send comments")
	flag.IntVar(&c.comments, "comments", 300, "comments to send in all (0: only hold the subscribers open)")
	flag.Float64Var(&c.rate, "rate", 50, "comments per second, all writers together")
	flag.IntVar(&c.pid, "pid", 0, "the server's process id, to read its memory (optional)")
	flag.DurationVar(&c.timeout, "timeout", 2*time.Minute, "give up after this long")
	slow := flag.Int("slow-bodies", 0, "instead: open this many slow unauthenticated login bodies (at most 50000), report /healthz and the server's files, then close them")
	hold := flag.Duration("hold", 5*time.Second, "with -slow-bodies: how long to hold them before measuring")
	failed := flag.Int("failed-logins", 0, "instead: send this many logins with wrong passwords at once (at most 2000; -user \"*\": each for another name), report the answers, /healthz and the server's peak memory")
	flag.Parse()
	if *failed > 0 {
		if err := failedLogins(c, min(*failed, 2000), os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "mraload:", err)
			os.Exit(1)
		}
		return
	}
	if *slow > 0 {
		if err := slowBodies(c, min(*slow, 50_000), *hold, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "mraload:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(c, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "mraload:", err)
		os.Exit(1)
	}
}

// raiseFileLimit lifts the soft limit on open files to the hard one: each
// socket is a file.
func raiseFileLimit() uint64 {
	var r syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r) == nil {
		r.Cur = r.Max
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &r)
	}
	return r.Cur
}

// session is a logged-in HTTP client.
type session struct {
	base   string
	hc     *http.Client
	header http.Header
}

func login(base, user, password string) (*session, error) {
	jar, _ := cookiejar.New(nil)
	s := &session{base: strings.TrimRight(base, "/"), hc: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
	body, _ := json.Marshal(map[string]string{"user": user, "password": password})
	res, err := s.hc.Post(s.base+"/api/login", "application/json", bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("login: %w", err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		return nil, fmt.Errorf("login as %s: %s", user, res.Status)
	}
	u, _ := url.Parse(s.base)
	s.header = http.Header{}
	for _, ck := range jar.Cookies(u) {
		s.header.Add("Cookie", ck.Name+"="+ck.Value)
	}
	return s, nil
}

func (s *session) command(cmd map[string]any) (map[string]any, error) {
	body, _ := json.Marshal(cmd)
	res, err := s.hc.Post(s.base+"/api/command", "application/json", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var a struct {
		Result map[string]any  `json:"result"`
		Error  json.RawMessage `json:"error"`
	}
	if err := json.NewDecoder(res.Body).Decode(&a); err != nil {
		return nil, err
	}
	if res.StatusCode != 200 {
		return nil, fmt.Errorf("%s: %s", cmd["type"], a.Error)
	}
	return a.Result, nil
}

func (s *session) dial() (*websocket.Conn, error) {
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(s.base, "http")+"/ws", s.header)
	return ws, err
}

const text = "Article 1\nThe Customs Administrations shall recognise the validation findings of each other's programs.\n"

// prepare returns the negotiation to load, creating one with a version if asked.
func prepare(s *session, id string) (string, error) {
	if id != "" {
		return id, nil
	}
	stamp := strconv.FormatInt(time.Now().UnixNano(), 36)
	r, err := s.command(map[string]any{"id": "load-create-" + stamp, "type": "create_negotiation", "title": "mraload " + stamp, "parties": []string{"US", "SG"}})
	if err != nil {
		return "", err
	}
	id, _ = r["negotiation"].(string)
	if _, err := s.command(map[string]any{"id": "load-propose-" + stamp, "type": "propose_version", "negotiation": id, "base": 0, "text": text}); err != nil {
		return "", err
	}
	return id, nil
}

// slot tracks one comment: when it was sent, how many subscribers have it,
// and when the last one got it.
type slot struct {
	sent time.Time
	got  atomic.Int32
	last atomic.Int64 // unix nanoseconds
}

var marker = []byte(`"body":"load-`)

func run(c config, out io.Writer) error {
	limit := raiseFileLimit()
	if uint64(c.subscribers+c.writers+64) > limit {
		return fmt.Errorf("%d sockets need more open files than the limit of %d (raise ulimit -Hn)", c.subscribers+c.writers, limit)
	}
	s, err := login(c.url, c.user, c.password)
	if err != nil {
		return err
	}
	neg, err := prepare(s, c.negotiation)
	if err != nil {
		return err
	}
	rssBefore := rss(c.pid)
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	slots := make([]slot, c.comments)

	// Subscribers: each reads everything and stamps the comments it sees.
	var ready, done sync.WaitGroup
	socks := make([]*websocket.Conn, 0, c.subscribers)
	var failed atomic.Int32
	start := time.Now()
	for i := 0; i < c.subscribers; i++ {
		ws, err := s.dial()
		if err != nil {
			return fmt.Errorf("subscriber %d: %w", i, err)
		}
		socks = append(socks, ws)
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			ws.WriteJSON(map[string]any{"id": "sub", "type": "subscribe", "negotiation": neg, "since": map[string]int{"shared": 1 << 30, "internal": 1 << 30}})
			acked := false
			for {
				_, b, err := ws.ReadMessage()
				if err != nil {
					if !acked {
						failed.Add(1)
						ready.Done()
					}
					return
				}
				if !acked && bytes.Contains(b, []byte(`"type":"ack"`)) {
					acked = true
					ready.Done()
					continue
				}
				i := bytes.Index(b, marker)
				if i < 0 {
					continue
				}
				rest := b[i+len(marker):]
				if !bytes.HasPrefix(rest, []byte(run+"-")) {
					continue
				}
				rest = rest[len(run)+1:]
				n, err := strconv.Atoi(string(rest[:bytes.IndexByte(rest, '"')]))
				if err != nil || n < 0 || n >= len(slots) {
					continue
				}
				now := time.Now().UnixNano()
				slots[n].got.Add(1)
				for {
					old := slots[n].last.Load()
					if now <= old || slots[n].last.CompareAndSwap(old, now) {
						break
					}
				}
			}
		}()
	}
	ready.Wait()
	if f := failed.Load(); f > 0 {
		return fmt.Errorf("%d subscribers failed to subscribe", f)
	}
	fmt.Fprintf(out, "%d subscribers on %s in %v\n", c.subscribers, neg, time.Since(start).Round(time.Millisecond))
	time.Sleep(500 * time.Millisecond) // let presence settle
	if rssBefore > 0 {
		after := rss(c.pid)
		fmt.Fprintf(out, "server memory: %.1f MiB before, %.1f MiB with the sockets open: %.1f KiB per socket\n",
			float64(rssBefore)/(1<<20), float64(after)/(1<<20), float64(after-rssBefore)/float64(c.subscribers)/1024)
	}

	// Writers: paced comments, each stamped before it is sent.
	if c.comments > 0 {
		writers := make([]*websocket.Conn, c.writers)
		for i := range writers {
			if writers[i], err = s.dial(); err != nil {
				return fmt.Errorf("writer %d: %w", i, err)
			}
			go drain(writers[i])
		}
		interval := time.Duration(float64(time.Second) / c.rate)
		begin := time.Now()
		for n := 0; n < c.comments; n++ {
			time.Sleep(time.Until(begin.Add(time.Duration(n) * interval)))
			w := writers[n%len(writers)]
			slots[n].sent = time.Now()
			err := w.WriteJSON(map[string]any{"id": fmt.Sprintf("load-%s-%d", run, n), "type": "comment", "negotiation": neg,
				"version": 1, "kind": "note", "visibility": "shared", "body": fmt.Sprintf("load-%s-%d", run, n)})
			if err != nil {
				return fmt.Errorf("comment %d: %w", n, err)
			}
		}
		deadline := time.Now().Add(c.timeout)
		for n := range slots {
			for int(slots[n].got.Load()) < c.subscribers && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
		}
		elapsed := time.Since(begin)
		var lat []time.Duration
		missing := 0
		for n := range slots {
			if int(slots[n].got.Load()) < c.subscribers {
				missing++
				continue
			}
			lat = append(lat, time.Duration(slots[n].last.Load()-slots[n].sent.UnixNano()))
		}
		if len(lat) == 0 {
			return errors.New("no comment reached every subscriber")
		}
		slices.Sort(lat)
		pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
		fmt.Fprintf(out, "%d comments to %d subscribers (%d never reached all): send to last receipt p50 %v, p99 %v, max %v\n",
			c.comments, c.subscribers, missing, pct(0.50).Round(time.Microsecond), pct(0.99).Round(time.Microsecond), lat[len(lat)-1].Round(time.Microsecond))
		fmt.Fprintf(out, "throughput: %.0f comments/s sent, %.0f event deliveries/s\n",
			float64(c.comments)/elapsed.Seconds(), float64(c.comments*c.subscribers)/elapsed.Seconds())
		for _, w := range writers {
			w.Close()
		}
	}
	for _, ws := range socks {
		ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
		ws.Close()
	}
	done.Wait()
	return nil
}

// drain reads and drops a writer's answers until its socket closes.
func drain(ws *websocket.Conn) {
	for {
		if _, _, err := ws.ReadMessage(); err != nil {
			return
		}
	}
}

// rss returns a process's resident memory in bytes (0 when unknown).
func rss(pid int) int64 {
	if pid <= 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}
