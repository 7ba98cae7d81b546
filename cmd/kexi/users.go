package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"golang.org/x/term"

	"github.com/kexi/kexi"
	kexihttp "github.com/kexi/kexi/http"
)

// cmdUsers adds, lists and removes the people who sign in to kexi.
func cmdUsers(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(env.Stderr, "Usage: kexi users add --login L --role R [--name N] [--region P] [--password-stdin] [--db FILE]\n"+
			"       kexi users list [--db FILE]\n"+
			"       kexi users remove --login L [--db FILE]\n\n"+
			"Roles: admin (everything), manager (all data, or one --region), analyst (reads everything),\n"+
			"sales (only the customers they own).\n")
		if len(args) == 0 {
			return errUsage
		}
		return nil
	}
	switch args[0] {
	case "add":
		return usersAdd(ctx, env, args[1:])
	case "list":
		return usersList(ctx, env, args[1:])
	case "remove", "rm", "delete":
		return usersRemove(ctx, env, args[1:])
	}
	fmt.Fprintf(env.Stderr, "kexi users: unknown action %q (add, list or remove)\n", args[0])
	return errUsage
}

func usersAdd(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "users", "add --login L --role R [--password-stdin]")
	db := fs.String("db", envOr(env, "KEXI_DB", defaultDB), dbHelp)
	login := fs.String("login", "", "sign-in `name` (required)")
	name := fs.String("name", "", "display `name`")
	role := fs.String("role", "", "`role`: admin, manager, analyst or sales (required)")
	region := fs.String("region", "", "`province` a manager is limited to")
	stdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *login == "" || *role == "" {
		fmt.Fprintln(env.Stderr, "kexi users add: --login and --role are required")
		return errUsage
	}
	switch *role {
	case kexi.RoleAdmin, kexi.RoleManager, kexi.RoleAnalyst, kexi.RoleSales:
	default:
		return kexi.Errorf(kexi.EINVALID, "unknown role %q: expected admin, manager, analyst or sales", *role)
	}
	pw, err := readPassword(env, *stdin)
	if err != nil {
		return err
	}
	hash, err := kexihttp.HashPassword(pw)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, env, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	u := &kexi.User{Login: *login, Name: *name, Role: *role, Region: *region, PasswordHash: hash}
	if err := st.CreateUser(ctx, u); err != nil {
		return err
	}
	st.Audit(ctx, kexi.AuditEntry{Login: "cli", Action: "create", Entity: "user", Detail: "login=" + u.Login + " role=" + u.Role})
	fmt.Fprintf(env.Stdout, "added %s (%s)\n", u.Login, u.Role)
	return nil
}

// readPassword reads a password: from the first line of stdin with --password-stdin, from
// the terminal without echo when stdin is one, and twice to confirm.
func readPassword(env *Env, fromStdin bool) (string, error) {
	if f, ok := env.Stdin.(*os.File); ok && !fromStdin && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(env.Stderr, "Password: ")
		a, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(env.Stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		fmt.Fprint(env.Stderr, "Again: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(env.Stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		if string(a) != string(b) {
			return "", kexi.Errorf(kexi.EINVALID, "the two passwords differ")
		}
		return string(a), nil
	}
	line, err := bufio.NewReader(env.Stdin).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("read password: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func usersList(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "users", "list")
	db := fs.String("db", envOr(env, "KEXI_DB", defaultDB), dbHelp)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	st, err := openStore(ctx, env, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	us, err := st.FindUsers(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tLOGIN\tNAME\tROLE\tREGION")
	for _, u := range us {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", strconv.FormatInt(u.ID, 10), u.Login, u.Name, u.Role, u.Region)
	}
	return tw.Flush()
}

func usersRemove(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "users", "remove --login L")
	db := fs.String("db", envOr(env, "KEXI_DB", defaultDB), dbHelp)
	login := fs.String("login", "", "sign-in `name` of the user to remove (required)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *login == "" {
		fmt.Fprintln(env.Stderr, "kexi users remove: --login is required")
		return errUsage
	}
	st, err := openStore(ctx, env, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	u, err := st.FindUserByLogin(ctx, *login)
	if err != nil {
		return err
	}
	if err := st.DeleteUser(ctx, u.ID); err != nil {
		return err
	}
	st.Audit(ctx, kexi.AuditEntry{Login: "cli", Action: "delete", Entity: "user", Detail: "login=" + u.Login})
	fmt.Fprintf(env.Stdout, "removed %s\n", u.Login)
	return nil
}
