package installer

// Shell syntax in every string of the operator profile: each is either
// refused when the profile is loaded, naming the field, or reaches the
// plan's scripts as data that never runs. The fields are found by walking
// the Profile type, so a field added later is tried too.

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/assets"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
)

// stringPaths lists every string in a value of type t as JSON paths
// (["install","units",0]); a map gets one key, "k", for its values.
func stringPaths(t reflect.Type, prefix []any, out *[][]any) {
	switch t.Kind() {
	case reflect.String:
		*out = append(*out, append([]any(nil), prefix...))
	case reflect.Pointer:
		stringPaths(t.Elem(), prefix, out)
	case reflect.Slice, reflect.Array:
		stringPaths(t.Elem(), append(prefix, 0), out)
	case reflect.Map:
		stringPaths(t.Elem(), append(prefix, "k"), out)
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			stringPaths(f.Type, append(prefix, name), out)
		}
	}
}

// setPath puts v at path in the decoded JSON doc, making what is missing.
// A map key "k" takes the first existing key, so a map the profile needs
// filled (supported_ubuntu) keeps its meaning.
func setPath(doc any, path []any, v string) any {
	if len(path) == 0 {
		return v
	}
	switch k := path[0].(type) {
	case int:
		list, _ := doc.([]any)
		if len(list) == 0 {
			list = []any{nil}
		}
		list = append([]any(nil), list...)
		list[k] = setPath(list[k], path[1:], v)
		return list
	default:
		m, _ := doc.(map[string]any)
		cp := map[string]any{}
		for kk, vv := range m {
			cp[kk] = vv
		}
		key := k.(string)
		if key == "k" && len(cp) > 0 && !hasKey(cp, "k") {
			for kk := range cp {
				if key == "k" || kk < key {
					key = kk
				}
			}
		}
		cp[key] = setPath(cp[key], path[1:], v)
		return cp
	}
}

func hasKey(m map[string]any, k string) bool { _, ok := m[k]; return ok }

func pathName(path []any) string {
	var b strings.Builder
	for _, p := range path {
		switch p := p.(type) {
		case int:
			b.WriteString("[" + strconv.Itoa(p) + "]")
		case string:
			if p == "k" {
				p = "*" // any key of a map
			}
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(p)
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(p.(string))
		}
	}
	return b.String()
}

// getPath is the string at path in doc, "" if none.
func getPath(doc any, path []any) string {
	for _, p := range path {
		switch k := p.(type) {
		case int:
			l, _ := doc.([]any)
			if k >= len(l) {
				return ""
			}
			doc = l[k]
		default:
			m, _ := doc.(map[string]any)
			if k == "k" {
				for kk := range m {
					if k == "k" || kk < k.(string) {
						k = kk
					}
				}
			}
			doc = m[k.(string)]
		}
	}
	s, _ := doc.(string)
	return s
}

