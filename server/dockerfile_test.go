package main

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The container build is checked here rather than by building an image:
// the rules below are what a review of ../Dockerfile would check, and the
// build commands it runs must be the ones CI runs (../.ci/run), so that an
// image is built the way CI proves works.

// instruction is one Dockerfile instruction with continuations joined.
type instruction struct {
	line int    // where it starts
	cmd  string // upper case: FROM, RUN...
	args string
}

// stage is one FROM ... block.
type stage struct {
	image, name string
	ins         []instruction
}

// parseDockerfile splits a Dockerfile into instructions: comment lines are
// dropped (also inside a continuation, as the builder does), lines ending
// in a backslash continue on the next, and blank lines are skipped.
func parseDockerfile(text string) ([]instruction, error) {
	var out []instruction
	var cur strings.Builder
	start := 0
	for i, raw := range strings.Split(text, "\n") {
		line := strings.TrimRight(raw, " \t\r")
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "#") || (trimmed == "" && cur.Len() == 0) {
			continue
		}
		if cur.Len() == 0 {
			start = i + 1
		}
		cont := strings.HasSuffix(line, `\`)
		cur.WriteString(strings.TrimSuffix(line, `\`))
		if cont {
			cur.WriteByte(' ')
			continue
		}
		full := strings.TrimSpace(cur.String())
		cur.Reset()
		if full == "" {
			continue
		}
		cmd, args, _ := strings.Cut(full, " ")
		out = append(out, instruction{line: start, cmd: strings.ToUpper(cmd), args: strings.Join(strings.Fields(args), " ")})
	}
	if cur.Len() > 0 {
		return nil, fmt.Errorf("line %d: the file ends inside a continuation", start)
	}
	return out, nil
}

func stages(ins []instruction) []stage {
	var out []stage
	for _, in := range ins {
		if in.cmd == "FROM" {
			f := strings.Fields(in.args)
			var flagsDone []string
			for _, x := range f {
				if !strings.HasPrefix(x, "--") {
					flagsDone = append(flagsDone, x)
				}
			}
			st := stage{image: flagsDone[0]}
			if len(flagsDone) == 3 && strings.EqualFold(flagsDone[1], "AS") {
				st.name = flagsDone[2]
			}
			out = append(out, st)
			continue
		}
		if len(out) > 0 {
			out[len(out)-1].ins = append(out[len(out)-1].ins, in)
		}
	}
	return out
}

func (s stage) all(cmd string) []instruction {
	var out []instruction
	for _, in := range s.ins {
		if in.cmd == cmd {
			out = append(out, in)
		}
	}
	return out
}

// shellSegments splits shell text into simple commands on &&, || and ;
// outside quotes, dropping subshell parentheses and normalising spaces.
func shellSegments(text string) []string {
	var out []string
	var cur strings.Builder
	flush := func() {
		part := strings.TrimSpace(cur.String())
		part = strings.TrimSpace(strings.TrimLeft(strings.TrimRight(part, ")"), "("))
		if part != "" {
			out = append(out, strings.Join(strings.Fields(part), " "))
		}
		cur.Reset()
	}
	var quote byte
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == ';':
			flush()
			continue
		case (c == '&' || c == '|') && i+1 < len(text) && text[i+1] == c:
			flush()
			i++
			continue
		}
		cur.WriteByte(c)
	}
	flush()
	return out
}

// ciSegments reads .ci/run as a flat list of simple commands, in order,
// with comments dropped and continuation lines joined.
func ciSegments(text string) []string {
	var out []string
	var cur strings.Builder
	for _, raw := range strings.Split(text, "\n") {
		line := strings.TrimSpace(raw)
		if strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasSuffix(line, `\`) {
			cur.WriteString(strings.TrimSuffix(line, `\`) + " ")
			continue
		}
		cur.WriteString(line)
		out = append(out, shellSegments(cur.String())...)
		cur.Reset()
	}
	return out
}

// frontendCommands are the npm commands CI runs in frontend/: those after
// a `cd frontend` up to the next cd.
func frontendCommands(segs []string) []string {
	var out []string
	in := false
	for _, s := range segs {
		if strings.HasPrefix(s, "cd ") {
			in = s == "cd frontend"
			continue
		}
		if in && strings.HasPrefix(s, "npm ") {
			out = append(out, s)
		}
	}
	return out
}

// isSubsequence reports whether want appears in have in order.
func isSubsequence(want, have []string) bool {
	i := 0
	for _, h := range have {
		if i < len(want) && h == want[i] {
			i++
		}
	}
	return i == len(want)
}

// staticGoBuild reports whether a command is a CGO-less build of ./server.
func staticGoBuild(seg string) bool {
	f := strings.Fields(seg)
	return slices.Contains(f, "CGO_ENABLED=0") && strings.Contains(seg, "go build") && slices.Contains(f, "./server")
}

func readRepoFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestParseDockerfile(t *testing.T) {
	ins, err := parseDockerfile("# c\nFROM a AS b\nRUN x \\\n  # inner comment\n  && y\n\nrun  z\n")
	if err != nil {
		t.Fatal(err)
	}
	got := make([]string, len(ins))
	for i, in := range ins {
		got[i] = strconv.Itoa(in.line) + ":" + in.cmd + ":" + in.args
	}
	if want := []string{"2:FROM:a AS b", "3:RUN:x && y", "7:RUN:z"}; !slices.Equal(got, want) {
		t.Fatalf("parsed %q, want %q", got, want)
	}
	if _, err := parseDockerfile("RUN a \\"); err == nil {
		t.Fatal("a file ending inside a continuation parsed")
	}
	segs := ciSegments("set -e\n# cd frontend && npm ci\n(cd frontend && npm ci &&\\\n npm run build)\n" +
		"echo \"run 'cd frontend && npm test'; or not\"\ncd ..; CGO_ENABLED=0 go build -o /tmp/x ./server\n")
	if got := frontendCommands(segs); !slices.Equal(got, []string{"npm ci", "npm run build"}) {
		t.Fatalf("frontend commands %q", got)
	}
	if !slices.ContainsFunc(segs, staticGoBuild) {
		t.Fatalf("no static go build in %q", segs)
	}
}

func TestDockerfile(t *testing.T) {
	ins, err := parseDockerfile(readRepoFile(t, "../Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	sts := stages(ins)
	if len(sts) < 3 {
		t.Fatalf("%d stages; want a node stage, a go stage and a runtime stage", len(sts))
	}
	names := map[string]bool{}
	var node, gobuild *stage
	for i := range sts {
		st := &sts[i]
		img := st.image
		switch {
		case strings.HasPrefix(img, "node:"):
			node = st
		case strings.HasPrefix(img, "golang:"):
			gobuild = st
		}
		// Pinned bases: a tag (or digest), never latest.
		if img != "scratch" && !names[img] {
			repo, tag, hasTag := strings.Cut(img[strings.LastIndex(img, "/")+1:], ":")
			if (!hasTag && !strings.Contains(img, "@sha256:")) || tag == "latest" || strings.HasPrefix(tag, "latest-") {
				t.Errorf("stage %d: base %q is not pinned to a tag other than latest (%s)", i+1, img, repo)
			}
		}
		if st.name != "" {
			names[st.name] = true
		}
		for _, in := range st.ins {
			if in.cmd == "ADD" && (strings.Contains(in.args, "://") || strings.Contains(in.args, "git@")) {
				t.Errorf("line %d: ADD of a URL; fetch in a RUN with a checksum instead", in.line)
			}
			if in.cmd == "COPY" {
				for _, f := range strings.Fields(in.args) {
					if from, ok := strings.CutPrefix(f, "--from="); ok && !names[from] {
						t.Errorf("line %d: COPY --from=%s names no earlier stage", in.line, from)
					}
				}
			}
		}
	}
	if node == nil || gobuild == nil {
		t.Fatalf("want a node:... stage and a golang:... stage; have %v", sts)
	}

	// The Node stage builds frontend/ with exactly CI's commands.
	var npm []string
	for _, in := range node.all("RUN") {
		for _, seg := range shellSegments(in.args) {
			if strings.HasPrefix(seg, "npm ") {
				npm = append(npm, seg)
			}
		}
	}
	if len(npm) != 2 || !strings.HasPrefix(npm[0], "npm ci") || npm[1] != "npm run build" {
		t.Errorf("node stage runs %q, want npm ci (with CI's flags), then npm run build", npm)
	}
	if wd := node.all("WORKDIR"); len(wd) == 0 || !strings.HasSuffix(wd[len(wd)-1].args, "/frontend") {
		t.Errorf("node stage must build in a .../frontend WORKDIR")
	}
	var pkg struct {
		Engines struct {
			Node string `json:"node"`
		} `json:"engines"`
	}
	if err := json.Unmarshal([]byte(readRepoFile(t, "../frontend/package.json")), &pkg); err != nil {
		t.Fatal(err)
	}
	nodeMajor, _ := strconv.Atoi(regexp.MustCompile(`^\d+`).FindString(strings.SplitN(node.image, ":", 2)[1]))
	if m := regexp.MustCompile(`>=\s*(\d+)`).FindStringSubmatch(pkg.Engines.Node); m != nil {
		if want, _ := strconv.Atoi(m[1]); nodeMajor < want {
			t.Errorf("node image %s is older than package.json engines %q", node.image, pkg.Engines.Node)
		}
	}

	// The Go stage: the toolchain of go.mod, a static, reproducible,
	// stamped build of ./server, embedding the UI the node stage built.
	gomod := readRepoFile(t, "../go.mod")
	m := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindStringSubmatch(gomod)
	if m == nil || !strings.HasPrefix(strings.SplitN(gobuild.image, ":", 2)[1], m[1]) {
		t.Errorf("go image %s does not match go.mod's go %v", gobuild.image, m)
	}
	var build string
	for _, in := range gobuild.all("RUN") {
		for _, seg := range shellSegments(in.args) {
			if strings.Contains(seg, "go build") {
				build = seg
			}
		}
	}
	for _, want := range []string{"CGO_ENABLED=0 go build", "-trimpath", "-X main.version=${VERSION}", "-X main.commit=${COMMIT}", "-o /out/ttx", "./server"} {
		if !strings.Contains(build, want) {
			t.Errorf("go build %q lacks %q", build, want)
		}
	}
	args := map[string]bool{}
	for _, in := range gobuild.all("ARG") {
		args[strings.SplitN(in.args, "=", 2)[0]] = true
	}
	if !args["VERSION"] || !args["COMMIT"] {
		t.Errorf("go stage must declare ARG VERSION and ARG COMMIT, has %v", args)
	}
	embedsUI := false
	for _, in := range gobuild.all("COPY") {
		embedsUI = embedsUI || strings.Contains(in.args, "--from="+node.name) && strings.Contains(in.args, "dist")
	}
	if !embedsUI {
		t.Errorf("go stage must copy the dist built by the node stage (%q)", node.name)
	}

	// The runtime stage.
	final := sts[len(sts)-1]
	if !strings.HasPrefix(final.image, "gcr.io/distroless/") && final.image != "scratch" {
		t.Errorf("final base %s: want distroless or scratch", final.image)
	}
	users := final.all("USER")
	if len(users) == 0 {
		t.Error("final stage sets no USER: it would run as root")
	} else if u := strings.SplitN(users[len(users)-1].args, ":", 2)[0]; u == "" || u == "root" || u == "0" {
		t.Errorf("final USER %q is root", users[len(users)-1].args)
	}
	one := func(cmd, want string) {
		t.Helper()
		got := final.all(cmd)
		if len(got) != 1 || got[0].args != want {
			t.Errorf("final stage %s: got %v, want exactly %s %s", cmd, got, cmd, want)
		}
	}
	one("VOLUME", `["/data"]`)
	one("EXPOSE", "8080")
	one("ENTRYPOINT", `["/ttx"]`)
	one("CMD", `["serve"]`)
	env := map[string]string{}
	for _, in := range final.all("ENV") {
		for _, kv := range strings.Fields(in.args) {
			k, v, _ := strings.Cut(kv, "=")
			env[k] = v
		}
	}
	if env["TTX_DB"] != "/data/ttx.db" || env["TTX_ADDR"] != ":8080" {
		t.Errorf("final ENV %v: want TTX_DB=/data/ttx.db and TTX_ADDR=:8080", env)
	}
	hc := final.all("HEALTHCHECK")
	if len(hc) != 1 || !strings.Contains(hc[0].args, `CMD ["/ttx", "healthcheck"]`) {
		t.Errorf("final HEALTHCHECK %v: want CMD [\"/ttx\", \"healthcheck\"]", hc)
	} else if _, ok := commands()["healthcheck"]; !ok {
		t.Error("HEALTHCHECK runs 'ttx healthcheck', which is not a command")
	}

	ignore := strings.Fields(readRepoFile(t, "../.dockerignore"))
	for _, want := range []string{".git", "**/node_modules"} {
		if !slices.Contains(ignore, want) {
			t.Errorf(".dockerignore lacks %s", want)
		}
	}
}

// TestDockerfileMatchesCI checks that the image is built with commands CI
// runs. In .ci/run, after `cd frontend` (in a subshell or not), the npm
// commands of the Dockerfile's node stage must appear in the same order,
// character for character (CI may run more, such as `npm run check`):
// today `npm ci --no-audit --no-fund --loglevel=error` and `npm run build`.
// And .ci/run must contain a static build of the binary:
// `CGO_ENABLED=0 go build ... ./server`.
func TestDockerfileMatchesCI(t *testing.T) {
	ins, err := parseDockerfile(readRepoFile(t, "../Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	var npm []string
	var goBuild bool
	for _, st := range stages(ins) {
		for _, in := range st.all("RUN") {
			for _, seg := range shellSegments(in.args) {
				if strings.HasPrefix(seg, "npm ") {
					npm = append(npm, seg)
				}
				goBuild = goBuild || staticGoBuild(seg)
			}
		}
	}
	if len(npm) == 0 || !goBuild {
		t.Fatalf("the Dockerfile runs no npm commands (%q) or no static go build of ./server (%v)", npm, goBuild)
	}
	segs := ciSegments(readRepoFile(t, "../.ci/run"))
	if got := frontendCommands(segs); !isSubsequence(npm, got) {
		t.Errorf(".ci/run runs %q in frontend/; the Dockerfile runs %q: CI must run the same commands, in order", got, npm)
	}
	if !slices.ContainsFunc(segs, staticGoBuild) {
		t.Errorf(".ci/run has no `CGO_ENABLED=0 go build ... ./server`; the Dockerfile builds the binary that way, " +
			"so CI must prove it builds without cgo")
	}
}

// TestNodeVersionMatchesCI checks that one Node.js line is used
// everywhere: the one .ci/setup installs for CI and the test command
// (TTX_NODE_VERSION), the Dockerfile's node image, and the lowest version
// frontend/package.json accepts.
func TestNodeVersionMatchesCI(t *testing.T) {
	setup := readRepoFile(t, "../.ci/setup")
	m := regexp.MustCompile(`(?m)^TTX_NODE_VERSION=(\d+)\.\d+\.\d+\b`).FindStringSubmatch(setup)
	if m == nil {
		t.Fatal(".ci/setup sets no TTX_NODE_VERSION=MAJOR.MINOR.PATCH")
	}
	ciMajor := m[1]
	for _, script := range []string{"run", "test"} {
		if !slices.Contains(ciSegments(readRepoFile(t, "../.ci/"+script)), ". .ci/setup") {
			t.Errorf(".ci/%s does not source .ci/setup, so it does not run on the Node.js that sets", script)
		}
	}

	ins, err := parseDockerfile(readRepoFile(t, "../Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	var image string
	for _, st := range stages(ins) {
		if strings.HasPrefix(st.image, "node:") {
			image = st.image
		}
	}
	tag := strings.TrimPrefix(image, "node:")
	if got := regexp.MustCompile(`^\d+`).FindString(tag); got != ciMajor {
		t.Errorf("the Dockerfile builds the UI on %s; CI runs Node.js %s (.ci/setup): use node:%s-...", image, ciMajor, ciMajor)
	}

	var pkg struct {
		Engines struct {
			Node string `json:"node"`
		} `json:"engines"`
	}
	if err := json.Unmarshal([]byte(readRepoFile(t, "../frontend/package.json")), &pkg); err != nil {
		t.Fatal(err)
	}
	if want := ">=" + ciMajor; pkg.Engines.Node != want {
		t.Errorf("frontend/package.json engines.node is %q, want %q (the Node.js line CI runs)", pkg.Engines.Node, want)
	}
}
