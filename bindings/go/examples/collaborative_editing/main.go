// Collaborative editing: several users edit one document at once, each from a copy that is a few versions
// behind; their patches carry the version they were made against and the engine carries them over what
// happened since. Then one conflict under each resolution strategy in turn, presence with a heartbeat and
// an expiry, and a user cut off who reconnects with edits made offline. Exits 1 if any of it does not hold.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strconv"
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
		fmt.Fprintln(os.Stderr, "collaborative_editing:", err)
		os.Exit(1)
	}
	return value
}

const doc = `{"title":"Launch plan","tasks":["draft"],"sections":{"intro":{"text":"We launch in May."},"budget":{"amount":1000},"notes":{"text":"tbd"}}}`

type document struct {
	Title    string   `json:"title"`
	Tasks    []string `json:"tasks"`
	Sections struct {
		Intro  struct{ Text string } `json:"intro"`
		Budget struct {
			Amount int `json:"amount"`
		} `json:"budget"`
		Notes *struct {
			Text string `json:"text"`
		} `json:"notes"`
	} `json:"sections"`
}

func read(store *agstate.Store) document {
	var d document
	must(0, json.Unmarshal(must(store.Export(0)), &d))
	return d
}

func index(list []string, item string) int {
	for i, s := range list {
		if s == item {
			return i
		}
	}
	return -1
}