func TestShellSyntaxInEveryProfileStringNeverRuns(t *testing.T) {
	if _, err := exec.LookPath("dash"); err != nil {
		t.Fatal("dash is missing")
	}
	raw, err := assets.FS.ReadFile("profiles/tunduk.json")
	if err != nil {
		t.Fatal(err)
	}
	var flat any
	if err := json.Unmarshal(raw, &flat); err != nil {
		t.Fatal(err)
	}
	// The signed repository's fields are used only without a flat one.
	signed := flat
	for p, v := range map[string]any{"flat_repository": "", "flat_packages": []any{}, "repository": "deb https://repo.example.kg/xroad jammy main",
		"repository_key_url": "https://repo.example.kg/key.asc"} {
		signed = setAny(signed, []any{"install", p}, v)
	}
	var paths [][]any
	stringPaths(reflect.TypeOf(profile.Profile{}), nil, &paths)
	if len(paths) < 40 {
		t.Fatalf("only %d string fields found", len(paths))
	}
	// A directory the payloads write into; the scripts run as nobody.
	dir := t.TempDir()
	os.Chmod(dir, 0o777)
	os.Chmod(filepath.Dir(dir), 0o755)
	marker := filepath.Join(dir, "pwned")
	bin := filepath.Join(dir, "bin")
	os.Mkdir(bin, 0o755)
	touch, _ := exec.LookPath("touch")
	os.Symlink(touch, filepath.Join(bin, "touch"))
	payloads := []string{"$(touch " + marker + ")", "`touch " + marker + "`", "; touch " + marker, "\ntouch " + marker + "\n",
		"' ; touch " + marker + " ; '", "\" ; touch " + marker + " ; \"", "| touch " + marker, "& touch " + marker,
		// Without spaces, past a check that refuses them.
		"$(touch${IFS}" + marker + ")", "`touch${IFS}" + marker + "`", ";touch${IFS}" + marker, "&&touch${IFS}" + marker}
	refused, planned, ran := 0, 0, 0
	seen := map[string]bool{}
	for _, base := range []struct {
		name string
		doc  any
	}{{"flat", flat}, {"signed", signed}} {
		for _, path := range paths {
			field := pathName(path)
			for _, pl := range payloads {
				// The payload alone, and after the field's own value (to
				// pass a check that only looks at the start).
				for _, v := range []string{pl, getPath(base.doc, path) + pl} {
					data, _ := json.Marshal(setPath(base.doc, path, v))
					p, err := profile.Parse(data, "hostile.json")
					if err != nil {
						pe, ok := err.(*profile.Error)
						if ok && !sameField(pe.Field, field) {
							// Another field named: fine if any change
							// here breaks it (a class its prefix names).
							benign, _ := json.Marshal(setPath(base.doc, path, getPath(base.doc, path)+"x"))
							_, berr := profile.Parse(benign, "hostile.json")
							if be, bok := berr.(*profile.Error); bok && be.Field == pe.Field {
								refused++
								continue
							}
						}
						if !ok || !sameField(pe.Field, field) {
							t.Errorf("%s %s=%q: refused naming %v", base.name, field, v, err)
						}
						refused++
						continue
					}
					planned++
					for _, tok := range []bool{false, true} {
						opt := options()
						opt.TokenOnServer = tok
						steps, err := Plan(p, report(), opt)
						if err != nil {
							t.Fatalf("%s %s=%q: plan: %v", base.name, field, v, err)
						}
						for _, s := range steps {
							for _, sc := range []struct{ kind, text string }{{"check", s.Check}, {"apply", s.Apply}} {
								// Only a script the value reached, once.
								if !strings.Contains(sc.text, marker) || seen[sc.text] {
									continue
								}
								seen[sc.text] = true
								ran++
								runHostile(t, bin, sc.text, base.name+" "+field+" "+s.ID+" "+sc.kind+" "+strconv.Quote(v))
								if _, err := os.Stat(marker); err == nil {
									t.Errorf("%s %s=%q: the %s of step %s ran it:\n%s", base.name, field, v, sc.kind, s.ID, sc.text)
									os.Remove(marker)
								}
							}
						}
					}
				}
			}
		}
	}
	t.Logf("%d string fields, %d hostile values refused at load, %d planned, %d scripts holding one run", len(paths), refused, planned, ran)
	// The runner sees what it must: an unquoted payload does run.
	runHostile(t, bin, "echo "+payloads[0], "self-check")
	if _, err := os.Stat(marker); err != nil {
		t.Fatal("the self-check's payload did not run: the test sees nothing")
	}
	os.Remove(marker)
}

// sameField: the refusal names the field tried (or the list or map it is
// in, or an element of it).
func sameField(got, want string) bool {
	norm := func(s string) string { return strings.NewReplacer(".*", "", "[0]", "").Replace(s) }
	g, w := norm(got), norm(want)
	return g == w || strings.HasPrefix(w, g+".") || strings.HasPrefix(g, w+".") || strings.HasPrefix(g, w+"[") || strings.HasPrefix(w, g+"[") ||
		strings.HasPrefix(g, w)
}

