// Distributed state: three processes (nodes, started by this example) share one store through PostgreSQL.
// They write at once (a version committed first by another node is a conflict, retried at once: the store
// has caught up by then), and every node sees every change within milliseconds through LISTEN/NOTIFY. A
// leader, elected with a PostgreSQL advisory lock (no consensus of our own), writes a summary. The leader is
// cut off (every connection of it killed with pg_terminate_backend): another node takes the lock, and the
// cut-off node reconnects and catches up by itself. Then a node goes offline (its storage closed) while the
// others write, and rejoins: it reopens the store and brings its clients up to date with one delta_since
// patch. The server comes from AGSTATE_TEST_PG_URL (scripts/servers.sh starts a private one). Exits 1 if any
// of it does not hold.
//
// Run as `distributed_state -node NAME STORE_ID`, it is one node, driven by line commands on stdin.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"reflect"
	"strconv"
	"strings"
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
		fmt.Fprintln(os.Stderr, "distributed_state:", err)
		os.Exit(1)
	}
	return value
}

// connectionURL adds an application name, by which the operator finds a node's connections.
func connectionURL(url, applicationName string) string {
	if strings.Contains(url, "?") {
		return url + "&application_name=" + applicationName
	}
	return url + "?application_name=" + applicationName
}

// -- one node ----------------------------------------------------------------------------------------------

func runNode(name, storeID string) {
	url := connectionURL(os.Getenv("AGSTATE_TEST_PG_URL"), storeID+"-"+name)
	storage := must(agstate.OpenStorage(url, nil))
	store := must(storage.OpenStore(storeID, []byte(`{"counters":{},"summary":null}`)))
	var lockSession *session // the node's own database session, which holds the leader's advisory lock
	written, conflicts, unavailable := 0, 0, 0
	var offlineAt uint64
	var clients *agstate.Store

	commit := func(patch string) {
		for {
			_, err := store.PatchWith([]byte(patch), agstate.PatchOptions{Author: name})
			switch {
			case err == nil:
				return
			case errors.Is(err, agstate.ErrConflict): // another node committed this version first; the store has caught up
				conflicts++
			case errors.Is(err, agstate.ErrUnavailable): // the server cannot be reached now: try again shortly
				unavailable++
				time.Sleep(50 * time.Millisecond)
			default:
				must(0, err)
			}
		}
	}
	tryLead := func() bool {
		for attempt := 0; attempt < 2; attempt++ {
			if lockSession == nil {
				lockSession = must(connect(url))
			}
			got, err := lockSession.value("SELECT pg_try_advisory_lock(hashtext($1))", storeID)
			if err == nil {
				return got == "t"
			}
			lockSession.close() // the session was cut off, and the lock went with it
			lockSession = nil
		}
		return false
	}

	input := bufio.NewScanner(os.Stdin)
	output := json.NewEncoder(os.Stdout)
	for input.Scan() {
		fields := strings.Fields(input.Text())
		reply := map[string]any{}
		switch fields[0] {
		case "write":
			for n := must(strconv.Atoi(fields[1])); n > 0; n-- {
				written++
				commit(fmt.Sprintf(`[{"op":"add","path":"/counters/%s","value":%d}]`, name, written))
			}
			reply = map[string]any{"version": must(store.Version()), "conflicts": conflicts, "unavailable": unavailable}
		case "wait": // until the store has caught up with version fields[1]
			target := must(strconv.ParseUint(fields[1], 10, 64))
			for deadline := time.Now().Add(10 * time.Second); must(store.Version()) < target && time.Now().Before(deadline); {
				time.Sleep(10 * time.Millisecond)
			}
			reply = map[string]any{"version": must(store.Version()), "state": json.RawMessage(must(store.Export(0)))}
		case "lead":
			leader := tryLead()
			reply["leader"] = leader
			if leader {
				var counters map[string]int
				must(0, json.Unmarshal(must(store.Get("/counters")), &counters))
				total := 0
				for _, c := range counters {
					total += c
				}
				commit(fmt.Sprintf(`[{"op":"replace","path":"/summary","value":{"leader":%q,"total":%d,"nodes":%d}}]`,
					name, total, len(counters)))
			}
		case "offline":
			offlineAt = must(store.Version())
			clients = must(agstate.NewStore(must(store.Export(0)))) // what this node's clients hold
			store.Close()
			storage.Close()
			reply["version"] = offlineAt
		case "online":
			storage = must(agstate.OpenStorage(url, nil))
			store = must(storage.OpenStore(storeID, nil))
			delta := must(store.DeltaSince(offlineAt)) // one patch from the clients' version to the current one
			must(clients.Patch(delta))
			var operations []any
			must(0, json.Unmarshal(delta, &operations))
			reply = map[string]any{"from": offlineAt, "to": must(store.Version()), "operations": len(operations),
				"clients_current": must(agstate.Equal(must(clients.Export(0)), must(store.Export(0))))}
		case "stats":
			must(0, json.Unmarshal(must(storage.Stats()), &reply))
		case "quit":
			store.Close()
			storage.Close()
			if lockSession != nil {
				lockSession.close()
			}
			return
		}
		must(0, output.Encode(reply))
	}
}

