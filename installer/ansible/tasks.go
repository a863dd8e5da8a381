package ansible

import (
	"fmt"
	"strconv"

	"github.com/tunduk-onboard/tunduk-onboard/installer"
	yaml "go.yaml.in/yaml/v3"
)

// Long steps: Ansible's async bounds a step as the runner's StepTimeout
// does, and polls it as often.
var (
	asyncSeconds = int(installer.DefaultStepTimeout.Seconds())
	pollSeconds  = 5
)

// Task names, in the order the role runs them for each step.
const (
	PartCheck   = "check"
	PartUpload  = "upload"
	PartApply   = "apply"
	PartJournal = "journal"
)

// TaskName is the name of part of step id.
func TaskName(id, part string) string { return "Step " + id + " | " + part }

// RegisterVar is the variable a step's check is registered in.
func RegisterVar(id string) string { return "tunduk_check_" + varRE.ReplaceAllString(id, "_") }

// stepVar is where the host_vars hold a field of step id's.
func stepVar(id, field string) string {
	return "{{ tunduk_steps[" + strconv.Quote(id) + "]." + field + " }}"
}

// tasks is the role: per step a Check (never a change, never a failure:
// any status but 0 means "not done", as the runner reads it), the upload
// of a packages step, the Apply only when the Check did not pass (a
// change, honestly), and the journal entry the runner would write. The
// Check and the Apply begin with the run lock's lines (lock.go: the
// lease), then the plan's script, which the host_vars hold as it is.
func tasks(p Project) []byte {
	list := &yaml.Node{Kind: yaml.SequenceNode}
	for _, st := range p.Hosts[0].Steps {
		reg := RegisterVar(st.ID)
		notDone := reg + ".rc != 0"
		list.Content = append(list.Content, m(
			"name", TaskName(st.ID, PartCheck)+": "+st.Title.EN,
			"ansible.builtin.shell", m("cmd", touchLease()+stepVar(st.ID, "check"), "executable", "/bin/sh"),
			"register", reg,
			"changed_when", false,
			"failed_when", false,
		))
		if st.Upload != nil {
			list.Content = append(list.Content,
				m("name", TaskName(st.ID, PartUpload)+": the folder",
					"ansible.builtin.file", m("path", st.Upload.To, "state", "directory", "mode", "0755"),
					"when", notDone),
				m("name", TaskName(st.ID, PartUpload),
					"ansible.builtin.copy", m("src", "{{ item }}", "dest", st.Upload.To+"/", "mode", "0644"),
					"loop", "{{ query('ansible.builtin.fileglob', tunduk_packages_dir ~ '/*.deb') }}",
					"when", notDone))
		}
		shell := m("cmd", applyLead()+stepVar(st.ID, "apply"), "executable", "/bin/sh")
		if st.Stdin != "" {
			shell.Content = append(shell.Content, str("stdin"), str(p.StdinTemplate(st)))
		}
		apply := m("name", TaskName(st.ID, PartApply), "ansible.builtin.shell", shell, "when", notDone, "changed_when", true)
		if st.Stdin != "" {
			apply.Content = append(apply.Content, str("no_log"), node(true))
		}
		if st.Long {
			apply.Content = append(apply.Content, str("async"), node(asyncSeconds), str("poll"), node(pollSeconds))
		}
		list.Content = append(list.Content, apply, m(
			"name", TaskName(st.ID, PartJournal),
			"ansible.builtin.command", m("argv", []any{"{{ tunduk_cli }}", "journal", "record",
				"--file", "{{ tunduk_journal }}", "--step", st.ID,
				"--apply-sha256", stepVar(st.ID, "apply_sha256"),
				"--applied={{ " + notDone + " }}"}),
			"changed_when", false,
		))
	}
	return doc(list)
}

// hostVars holds h's own scripts: the plan's Check and Apply, never
// templated, and the SHA-256 the journal records of the Apply.
func hostVars(h Host) ([]byte, error) {
	steps := m()
	for _, st := range h.Steps {
		steps.Content = append(steps.Content, str(st.ID), m(
			"check", unsafe(st.Check),
			"apply", unsafe(st.Apply),
			"apply_sha256", installer.ApplySHA256(st),
		))
	}
	if len(steps.Content) == 0 {
		return nil, fmt.Errorf("ansible: %s has an empty plan", h.Name)
	}
	// The plan's scripts keep their own lines, however long: yamllint
	// (in ansible-lint) is told so for this file alone.
	return append([]byte("# yamllint disable rule:line-length\n"), doc(m("tunduk_steps", steps))...), nil
}
