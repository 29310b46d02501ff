package server

import (
	"errors"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"mra/server/mra"
)

// Metrics counts what the server does, for its operator, in the Prometheus
// text format (Handler). Create it with NewMetrics and hand it to New in
// Config.Metrics, and its ObserveBatch to the store; a nil *Metrics counts
// nothing. Every label value comes from a fixed set (command types and codes
// of the contract, login outcomes), never from what a client sent: no user,
// party, negotiation or text ever appears in a metric.
type Metrics struct {
	reg      *prometheus.Registry
	commands *prometheus.CounterVec
	logins   *prometheus.CounterVec
	commit   prometheus.Histogram
	batch    prometheus.Histogram
	sockets  *prometheus.Desc
	queued   *prometheus.Desc
	hub      atomic.Pointer[hub] // the server's, once New has it
}

// Login outcomes, the values of mra_logins_total's label.
const (
	loginOK              = "ok"
	loginUnauthenticated = "unauthenticated"
	loginRateLimited     = "rate_limited"
	loginBadRequest      = "bad_request" // too_large included
	loginError           = "error"       // internal, or the client went away
)

// other stands for a command type or code outside the contract.
const other = "other"

// metricType is t as a label: a type of the contract, or "other".
func metricType(t mra.CommandType) string {
	switch {
	case t.Mutating(), t == mra.CmdSubscribe, t == mra.CmdUnsubscribe, t == mra.CmdPresence:
		return string(t)
	}
	return other
}

// metricCode is code as a label: "ok" for an ack, a code of the contract, or
// "other".
func metricCode(code mra.Code) string {
	if code == "" {
		return "ok"
	}
	if _, ok := statusOf[code]; ok {
		return string(code)
	}
	return other
}

// NewMetrics returns metrics on a registry of their own (never the
// process-wide default), with the Go runtime's and the process's.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		commands: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mra_commands_total",
			Help: "Commands answered, over HTTP and WebSocket, by type and answer code (ok for an ack).",
		}, []string{"type", "code"}),
		logins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mra_logins_total",
			Help: "Login attempts by outcome: ok, unauthenticated, rate_limited, bad_request, error.",
		}, []string{"outcome"}),
		commit: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "mra_commit_seconds",
			Help:    "Time from a command's change being submitted to the store until it is on disk (or failed).",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14), // 0.5 ms to 4 s
		}),
		batch: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "mra_fsync_batch_changes",
			Help:    "Changes written by each durable transaction of the store's group commit.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 9), // 1 to 256, the store's batch limit
		}),
		sockets: prometheus.NewDesc("mra_sockets_open", "WebSockets open.", nil, nil),
		queued:  prometheus.NewDesc("mra_socket_queue_bytes", "Bytes waiting in the send queues of all open WebSockets.", nil, nil),
	}
	for _, o := range []string{loginOK, loginUnauthenticated, loginRateLimited, loginBadRequest, loginError} {
		m.logins.WithLabelValues(o)
	}
	m.reg.MustRegister(m.commands, m.logins, m.commit, m.batch, socketCollector{m},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves GET /metrics and nothing else (404). Serve it on an
// address of its own: activity counts are the operator's business only.
func (m *Metrics) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
	return mux
}

// ObserveBatch records one durable transaction of changes changes; give it
// to the store (boltstore.Options.OnCommit).
func (m *Metrics) ObserveBatch(changes int) {
	if m != nil {
		m.batch.Observe(float64(changes))
	}
}

// command counts one command answered with code ("" for an ack).
func (m *Metrics) command(t mra.CommandType, code mra.Code) {
	if m == nil {
		return
	}
	m.commands.WithLabelValues(metricType(t), metricCode(code)).Inc()
}

// commitTook records how long a change took to reach the disk.
func (m *Metrics) commitTook(d time.Duration) {
	if m != nil {
		m.commit.Observe(d.Seconds())
	}
}

// login counts a login attempt that ended with err (nil: a session).
func (m *Metrics) login(err error) {
	if m == nil {
		return
	}
	outcome := loginOK
	if err != nil {
		outcome = loginError
		var e *mra.Error
		if errors.As(err, &e) {
			switch e.Code {
			case mra.CodeUnauthenticated:
				outcome = loginUnauthenticated
			case mra.CodeRateLimited:
				outcome = loginRateLimited
			case mra.CodeBadRequest, mra.CodeTooLarge:
				outcome = loginBadRequest
			}
		}
	}
	m.logins.WithLabelValues(outcome).Inc()
}

// attach makes the socket gauges read h.
func (m *Metrics) attach(h *hub) {
	if m != nil {
		m.hub.Store(h)
	}
}

// socketCollector reads the open sockets and their queued bytes from the
// hub when scraped, in one pass, rather than counting on every frame.
type socketCollector struct{ m *Metrics }

func (c socketCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.m.sockets
	ch <- c.m.queued
}

func (c socketCollector) Collect(ch chan<- prometheus.Metric) {
	var open, queued int
	if h := c.m.hub.Load(); h != nil {
		open, queued = h.sockets()
	}
	ch <- prometheus.MustNewConstMetric(c.m.sockets, prometheus.GaugeValue, float64(open))
	ch <- prometheus.MustNewConstMetric(c.m.queued, prometheus.GaugeValue, float64(queued))
}

// sockets returns how many sockets are open and how many bytes wait in
// their send queues (lock order: the hub's, then each socket's).
func (h *hub) sockets() (open, queued int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.conns {
		c.mu.Lock()
		queued += c.queued
		c.mu.Unlock()
	}
	return len(h.conns), queued
}
