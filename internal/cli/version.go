package cli

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// Version is set at build time with -ldflags "-X .../internal/cli.Version=v1.2.3";
// otherwise it comes from the module's build information.
var Version = ""

func version() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		v := bi.Main.Version
		rev := ""
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				rev = s.Value[:12]
			}
		}
		if (v == "" || v == "(devel)") && rev != "" {
			return "devel-" + rev
		}
		if v != "" {
			return v
		}
	}
	return "devel"
}

func runVersion(ctx context.Context, e *env, args []string) int {
	fs := e.newFlagSet("version", "")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	fmt.Fprintf(e.stdout, "askfirst %s %s/%s %s\n", version(), runtime.GOOS, runtime.GOARCH, runtime.Version())
	return ExitOK
}
