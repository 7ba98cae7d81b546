// Command kexi is customer analysis for CRM (客析): import, analyse, serve.
//
// main only calls run; run takes everything from outside (arguments, environment, standard
// streams) so tests call it the same way a user does.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"syscall"
	_ "time/tzdata" // time zones work on machines without a zoneinfo database

	"github.com/kexi/kexi"
)

// Env is what a subcommand may touch of the outside world.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
}

// command is one subcommand: its one-line help and its function.
type command struct {
	help string
	run  func(ctx context.Context, env *Env, args []string) error
}

// commands lists every subcommand. Each lives in its own file. (It is filled in init because
// the subcommands' help refers back to it.)
var commands map[string]command

func init() {
	commands = map[string]command{
		"demo":    {"generate a realistic demo data set into the database, then serve it", cmdDemo},
		"serve":   {"serve the web dashboard and the REST API", cmdServe},
		"import":  {"import customers, orders, leads … from CSV or XLSX files", cmdImport},
		"export":  {"export any entity list to CSV or XLSX", cmdExport},
		"analyze": {"run analyses and print tables, JSON, CSV or XLSX", cmdAnalyze},
		"users":   {"add, list and remove users", cmdUsers},
		"backup":  {"write a verified backup of the database (one file, checksummed)", cmdBackup},
		"restore": {"restore a backup into a new database file, checking it first", cmdRestore},
		"version": {"print the version", cmdVersion},
	}
}

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	setMemoryLimit(os.Getenv)
	stopProfile := startProfile(os.Getenv("KEXI_CPUPROFILE"))
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	stopProfile()
	writeMemProfile(os.Getenv) // commands without a peak of their own: at the end
	os.Exit(code)
}

// startProfile writes a CPU profile of the command to path (KEXI_CPUPROFILE), for `go tool
// pprof`, until the function it returns is called; with no path it does nothing.
func startProfile(path string) func() {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil || pprof.StartCPUProfile(f) != nil {
		fmt.Fprintf(os.Stderr, "kexi: KEXI_CPUPROFILE %s: cannot write a profile there\n", path)
		if f != nil {
			f.Close()
		}
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

// memProfiled is set once the heap profile (KEXI_MEMPROFILE) is written.
var memProfiled bool

// writeMemProfile writes a heap profile to the file named by KEXI_MEMPROFILE, for `go tool
// pprof -sample_index=inuse_space`, the first time it is called; with no such variable it
// does nothing. Commands call it where their memory peaks (analyze: after the analyses ran,
// with every result still held, before any output); main calls it at the end for the others.
// It collects garbage first, so the profile shows what is live at that point.
func writeMemProfile(getenv func(string) string) {
	path := getenv("KEXI_MEMPROFILE")
	if path == "" || memProfiled {
		return
	}
	memProfiled = true
	runtime.GC()
	f, err := os.Create(path)
	if err == nil {
		err = pprof.Lookup("heap").WriteTo(f, 0)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "kexi: KEXI_MEMPROFILE %s: cannot write a profile there\n", path)
	}
}

// run executes one kexi command line and returns the process exit code: 0 success, 1 failure,
// 2 a usage mistake (bad flag, unknown command, invalid input).
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	env := &Env{Stdin: stdin, Stdout: stdout, Stderr: stderr, Getenv: getenv}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "kexi: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	err := c.run(ctx, env, args[1:])
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	}
	fmt.Fprintf(stderr, "kexi %s: %s\n", args[0], kexi.ErrorMessage(err))
	if kexi.ErrorCode(err) == kexi.EINTERNAL {
		fmt.Fprintf(stderr, "  (%v)\n", err)
		return 1
	}
	var e *kexi.Error
	if errors.As(err, &e) {
		for i, p := range e.Problems {
			if i == 0 && e.Message != "" {
				continue // already printed as part of the message
			}
			if i >= 20 {
				fmt.Fprintf(stderr, "  … and %d more\n", len(e.Problems)-i)
				break
			}
			fmt.Fprintf(stderr, "  %s\n", p)
		}
	}
	if kexi.ErrorCode(err) == kexi.EINVALID {
		return 2
	}
	return 1
}

// errUsage marks an error whose message the flag package already printed.
var errUsage = errors.New("usage")

func usage(w io.Writer) {
	fmt.Fprintln(w, "kexi (客析) — customer analysis for CRM\n\nUsage: kexi COMMAND [flags]\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, commands[n].help)
	}
	fmt.Fprintln(w, "\nRun 'kexi COMMAND --help' for a command's flags.")
}

// newFlags returns a flag set for a subcommand that writes its help to env.Stderr.
func newFlags(env *Env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet("kexi "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "Usage: kexi %s %s\n\n%s\n\nFlags:\n", name, synopsis, commands[name].help)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args, turning flag errors into errUsage (the flag package printed them).
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	return nil
}

// envOr returns the environment variable's value, or def when it is unset or empty.
func envOr(env *Env, key, def string) string {
	if v := strings.TrimSpace(env.Getenv(key)); v != "" {
		return v
	}
	return def
}

// defaultDB is the embedded database used when neither --db nor KEXI_DB is given.
const defaultDB = "kexi.db"

// dbHelp is the help of every command's --db flag.
const dbHelp = "embedded database `file`, or a PostgreSQL URL postgres://USER@HOST/DB (env KEXI_DB)"

func cmdVersion(ctx context.Context, env *Env, args []string) error {
	fmt.Fprintln(env.Stdout, "kexi", version)
	return nil
}
