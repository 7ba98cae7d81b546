package analysis

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestNoteJSON: a note is written to JSON as its English text, byte for byte what a []string
// of notes gave, and read back from it.
func TestNoteJSON(t *testing.T) {
	n := NewNote("stages_missing", "no lead's history names the stages {left}; with only {have} recorded",
		"没有线索经过 {left} 阶段；只记录了 {have}", Keys("left", "consultation", "follow_up"),
		Arg{Name: "have", Keys: []string{"new", "won"}, And: true})
	got, err := json.Marshal(Result{Notes: []Note{n}})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(struct {
		Name    string   `json:"name"`
		AsOf    string   `json:"as_of"`
		Summary []Figure `json:"summary"`
		Tables  []Table  `json:"tables"`
		Notes   []string `json:"notes,omitempty"`
	}{AsOf: "0001-01-01T00:00:00Z", Notes: []string{"no lead's history names the stages consultation, follow_up; with only new and won recorded"}})
	if string(got) != string(want) {
		t.Errorf("json\n%s, want\n%s", got, want)
	}
	var back Result
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Notes) != 1 || back.Notes[0].String() != n.String() || back.Notes[0].In("zh", nil) != n.String() {
		t.Errorf("read back %+v", back.Notes)
	}
}

// TestNoteIn: a note reads in the language asked for, its key arguments translated and joined
// the language's way, its values as they are.
func TestNoteIn(t *testing.T) {
	zh := map[string]string{"consultation": "咨询", "follow_up": "跟进", "quote": "报价", "new": "新线索", "won": "成交"}
	lbl := func(k string) string {
		if v, ok := zh[k]; ok {
			return v
		}
		return k
	}
	n := NewNote("k", "stages {left}; only {have}; campaign {c}{part}", "阶段 {left}；只有 {have}；活动 {c}{part}",
		Keys("left", "consultation", "follow_up", "quote"), Arg{Name: "have", Keys: []string{"new", "won"}, And: true},
		V("c", "{left} 双11"), T("part", " ({n} rows)", "（{n} 行）"), V("n", "3"))
	if got, want := n.In("zh", lbl), "阶段 咨询、跟进、报价；只有 新线索和成交；活动 {left} 双11（3 行）"; got != want {
		t.Errorf("zh %q, want %q", got, want)
	}
	if got, want := n.In("en", nil), "stages consultation, follow_up, quote; only new and won; campaign {left} 双11 (3 rows)"; got != want {
		t.Errorf("en %q, want %q", got, want)
	}
	if got := n.In("zh-CN", nil); !strings.HasPrefix(got, "阶段 consultation、") {
		t.Errorf("zh-CN %q", got)
	}
	// A note without Chinese falls back to English.
	if got := NewNote("k", "only {x}", "", V("x", "1")).In("zh", lbl); got != "only 1" {
		t.Errorf("fallback %q", got)
	}
}
