package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sync"
	"time"
)

// slowBodies is the -slow-bodies mode: it opens n connections to the
// server that each send a login's headers and one byte of a 60 KB body,
// then stall, as an attacker's slow bodies would; it reports /healthz's
// latency (and, logged in, /api/me's) and the server's open files and
// memory before the flood and while it holds, then closes every connection.
// It stops after n connections and c.timeout.
func slowBodies(c config, n int, hold time.Duration, out io.Writer) error {
	u, err := url.Parse(c.url)
	if err != nil || u.Scheme != "http" {
		return fmt.Errorf("-url: want http://host:port")
	}
	limit := raiseFileLimit()
	var me *session
	if c.password != "" {
		if me, err = login(c.url, c.user, c.password); err != nil {
			return err
		}
	}
	probe := func(label string) {
		h, hf := latency(c.url+"/healthz", nil)
		fmt.Fprintf(out, "%-8s healthz median %v (%d of 5 failed)", label, h, hf)
		if me != nil {
			m, mf := latency(c.url+"/api/me", me.header)
			fmt.Fprintf(out, ", me median %v (%d failed)", m, mf)
		}
		if c.pid > 0 {
			fmt.Fprintf(out, ", server fds %d, rss %.1f MiB", fds(c.pid), float64(rss(c.pid))/(1<<20))
		}
		fmt.Fprintln(out)
	}
	probe("before")

	deadline := time.Now().Add(c.timeout)
	var mu sync.Mutex
	var conns []net.Conn
	var failed int
	var wg sync.WaitGroup
	sem := make(chan struct{}, 256)
	start := time.Now()
	for i := 0; i < n && time.Now().Before(deadline); i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			conn, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
			if err == nil {
				_, err = io.WriteString(conn, "POST /api/login HTTP/1.1\r\nHost: "+u.Host+
					"\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n{")
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failed++
				if conn != nil {
					conn.Close()
				}
				return
			}
			conns = append(conns, conn)
		}()
	}
	wg.Wait()
	fmt.Fprintf(out, "opened %d slow bodies in %v (%d failed; file limit %d)\n", len(conns), time.Since(start).Round(time.Millisecond), failed, limit)
	defer func() {
		for _, conn := range conns {
			conn.Close()
		}
	}()
	time.Sleep(min(hold, time.Until(deadline)))
	probe("during")
	// how many the server has closed on us (answered or dropped)
	closed := 0
	buf := make([]byte, 1)
	for _, conn := range conns {
		conn.SetReadDeadline(time.Now().Add(time.Millisecond))
		if _, err := conn.Read(buf); err == nil || !isTimeout(err) {
			closed++
		}
	}
	fmt.Fprintf(out, "the server closed or answered %d of %d\n", closed, len(conns))
	return nil
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

// latency is the median of 5 GETs of target on fresh connections, and how
// many failed (5 s each at most).
func latency(target string, header http.Header) (time.Duration, int) {
	hc := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	var ds []time.Duration
	failed := 0
	for range 5 {
		req, _ := http.NewRequest("GET", target, nil)
		for k, v := range header {
			req.Header[k] = v
		}
		t0 := time.Now()
		res, err := hc.Do(req)
		d := time.Since(t0)
		if err != nil || res.StatusCode != 200 {
			failed++
			d = 5 * time.Second
		}
		if res != nil {
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
		ds = append(ds, d)
	}
	slices.Sort(ds)
	return ds[len(ds)/2].Round(100 * time.Microsecond), failed
}

// fds counts a process's open files (-1 when unknown).
func fds(pid int) int {
	es, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return -1
	}
	return len(es)
}
