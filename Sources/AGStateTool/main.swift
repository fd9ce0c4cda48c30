#if canImport(Glibc)
import Glibc
#endif
import AGEvents
import AGJSON

// agstate: command-line tools over the engine.
//   agstate validate [--profile client|strict|compat] [--rule ID=SEVERITY]... [--format human|json]
//                    [--fail-on error|warning|info] [--input auto|ndjson|sse] [--state FILE] FILE|-
//   agstate replay [--profile P] [--pretty] [--input auto|ndjson|sse] [--state FILE] FILE|-
// Exit status: 0 clean, 1 findings at the failing level, 2 the tool could not do its job.

let usage = """
usage: agstate validate [--profile client|strict|compat] [--rule ID=SEVERITY]... [--format human|json]
                        [--fail-on error|warning|info] [--input auto|ndjson|sse] [--state FILE] FILE|-
       agstate replay [--profile client|strict|compat] [--pretty] [--input auto|ndjson|sse] [--state FILE] FILE|-
       agstate rules
Validates a captured AG-UI event stream (NDJSON or Server-Sent Events; - reads standard input), or replays
it and prints the final state, activities and messages. --state FILE gives the state the stream starts from
(the JSON the client sent as RunAgentInput.state); without it STATE_DELTAs before any STATE_SNAPSHOT apply
to {}, and replay says so ("stateBase": "unknown"). Exit status: 0 clean, 1 findings at the failing level
(default error), 2 a usage or input error.
"""

func fail(_ message: String) -> Never {
    fputs("agstate: \(message)\n", stderr)
    exit(2)
}

func write(_ text: String, to stream: UnsafeMutablePointer<FILE> = stdout) {
    fputs(text, stream)
}

struct Arguments {
    var command = ""
    var profile = Profile.client
    var overrides: [(Rule, Severity)] = []
    var json = false
    var failOn = Severity.error
    var format = EventValidator.StreamFormat.auto
    var pretty = false
    var statePath: String?
    var path: String?

    init(_ argv: [String]) {
        var rest = argv.dropFirst()
        guard let command = rest.popFirst() else { fail("no command\n" + usage) }
        if command == "-h" || command == "--help" { write(usage + "\n"); exit(0) }
        guard ["validate", "replay", "rules"].contains(command) else { fail("unknown command '\(command)'\n" + usage) }
        self.command = command
        func value(_ flag: String) -> String {
            guard let v = rest.popFirst() else { fail("\(flag) needs a value") }
            return v
        }
        while let arg = rest.popFirst() {
            switch arg {
            case "--profile":
                let v = value(arg)
                guard let p = Profile(name: v) else { fail("unknown profile '\(v)' (client, strict or compat)") }
                profile = p
            case "--rule":
                let v = value(arg)
                let parts = v.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, let rule = Rule(rawValue: parts[0]) else { fail("--rule wants ID=SEVERITY with a known rule id, not '\(v)' (see: agstate rules)") }
                guard let severity = Severity(name: parts[1]) else { fail("unknown severity '\(parts[1])' (error, warning, info, off)") }
                overrides.append((rule, severity))
            case "--format":
                let v = value(arg)
                guard v == "human" || v == "json" else { fail("--format is human or json") }
                json = v == "json"
            case "--fail-on":
                let v = value(arg)
                guard let s = Severity(name: v), s != .off else { fail("--fail-on is error, warning or info") }
                failOn = s
            case "--input":
                switch value(arg) {
                case "auto": format = .auto
                case "ndjson": format = .ndjson
                case "sse": format = .sse
                default: fail("--input is auto, ndjson or sse")
                }
            case "--pretty":
                pretty = true
            case "--state":
                statePath = value(arg)
            case "-h", "--help":
                write(usage + "\n")
                exit(0)
            default:
                if arg.hasPrefix("--") { fail("unknown option '\(arg)'\n" + usage) }
                guard path == nil else { fail("one input at a time") }
                path = arg
            }
        }
        if command != "rules" && path == nil { fail("no input: give a file, or - for standard input") }
    }
}

/// Reads a file (or standard input for -) in pieces of 1 MiB, handing each to `body`.
func readAll(_ path: String, _ body: (UnsafeRawBufferPointer) -> Void) {
    let file: UnsafeMutablePointer<FILE>
    if path == "-" {
        file = stdin
    } else {
        guard let f = fopen(path, "rb") else { fail("cannot open '\(path)': \(String(cString: strerror(errno)))") }
        file = f
    }
    defer { if path != "-" { fclose(file) } }
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    while true {
        let n = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
        if n > 0 { buffer.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[0..<n])) } }
        if n < buffer.count {
            if ferror(file) != 0 { fail("cannot read '\(path)'") }
            break
        }
    }
}