func main() {
	users := []string{"ada", "grace", "linus"}
	fmt.Println("== three users edit at once, each from a stale copy")
	store := must(agstate.NewStore([]byte(doc)))
	defer store.Close()
	var wg sync.WaitGroup
	for _, name := range users {
		wg.Add(1)
		go func(name string) {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				base := must(store.Version()) // the version this user's copy is at
				time.Sleep(time.Millisecond)  // others commit meanwhile
				patch := fmt.Sprintf(`[{"op":"add","path":"/tasks/1","value":"%s %d"}]`, name, i)
				must(store.PatchWith([]byte(patch), agstate.PatchOptions{BaseVersion: &base, Author: name}))
			}
		}(name)
	}
	wg.Wait()
	d := read(store)
	var history []struct{ Author string }
	must(0, json.Unmarshal(must(store.History(0)), &history))
	counts := map[string]int{}
	for _, entry := range history {
		counts[entry.Author]++
	}
	fmt.Printf("      v%d: %d tasks; commits by author: ada %d, grace %d, linus %d\n", must(store.Version()), len(d.Tasks),
		counts["ada"], counts["grace"], counts["linus"])
	landed, ordered := len(d.Tasks) == 61 && d.Tasks[0] == "draft", true
	for _, name := range users {
		for i := 0; i < 20; i++ {
			landed = landed && index(d.Tasks, name+" "+strconv.Itoa(i)) >= 0
			if i < 19 {
				ordered = ordered && index(d.Tasks, fmt.Sprintf("%s %d", name, i+1)) < index(d.Tasks, fmt.Sprintf("%s %d", name, i))
			}
		}
	}
	check(landed, "every user's 20 insertions landed, none lost or overwritten")
	check(ordered, "each user's insertions kept their order (rebased over the others' insertions)")

	fmt.Println("== one conflict under each strategy")
	// Since the base version, one user raised the budget and removed the notes; another, still at the base,
	// lowers the budget, rewrites the notes and renames the document.
	staleEdit := []byte(`[{"op":"replace","path":"/sections/budget/amount","value":900},` +
		`{"op":"replace","path":"/sections/notes/text","value":"see the budget"},{"op":"replace","path":"/title","value":"Launch plan v2"}]`)
	// The custom strategy: the two budgets are averaged; anything else stays as it is now.
	resolver := func(c agstate.Conflict) agstate.Resolution {
		if c.Path == "/sections/budget/amount" {
			current, _ := strconv.Atoi(string(c.Current))
			proposed, _ := strconv.Atoi(string(c.Proposed))
			return agstate.Resolution{Value: []byte(strconv.Itoa((current + proposed) / 2))}
		}
		if c.Current == nil {
			return agstate.Resolution{Remove: true}
		}
		return agstate.Resolution{Value: c.Current}
	}
	type outcome struct {
		name    string
		s       agstate.Strategy
		applies bool
		budget  int
		notes   string // "" when removed
		title   string
	}
	for _, want := range []outcome{
		{"reject", agstate.StrategyReject, false, 1200, "", "Launch plan"},
		{"rebase", agstate.StrategyRebase, false, 1200, "", "Launch plan"},
		{"last-write-wins", agstate.StrategyLastWriteWins, true, 900, "see the budget", "Launch plan v2"},
		{"first-write-wins", agstate.StrategyFirstWriteWins, true, 1200, "", "Launch plan v2"},
		{"merge", agstate.StrategyMerge, false, 1200, "", "Launch plan"},
		{"custom", agstate.StrategyCustom, true, 1050, "", "Launch plan v2"},
	} {
		s := must(agstate.NewStore([]byte(doc)))
		base := must(s.Version())
		must(s.PatchWith([]byte(`[{"op":"replace","path":"/sections/budget/amount","value":1200},{"op":"remove","path":"/sections/notes"}]`),
			agstate.PatchOptions{Author: "ada"}))
		options := agstate.PatchOptions{BaseVersion: &base, Strategy: want.s, Author: "grace"}
		if want.s == agstate.StrategyCustom {
			options.Resolver = resolver
		}
		_, err := s.PatchWith(staleEdit, options)
		applied := err == nil
		if err != nil && !errors.Is(err, agstate.ErrConflict) {
			must(0, err)
		}
		d := read(s)
		var records []struct {
			Outcome   string
			Conflicts []struct{ Path, Outcome string }
		}
		must(0, json.Unmarshal(must(s.Conflicts(0)), &records))
		last := records[len(records)-1]
		outcomes := ""
		for i, c := range last.Conflicts {
			if i > 0 {
				outcomes += ", "
			}
			outcomes += c.Path + " " + c.Outcome
		}
		notes := ""
		if d.Sections.Notes != nil {
			notes = d.Sections.Notes.Text
		}
		fmt.Printf("      %-17s %-8s budget %d, notes %q, title %q  (%s)\n", want.name, last.Outcome, d.Sections.Budget.Amount, notes, d.Title, outcomes)
		what := "refused, nothing changed"
		if want.applies {
			what = "applied"
		}
		check(applied == want.applies && d.Sections.Budget.Amount == want.budget && notes == want.notes && d.Title == want.title,
			"%s: %s as documented", want.name, what)
		s.Close()
	}

	fmt.Println("== presence")
	var events [][2]string
	var mu sync.Mutex
	watch := must(store.WatchPresence(func(event []byte) {
		var e struct{ Kind, Client string }
		json.Unmarshal(event, &e)
		mu.Lock()
		events = append(events, [2]string{e.Kind, e.Client})
		mu.Unlock()
	}))
	must(0, store.SetPresence("ada", []byte(`{"cursor":"/sections/intro"}`), 60000))
	must(0, store.SetPresence("grace", []byte(`{"cursor":"/tasks/3"}`), 60000))
	must(0, store.SetPresence("linus", []byte(`{"cursor":"/title"}`), 50))            // his heartbeat stops
	must(0, store.SetPresence("ada", []byte(`{"cursor":"/sections/budget"}`), 60000)) // a heartbeat with a new cursor
	must(0, store.Leave("grace"))
	time.Sleep(100 * time.Millisecond)
	must(0, store.Expire())
	present := must(store.Presence())
	fmt.Printf("      events: %v; present now: %s\n", events, present)
	check(must(agstate.Equal(present, []byte(`{"ada":{"cursor":"/sections/budget"}}`))), "ada is present at her new cursor; grace left; linus expired")
	heard := 0
	for _, e := range events {
		if e == [2]string{"left", "grace"} || e == [2]string{"expired", "linus"} {
			heard++
		}
	}
	check(heard == 2, "watchers heard the joins, the leave and the expiry")
	watch.Close()

	fmt.Println("== a user cut off, reconnecting with stale edits")
	offlineAt := must(store.Version())
	queued := []byte(`[{"op":"replace","path":"/tasks/0","value":"draft (linus reviewed)"},{"op":"add","path":"/tasks/1","value":"linus offline"},` +
		`{"op":"replace","path":"/sections/intro/text","value":"We launch in June."}]`)
	for i := 0; i < 5; i++ { // the others go on meanwhile
		must(store.PatchWith([]byte(fmt.Sprintf(`[{"op":"add","path":"/tasks/0","value":"urgent %d"}]`, i)), agstate.PatchOptions{Author: "ada"}))
	}
	must(store.PatchWith([]byte(`[{"op":"replace","path":"/sections/budget/amount","value":1500}]`), agstate.PatchOptions{Author: "grace"}))
	version := must(store.PatchWith(queued, agstate.PatchOptions{BaseVersion: &offlineAt, Author: "linus"})) // reconnect: rebased
	local := must(agstate.NewStore(must(store.StateAt(offlineAt))))
	defer local.Close()
	must(local.ApplyEvent(must(store.DeltaEvent(offlineAt, false)), false)) // his copy catches up with one delta
	d = read(store)
	fmt.Printf("      his edits made at v%d committed as v%d: tasks[5] = %q, tasks[6] = %q\n", offlineAt, version, d.Tasks[5], d.Tasks[6])
	check(reflect.DeepEqual(d.Tasks[:7], []string{"urgent 4", "urgent 3", "urgent 2", "urgent 1", "urgent 0", "draft (linus reviewed)", "linus offline"}),
		"his edits moved past the 5 insertions made while he was away")
	check(d.Sections.Intro.Text == "We launch in June." && d.Sections.Budget.Amount == 1500, "his section edit and grace's budget change both stand")
	check(must(agstate.Equal(must(local.Export(0)), must(store.Export(0)))) && must(store.AuthorOf(version)) == "linus",
		"his copy caught up with one STATE_DELTA, and the history names him as the author")

	if failures > 0 {
		fmt.Printf("collaborative_editing: %d checks failed\n", failures)
		os.Exit(1)
	}
	fmt.Println("collaborative_editing: all checks passed")
}