// -- the operator: starts the nodes, drives them and checks what they report --------------------------------

type node struct {
	name    string
	process *exec.Cmd
	stdin   io.WriteCloser
	stdout  *bufio.Reader
}

func startNode(name, storeID string) *node {
	process := exec.Command(os.Args[0], "-node", name, storeID)
	process.Stderr = os.Stderr
	n := &node{name: name, process: process, stdin: must(process.StdinPipe())}
	n.stdout = bufio.NewReader(must(process.StdoutPipe()))
	must(0, process.Start())
	return n
}

func (n *node) send(command string) { must(io.WriteString(n.stdin, command+"\n")) }

// reply is one line of JSON from the node.
type reply struct {
	Version        uint64          `json:"version"`
	Conflicts      int             `json:"conflicts"`
	State          json.RawMessage `json:"state"`
	Leader         bool            `json:"leader"`
	From, To       uint64
	Operations     int  `json:"operations"`
	ClientsCurrent bool `json:"clients_current"`
	Listener       struct {
		Connected  bool `json:"connected"`
		Reconnects int  `json:"reconnects"`
	} `json:"listener"`
}

func (n *node) reply() reply {
	line, err := n.stdout.ReadBytes('\n')
	if err != nil {
		fmt.Fprintf(os.Stderr, "distributed_state: node %s ended (%v)\n", n.name, n.process.Wait())
		os.Exit(1)
	}
	var r reply
	must(0, json.Unmarshal(line, &r))
	return r
}

func (n *node) ask(command string) reply { n.send(command); return n.reply() }

func allAtOnce(nodes []*node, command string) []reply {
	for _, n := range nodes {
		n.send(command)
	}
	replies := make([]reply, len(nodes))
	for i, n := range nodes {
		replies[i] = n.reply()
	}
	return replies
}

// converge waits until every node has the newest version and checks they hold the same state.
func converge(nodes []*node) uint64 {
	var newest uint64
	for _, n := range nodes {
		if v := n.ask("wait 0").Version; v > newest {
			newest = v
		}
	}
	replies := allAtOnce(nodes, fmt.Sprintf("wait %d", newest))
	same := true
	for _, r := range replies {
		same = same && r.Version == newest && must(agstate.Equal(r.State, replies[0].State))
	}
	check(same, "all %d nodes hold the same state at v%d", len(nodes), newest)
	return newest
}

type summary struct {
	Leader string `json:"leader"`
	Total  int    `json:"total"`
	Nodes  int    `json:"nodes"`
}

func summaryOf(n *node) summary {
	var state struct{ Summary summary }
	must(0, json.Unmarshal(n.ask("wait 0").State, &state))
	return state.Summary
}

func leaders(nodes []*node) []string {
	var names []string
	for _, n := range nodes {
		if n.ask("lead").Leader {
			names = append(names, n.name)
		}
	}
	return names
}

