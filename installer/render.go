package installer

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

var labels = map[string]i18n.Text{
	"plan":   {EN: "Install plan: %d steps. Each check runs first; apply runs (as root) only when the check fails.", RU: "План установки: шагов %d. Сначала выполняется проверка; действие (от root) только если проверка не прошла.", KY: "Орнотуу планы: %d кадам. Адегенде текшерүү аткарылат; аракет (root катары) текшерүү өтпөсө гана."},
	"note":   {EN: "note", RU: "примечание", KY: "эскертүү"},
	"check":  {EN: "check", RU: "проверка", KY: "текшерүү"},
	"apply":  {EN: "apply", RU: "действие", KY: "аракет"},
	"stdin":  {EN: "standard input of apply (written by the runner, never in a command line)", RU: "стандартный ввод действия (передаёт исполнитель, никогда не в командной строке)", KY: "аракеттин стандарттык кирүүсү (аткаруучу берет, эч качан буйрук сабында эмес)"},
	"upload": {EN: "upload the .deb files of %s to %s first", RU: "сначала загрузить .deb-файлы из %s в %s", KY: "адегенде %s ичиндеги .deb файлдарын %s жүктөө"},
	"long":   {EN: "long: runs detached on the host", RU: "долгий: выполняется на сервере в фоне", KY: "узак: серверде фондо аткарылат"},
}

// Mask replaces every secret in s with Masked, longest secret first so a
// secret containing another is hidden whole.
func Mask(s string, secrets []string) string {
	sorted := append([]string(nil), secrets...)
	sort.Slice(sorted, func(i, j int) bool { return len(sorted[i]) > len(sorted[j]) })
	for _, sec := range sorted {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, Masked)
		}
	}
	return s
}

// MaskSteps returns copies of the steps with every secret masked in every
// field a person or a log could see.
func MaskSteps(steps []Step) []Step {
	out := make([]Step, len(steps))
	for i, s := range steps {
		m := func(x string) string { return Mask(x, s.Secrets) }
		s.Check, s.Apply, s.Stdin = m(s.Check), m(s.Apply), m(s.Stdin)
		s.Note = i18n.Text{EN: m(s.Note.EN), RU: m(s.Note.RU), KY: m(s.Note.KY)}
		s.Secrets = nil
		out[i] = s
	}
	return out
}

// DryRun renders the plan for review in lang: numbered steps, the title,
// any note, then the exact check and apply commands, secrets masked.
func DryRun(steps []Step, lang string) string {
	var b strings.Builder
	l := func(k string) string { return labels[k].In(lang) }
	fmt.Fprintf(&b, l("plan")+"\n", len(steps))
	for i, s := range MaskSteps(steps) {
		fmt.Fprintf(&b, "\n%2d. [%s] %s\n", i+1, s.ID, s.Title.In(lang))
		if s.Long {
			fmt.Fprintf(&b, "    (%s)\n", l("long"))
		}
		if n := s.Note.In(lang); n != "" {
			fmt.Fprintf(&b, "    %s: %s\n", l("note"), n)
		}
		if s.Upload != nil {
			fmt.Fprintf(&b, "    "+l("upload")+"\n", s.Upload.From, s.Upload.To)
		}
		fmt.Fprintf(&b, "    %s:\n%s", l("check"), indent(s.Check))
		fmt.Fprintf(&b, "    %s:\n%s", l("apply"), indent(s.Apply))
		if s.Stdin != "" {
			fmt.Fprintf(&b, "    %s:\n%s", l("stdin"), indent(s.Stdin))
		}
	}
	return b.String()
}

func indent(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		b.WriteString("      " + line + "\n")
	}
	return b.String()
}
