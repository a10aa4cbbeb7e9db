//go:build !(js && wasm)

package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "askfirst web module: build it for the browser with 'go generate ./internal/web' (GOOS=js GOARCH=wasm)")
	os.Exit(2)
}
