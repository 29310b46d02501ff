module mra

go 1.26.8

require github.com/sergi/go-diff v1.4.0

require github.com/stretchr/testify v1.11.1 // indirect
