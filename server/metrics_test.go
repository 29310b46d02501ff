package server

import (
	"testing"

	"mra/server/mra"
)

// TestMetricLabels: a label value is a type or code of the contract, or
// "other"; never what a client wrote.
func TestMetricLabels(t *testing.T) {
	for _, c := range []struct {
		typ  mra.CommandType
		want string
	}{
		{mra.CmdComment, "comment"},
		{mra.CmdWithdrawSignature, "withdraw_signature"},
		{mra.CmdSubscribe, "subscribe"},
		{mra.CmdPresence, "presence"},
		{"", "other"},
		{"drop table", "other"},
		{"Comment", "other"},
	} {
		if got := metricType(c.typ); got != c.want {
			t.Errorf("type %q: got %q, want %q", c.typ, got, c.want)
		}
	}
	for _, c := range []struct {
		code mra.Code
		want string
	}{
		{"", "ok"},
		{mra.CodeStale, "stale"},
		{mra.CodeInternal, "internal"},
		{mra.CodeRateLimited, "rate_limited"},
		{"us-neg", "other"},
	} {
		if got := metricCode(c.code); got != c.want {
			t.Errorf("code %q: got %q, want %q", c.code, got, c.want)
		}
	}
}