func setAny(doc any, path []any, v any) any {
	m := doc.(map[string]any)
	cp := map[string]any{}
	for k, vv := range m {
		cp[k] = vv
	}
	if len(path) == 1 {
		cp[path[0].(string)] = v
		return cp
	}
	cp[path[0].(string)] = setAny(cp[path[0].(string)], path[1:], v)
	return cp
}

// runHostile checks the syntax of script (sh -n) and runs it under dash
// with no command on PATH but touch, as nobody (no write outside the
// temporary folder), for at most 5 seconds: what the shell itself runs
// (substitutions, separators) happens; nothing else can.
func runHostile(t *testing.T, bin, script, what string) {
	t.Helper()
	if script == "" {
		return
	}
	if out, err := exec.Command("dash", "-n", "-c", script).CombinedOutput(); err != nil {
		t.Errorf("%s: sh -n: %v %s\n%s", what, err, out, script)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "dash", "-c", script)
	cmd.Env = []string{"PATH=" + bin, "HOME=/nonexistent"}
	cmd.Dir = filepath.Dir(bin)
	if os.Geteuid() == 0 {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	}
	cmd.Run() // fails: no command but touch is there
}

// TestShellSyntaxPastTheLoaderIsQuoted: the same payloads set straight
// into a loaded profile (as if a check at load were forgotten) must
// still never run: the plan quotes what it writes. Reports each field
// that only the loader protects.
func TestShellSyntaxPastTheLoaderIsQuoted(t *testing.T) {
	dir := t.TempDir()
	os.Chmod(dir, 0o777)
	os.Chmod(filepath.Dir(dir), 0o755)
	marker := filepath.Join(dir, "pwned")
	bin := filepath.Join(dir, "bin")
	os.Mkdir(bin, 0o755)
	touch, _ := exec.LookPath("touch")
	os.Symlink(touch, filepath.Join(bin, "touch"))
	payloads := []string{"$(touch " + marker + ")", "`touch " + marker + "`", "; touch " + marker, "\ntouch " + marker + "\n",
		"' ; touch " + marker + " ; '", "\" ; touch " + marker + " ; \""}
	var paths [][]int
	structPaths(reflect.TypeOf(profile.Profile{}), nil, &paths)
	ran := 0
	seen := map[string]bool{}
	for _, path := range paths {
		for _, pl := range payloads {
			p := testProfile(t)
			f := reflect.ValueOf(p).Elem().FieldByIndex(path)
			name := reflect.TypeOf(*p).FieldByIndex(path).Name
			f.SetString(f.String() + pl)
			for _, tok := range []bool{false, true} {
				opt := options()
				opt.TokenOnServer = tok
				steps, err := Plan(p, report(), opt)
				if err != nil {
					continue
				}
				for _, s := range steps {
					for _, sc := range []string{s.Check, s.Apply} {
						if !strings.Contains(sc, marker) || seen[sc] {
							continue
						}
						seen[sc] = true
						ran++
						runHostile(t, bin, sc, name+" "+s.ID)
						if _, err := os.Stat(marker); err == nil {
							t.Errorf("field %s (%v) = %q: step %s ran it", name, path, pl, s.ID)
							os.Remove(marker)
						}
					}
				}
			}
		}
	}
	t.Logf("%d scripts holding a payload run", ran)
}

// structPaths lists the string fields reachable through structs only (the
// ones reflection can set in place).
func structPaths(t reflect.Type, prefix []int, out *[][]int) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		idx := append(append([]int(nil), prefix...), i)
		switch f.Type.Kind() {
		case reflect.String:
			*out = append(*out, idx)
		case reflect.Struct:
			structPaths(f.Type, idx, out)
		}
	}
}
