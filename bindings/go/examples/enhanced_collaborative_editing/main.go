// Enhanced collaborative editing: a document on durable SQLite storage edited by three users at once, a
// section lock that keeps the others out of one section while its owner edits it, the lock and conflict
// activity watched as it happens, a restart that brings the document back with its authors, and a summary
// at the end: commits per user, conflicts and how they were resolved. Exits 1 if any of it does not hold.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"agstate"
)

var failures int

func check(ok bool, format string, args ...any) {
	mark := "ok    "
	if !ok {
		mark = "FAIL  "
		failures++
	}
	fmt.Printf(mark+format+"\n", args...)
}

func must[T any](value T, err error) T {
	if err != nil {
		fmt.Fprintln(os.Stderr, "enhanced_collaborative_editing:", err)
		os.Exit(1)
	}
	return value
}

const doc = `{"title":"Launch plan","sections":{"intro":{"text":"We launch in May."},"budget":{"amount":1000},"plan":{"items":["draft"]}}}`

var users = []string{"ada", "grace", "linus"}
var strategies = map[string]agstate.Strategy{"ada": agstate.StrategyRebase, "grace": agstate.StrategyLastWriteWins,
	"linus": agstate.StrategyFirstWriteWins}

func patch(store *agstate.Store, text, author string) (uint64, error) {
	return store.PatchWith([]byte(text), agstate.PatchOptions{Author: author})
}

func main() {
	folder := must(os.MkdirTemp("", "agstate-collab-"))
	defer os.RemoveAll(folder)
	path := filepath.Join(folder, "documents.db")
	storage := must(agstate.OpenStorage("sqlite:"+path, nil))
	store := must(storage.OpenStore("launch-plan", []byte(doc)))

	// Monitoring: every lock event as it happens.
	var lockEvents []string
	var mu sync.Mutex
	watch := must(store.WatchLocks(func(event []byte) {
		var e struct{ Kind, Path, Owner string }
		json.Unmarshal(event, &e)
		mu.Lock()
		lockEvents = append(lockEvents, e.Kind+" "+e.Path+" "+e.Owner)
		mu.Unlock()
	}))

	fmt.Println("== a section lock")
	must(0, store.Lock("/sections/budget", "ada", 5000))
	before := must(store.Version())
	_, err := patch(store, `[{"op":"replace","path":"/sections/budget/amount","value":1}]`, "grace")
	check(errors.Is(err, agstate.ErrLocked) && must(store.Version()) == before && string(must(store.Get("/sections/budget/amount"))) == "1000",
		"grace's edit of the budget, locked by ada, is refused and changes nothing (%v)", err)
	must(patch(store, `[{"op":"replace","path":"/sections/budget/amount","value":1250}]`, "ada"))
	must(0, store.Unlock("/sections/budget", "ada"))
	must(patch(store, `[{"op":"replace","path":"/sections/budget/amount","value":1300}]`, "grace"))
	check(string(must(store.Get("/sections/budget/amount"))) == "1300", "ada edited it under her lock; after she unlocked, grace could")

	fmt.Println("== three users at once, each with a strategy, from stale copies")
	var wg sync.WaitGroup
	for _, name := range users {
		wg.Add(1)
		go func(name string) {
			defer wg.Done()
			for i := 0; i < 15; i++ {
				base := must(store.Version()) // this user's copy
				time.Sleep(time.Millisecond)
				must(store.PatchWith([]byte(fmt.Sprintf(`[{"op":"add","path":"/sections/plan/items/1","value":"%s %d"}]`, name, i)),
					agstate.PatchOptions{BaseVersion: &base, Strategy: strategies[name], Author: name}))
			}
		}(name)
	}
	wg.Wait()
	var items []string
	must(0, json.Unmarshal(must(store.Get("/sections/plan/items")), &items))
	check(len(items) == 46, "all 45 insertions landed, carried over each other")

	fmt.Println("== everyone renames the document from the same version")
	base := must(store.Version())
	for _, name := range users { // ada first: nothing changed since the base; then grace and linus overlap her
		_, err := store.PatchWith([]byte(fmt.Sprintf(`[{"op":"replace","path":"/title","value":"Launch plan by %s"}]`, name)),
			agstate.PatchOptions{BaseVersion: &base, Strategy: strategies[name], Author: name})
		if err != nil && !errors.Is(err, agstate.ErrConflict) { // a refusal is recorded in the conflict log
			must(0, err)
		}
	}
	check(string(must(store.Get("/title"))) == `"Launch plan by grace"`,
		"grace's last-write-wins rename stands; linus's first-write-wins rename was dropped")
	watch.Close()

	// The summary, from the history (authors) and the conflict log.
	var history []struct{ Author string }
	must(0, json.Unmarshal(must(store.History(0)), &history))
	commits := map[string]int{}
	for _, entry := range history {
		commits[entry.Author]++
	}
	var log []struct {
		Author, Strategy, Outcome string
		Conflicts                 []struct{ Outcome string }
	}
	must(0, json.Unmarshal(must(store.Conflicts(0)), &log))
	resolved, outcomes := map[string]int{}, map[string]int{}
	fromUsers := true
	for _, record := range log {
		resolved[fmt.Sprintf("%-6s %-17s %-8s", record.Author, record.Strategy, record.Outcome)]++
		_, known := strategies[record.Author]
		fromUsers = fromUsers && known
		for _, c := range record.Conflicts {
			outcomes[c.Outcome]++
		}
	}
	finalVersion := must(store.Version())
	finalState := must(store.Export(0))
	fmt.Println("== summary")
	fmt.Printf("      commits per user: ada %d, grace %d, linus %d\n", commits["ada"], commits["grace"], commits["linus"])
	fmt.Printf("      %d commits met a conflict:\n", len(log))
	keys := make([]string, 0, len(resolved))
	for k := range resolved {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Printf("        %s %d\n", k, resolved[k])
	}
	fmt.Printf("      conflicting locations: %v\n", outcomes)
	fmt.Printf("      lock events: %v\n", lockEvents)
	check(commits["ada"]+commits["grace"]+commits["linus"] == int(finalVersion) && commits["linus"] >= 1,
		"every one of the %d commits has its author in the history", finalVersion)
	check(len(log) >= 2 && fromUsers, "the overlapping renames met conflicts, each logged with its author, strategy and outcome")
	check(len(lockEvents) == 2 && lockEvents[0] == "locked /sections/budget ada" && lockEvents[1] == "unlocked /sections/budget ada",
		"the lock watch saw the lock taken and released")
	lastAuthor := history[len(history)-1].Author
	store.Close()
	storage.Close()

	fmt.Println("== restart")
	storage = must(agstate.OpenStorage("sqlite:"+path, nil))
	defer storage.Close()
	store = must(storage.OpenStore("launch-plan", nil))
	defer store.Close()
	version := must(store.Version())
	check(version == finalVersion && must(agstate.Equal(must(store.Export(0)), finalState)) && must(store.AuthorOf(version)) == lastAuthor,
		"the document came back from %s at v%d with its state and authors", filepath.Base(path), version)

	if failures > 0 {
		fmt.Printf("enhanced_collaborative_editing: %d checks failed\n", failures)
		os.Exit(1)
	}
	fmt.Println("enhanced_collaborative_editing: all checks passed")
}
