package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"
)

// failedLogins is the -failed-logins mode: n logins with wrong passwords
// at once (for the user given, or n user names when the user is "*"), as
// a password-guessing flood. While they run it probes /healthz every 20 ms
// and samples the server's memory; it reports the answers by status, the
// probes' median and worst latency and the peak memory. It stops after n
// logins and c.timeout.
func failedLogins(c config, n int, out io.Writer) error {
	hc := &http.Client{Timeout: c.timeout, Transport: &http.Transport{MaxConnsPerHost: 0, MaxIdleConnsPerHost: n}}
	var mu sync.Mutex
	codes := map[int]int{}
	var probes []time.Duration
	var peak int64
	stop := make(chan struct{})
	var probing sync.WaitGroup
	probing.Add(1)
	go func() {
		defer probing.Done()
		probe := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			t0 := time.Now()
			if res, err := probe.Get(c.url + "/healthz"); err == nil {
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
			}
			d := time.Since(t0)
			mu.Lock()
			probes = append(probes, d)
			if c.pid > 0 {
				peak = max(peak, rss(c.pid))
			}
			mu.Unlock()
		}
	}()
	start := time.Now()
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			user := c.user
			if user == "*" {
				user = fmt.Sprintf("guess-%d", i)
			}
			body, _ := json.Marshal(map[string]string{"user": user, "password": fmt.Sprintf("wrong guess %d", i)})
			res, err := hc.Post(c.url+"/api/login", "application/json", bytes.NewReader(body))
			status := 0
			if err == nil {
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				status = res.StatusCode
			}
			mu.Lock()
			codes[status]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	took := time.Since(start)
	close(stop)
	probing.Wait()
	slices.Sort(probes)
	fmt.Fprintf(out, "%d failed logins in %v: answers %v (0: no answer)\n", n, took.Round(time.Millisecond), codes)
	if len(probes) > 0 {
		fmt.Fprintf(out, "healthz during: median %v, max %v (%d probes)", probes[len(probes)/2].Round(100*time.Microsecond),
			probes[len(probes)-1].Round(100*time.Microsecond), len(probes))
	}
	if c.pid > 0 {
		fmt.Fprintf(out, ", server peak rss %.1f MiB", float64(peak)/(1<<20))
	}
	fmt.Fprintln(out)
	return nil
}