func operator() {
	url := os.Getenv("AGSTATE_TEST_PG_URL")
	if url == "" {
		fmt.Fprintln(os.Stderr, "distributed_state: set AGSTATE_TEST_PG_URL to a PostgreSQL URL (scripts/servers.sh starts one)")
		os.Exit(1)
	}
	storeID := fmt.Sprintf("fleet%d%d", os.Getpid(), time.Now().UnixNano()%1e9) // a new store for every run
	admin := must(connect(url))
	defer admin.close()

	fmt.Println("== three nodes, one store, writing at once")
	var nodes []*node
	for _, name := range []string{"a", "b", "c"} {
		nodes = append(nodes, startNode(name, storeID))
		nodes[len(nodes)-1].ask("wait 0") // started and open (the first creates the store)
	}
	replies := allAtOnce(nodes, "write 40")
	fmt.Printf("      conflicts retried: a %d, b %d, c %d\n", replies[0].Conflicts, replies[1].Conflicts, replies[2].Conflicts)
	version := converge(nodes)
	check(version == 120, "120 commits from three processes are 120 versions, none lost or doubled (v%d)", version)

	fmt.Println("== a leader elected with an advisory lock writes the summary")
	elected := leaders(nodes)
	converge(nodes)
	s := summaryOf(nodes[0])
	check(len(elected) == 1 && s == summary{elected[0], 120, 3},
		"exactly one leader (%s); its summary reached every node: %+v", strings.Join(elected, ", "), s)

	leader := nodes[0]
	for _, n := range nodes {
		if len(elected) > 0 && n.name == elected[0] {
			leader = n
		}
	}
	fmt.Printf("== node %s, the leader, cut off: every connection of it killed\n", leader.name)
	killed := must(admin.value("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1",
		storeID+"-"+leader.name))
	fmt.Printf("      pg_terminate_backend ended %s connections of node %s\n", killed, leader.name)
	allAtOnce(nodes, "write 20") // the cut-off node too: its commits reconnect
	version = converge(nodes)
	check(must(strconv.Atoi(killed)) >= 2 && version == 181,
		"every node's 20 commits are in (v%d: 120, the summary, 60); node %s reconnected", version, leader.name)
	stats := leader.ask("stats")
	check(stats.Listener.Connected && stats.Listener.Reconnects >= 2,
		"node %s's listener reconnected (%d connects) and caught up", leader.name, stats.Listener.Reconnects)
	var others []*node
	for _, n := range nodes {
		if n != leader {
			others = append(others, n)
		}
	}
	elected = leaders(append(others, leader))
	converge(nodes)
	s = summaryOf(nodes[0])
	check(len(elected) == 1 && elected[0] != leader.name && s.Total == 180 && s.Leader == elected[0],
		"the lock went with the killed session: node %s leads now and wrote the summary %+v", strings.Join(elected, ", "), s)

	fmt.Println("== a node offline while the others write, then rejoining")
	var offline *node
	var writers []*node
	for _, n := range nodes {
		if offline == nil && (len(elected) == 0 || n.name != elected[0]) {
			offline = n
		} else {
			writers = append(writers, n)
		}
	}
	at := offline.ask("offline").Version
	allAtOnce(writers, "write 25")
	back := offline.ask("online")
	fmt.Printf("      node %s was at v%d; back at v%d, its clients brought up to date with one delta of %d operations\n",
		offline.name, at, back.To, back.Operations)
	version = converge(nodes)
	check(back.To == version && version == 232 && back.ClientsCurrent && back.Operations > 0,
		"node %s reopened the store at v%d and its clients match it after delta_since(v%d)", offline.name, version, at)

	codes := []int{}
	for _, n := range nodes {
		n.send("quit")
		n.process.Wait()
		codes = append(codes, n.process.ProcessState.ExitCode())
	}
	check(reflect.DeepEqual(codes, []int{0, 0, 0}), "every node exited cleanly")
	if failures > 0 {
		fmt.Printf("distributed_state: %d checks failed\n", failures)
		os.Exit(1)
	}
	fmt.Println("distributed_state: all checks passed")
}

func main() {
	if len(os.Args) == 4 && os.Args[1] == "-node" {
		runNode(os.Args[2], os.Args[3])
		return
	}
	operator()
}
