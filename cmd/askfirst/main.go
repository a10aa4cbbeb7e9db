// Command askfirst checks, registers and audits consent for AI training.
//
// See README.md for the commands and internal/cli for their implementation.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/askfirst/askfirst/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
