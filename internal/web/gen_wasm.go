//go:build ignore

// gen_wasm builds the web app's WebAssembly module (./wasm, GOOS=js
// GOARCH=wasm) into static/askfirst.wasm and copies the toolchain's
// wasm_exec.js beside it. Run by 'go generate ./internal/web'; both are
// build outputs, never committed.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "gen_wasm: %v\n", err)
		os.Exit(1)
	}
}

func run() error {
	build := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join("static", "askfirst.wasm"), "./wasm")
	build.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("go build ./wasm for js/wasm: %w", err)
	}
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return fmt.Errorf("go env GOROOT: %w", err)
	}
	root := strings.TrimSpace(string(out))
	var src []byte
	for _, p := range []string{filepath.Join(root, "lib", "wasm", "wasm_exec.js"), filepath.Join(root, "misc", "wasm", "wasm_exec.js")} {
		if src, err = os.ReadFile(p); err == nil {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("wasm_exec.js not found in the Go toolchain at %s: %w", root, err)
	}
	return os.WriteFile(filepath.Join("static", "wasm_exec.js"), src, 0o644)
}