/// The starting state given with --state: one JSON document.
func readState(_ path: String) -> JSONValue {
    var bytes: [UInt8] = []
    readAll(path) { bytes.append(contentsOf: $0) }
    do {
        return try JSONParser.parse(bytes)
    } catch {
        fail("--state '\(path)' is not one JSON document: \(error.message)")
    }
}

func human(_ f: Finding, _ name: String) -> String {
    let at = f.eventIndex < 0 ? "end of stream" : "event \(f.eventIndex)"
    let pointer = f.pointer.map { " at \($0)" } ?? ""
    return "\(name): \(at)\(pointer): \(f.severity.name) [\(f.rule.rawValue)] \(f.message)\n"
}

let args = Arguments(CommandLine.arguments)

if args.command == "rules" {
    for rule in Rule.allCases {
        let line = rule.rawValue + String(repeating: " ", count: max(1, 36 - rule.rawValue.utf8.count))
        write("\(line)client=\(rule.severity(in: .client).name) strict=\(rule.severity(in: .strict).name) compat=\(rule.severity(in: .compat).name)\n")
    }
    exit(0)
}

var options = ValidatorOptions()
options.trackMessages = args.command == "replay"
if let statePath = args.statePath {
    if statePath == "-" && args.path == "-" { fail("--state and the stream cannot both be standard input") }
    options.initialState = readState(statePath)
}
let validator = EventValidator(profile: args.profile, options: options)
for (rule, severity) in args.overrides { validator.setSeverity(severity, for: rule) }
let path = args.path!
readAll(path) { _ = validator.feed(stream: $0, format: args.format) }
validator.finish()
let name = path == "-" ? "<stdin>" : path
let serialize = SerializeOptions(pretty: args.pretty)

if args.command == "replay" {
    var o = JSONObject()
    o["state"] = validator.state
    o["activities"] = validator.activities
    o["messages"] = validator.messages ?? .array(JSONArray())
    if !validator.stateBaseKnown && validator.deltasWithoutBase > 0 {
        // The deltas were computed against a state the stream never showed: the state above is what
        // they make of {}, not necessarily the agent's.
        o["stateBase"] = "unknown"
        o["deltasWithoutBase"] = .int(Int64(validator.deltasWithoutBase))
        o["deltasNotApplied"] = .int(Int64(validator.deltasNotApplied))
    }
    write(JSONSerializer.string(.object(o), options: serialize) + "\n")
    if !validator.stateBaseKnown && validator.deltasWithoutBase > 0 {
        write("agstate: \(validator.deltasWithoutBase) STATE_DELTA(s) came before any STATE_SNAPSHOT and were applied to {} (\(validator.deltasNotApplied) could not be): give the starting state with --state FILE\n", to: stderr)
    }
    let errors = validator.counts[.error] ?? 0
    if errors > 0 { write("agstate: \(errors) error(s) in the stream; run 'agstate validate' to see them\n", to: stderr) }
    exit(0)
}

let counts = validator.counts
if args.json {
    var o = JSONObject()
    o["input"] = .string(name)
    o["profile"] = .string(args.profile.rawValue)
    o["events"] = .int(Int64(validator.eventCount))
    o["errors"] = .int(Int64(counts[.error] ?? 0))
    o["warnings"] = .int(Int64(counts[.warning] ?? 0))
    o["infos"] = .int(Int64(counts[.info] ?? 0))
    o["findings"] = .array(JSONArray(validator.findings.map(\.json)))
    write(JSONSerializer.string(.object(o), options: SerializeOptions(pretty: true)) + "\n")
} else {
    for f in validator.findings { write(human(f, name)) }
    if validator.droppedFindings > 0 { write("\(name): \(validator.droppedFindings) more findings not shown\n") }
    write("\(name): \(validator.eventCount) events, \(counts[.error] ?? 0) errors, \(counts[.warning] ?? 0) warnings, \(counts[.info] ?? 0) infos (profile \(args.profile.rawValue))\n")
}
let failing = Severity.allCases.filter { $0 >= args.failOn && $0 != .off }.reduce(0) { $0 + (counts[$1] ?? 0) }
exit(failing > 0 ? 1 : 0)
