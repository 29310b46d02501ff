module mra

go 1.26.8

require (
	github.com/sergi/go-diff v1.4.0
	go.etcd.io/bbolt v1.5.0
	golang.org/x/crypto v0.59.0
)

require golang.org/x/sys v0.50.0 // indirect
