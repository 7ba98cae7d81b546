package all

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// TestNotesTranslated reads every analysis's source for the notes it can write
// (analysis.NewNote) and the parts of notes (analysis.T), including those no test data
// triggers, and checks that each has Chinese as a person would write it: literal text in both
// languages, Chinese characters in the Chinese, no English words left in it, and the same
// {placeholders} in both (issue #20 §2: explanatory notes in the user's language).
func TestNotesTranslated(t *testing.T) {
	// Placeholders a Chinese text leaves out or adds on purpose.
	exceptions := map[string]string{
		"spend_not_fitted":    "{reason}",      // an English error: the Chinese names the usual reasons
		"bgbb_periods":        "{per_zh}{per}", // the Chinese names the period with per_zh
		"clv_too_few_periods": "{per_zh}{per}",
	}
	// Words the Chinese may quote: the command line (kexi import … --skip-unknown).
	allowed := map[string]bool{"kexi": true, "import": true, "skip": true, "unknown": true}
	placeholder := regexp.MustCompile(`\{[a-z_]+\}`)
	word := regexp.MustCompile(`[A-Za-z][A-Za-z_]*`)
	dirs, err := filepath.Glob("../*")
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	for _, dir := range dirs {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			continue
		}
		fset := token.NewFileSet()
		pkgs, err := parser.ParseDir(fset, dir, func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, pkg := range pkgs {
			for _, f := range pkg.Files {
				ast.Inspect(f, func(n ast.Node) bool {
					call, ok := n.(*ast.CallExpr)
					if !ok {
						return true
					}
					sel, ok := call.Fun.(*ast.SelectorExpr)
					if !ok {
						return true
					}
					if x, ok := sel.X.(*ast.Ident); !ok || x.Name != "analysis" || (sel.Sel.Name != "NewNote" && sel.Sel.Name != "T") || len(call.Args) < 3 {
						return true
					}
					calls++
					pos := fset.Position(call.Pos())
					key, okK := literal(call.Args[0])
					en, okE := literal(call.Args[1])
					zh, okZ := literal(call.Args[2])
					if !okK || !okE || !okZ {
						t.Errorf("%s: %s's key and texts must be literals, so that this test can read them", pos, sel.Sel.Name)
						return true
					}
					if en == "" && zh == "" {
						return true // an empty part
					}
					if !strings.ContainsFunc(zh, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
						t.Errorf("%s: note %s has no Chinese: %q", pos, key, zh)
					}
					for _, w := range word.FindAllString(placeholder.ReplaceAllString(zh, ""), -1) {
						if w == strings.ToLower(w) && len(w) > 1 && !allowed[w] {
							t.Errorf("%s: note %s: English word %q in the Chinese %q", pos, key, w, zh)
						}
					}
					pe, pz := placeholder.FindAllString(en, -1), placeholder.FindAllString(zh, -1)
					for _, p := range pe {
						if !slices.Contains(pz, p) && !strings.Contains(exceptions[key], p) {
							t.Errorf("%s: note %s: the Chinese leaves out %s: %q", pos, key, p, zh)
						}
					}
					for _, p := range pz {
						if !slices.Contains(pe, p) && !strings.Contains(exceptions[key], p) {
							t.Errorf("%s: note %s: the Chinese adds %s: %q", pos, key, p, zh)
						}
					}
					return true
				})
			}
		}
	}
	if calls < 25 {
		t.Errorf("found %d notes and parts of notes, want the 25 or more the analyses write", calls)
	}
}

// literal returns the value of a string literal or a sum of them.
func literal(e ast.Expr) (string, bool) {
	switch x := e.(type) {
	case *ast.BasicLit:
		if x.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(x.Value)
		return s, err == nil
	case *ast.BinaryExpr:
		if x.Op != token.ADD {
			return "", false
		}
		a, ok1 := literal(x.X)
		b, ok2 := literal(x.Y)
		return a + b, ok1 && ok2
	case *ast.ParenExpr:
		return literal(x.X)
	}
	return "", false
}
