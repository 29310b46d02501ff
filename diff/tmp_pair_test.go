package diff

import (
	"os"
	"strings"
	"testing"
)

func BenchmarkTmpPair(b *testing.B) {
	p := strings.Split(os.Getenv("TMP_PAIR"), ":")
	x, _ := os.ReadFile(p[0])
	y, _ := os.ReadFile(p[1])
	b.ResetTimer()
	for b.Loop() {
		Redline(string(x), string(y))
	}
}
