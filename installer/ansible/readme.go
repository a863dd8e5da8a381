package ansible

import (
	"fmt"
	"github.com/tunduk-onboard/tunduk-onboard/installer"
	"strings"
)

// readme says how to run the project, in English and Russian (README.ky.md:
// readmeKy, in Kyrgyz).
func readme(p Project) []byte {
	var hosts []string
	for _, h := range p.Hosts {
		hosts = append(hosts, h.Name)
	}
	secret := "-e @secrets.yml --ask-vault-pass"
	return []byte(fmt.Sprintf(`# Tunduk security servers, on Ansible

Written by `+"`tunduk-onboard-cli ansible export`"+` for: %[1]s.
Кыргызча: README.ky.md.

Every task's script is a step of the install plan that
`+"`tunduk-onboard-cli install`"+` runs itself (host_vars/HOST.yml, byte for
byte, never templated), and the journal on each server
(`+"`%[2]s`"+`) is the same one: a server half installed by one is
finished by the other.

## Run it

1. Secrets. The admin user's password is asked for when the play starts;
   for unattended runs keep it in an Ansible Vault file:

       ansible-vault create secrets.yml     # tunduk_admin_password: ...
       ansible-playbook site.yml %[3]s --ask-become-pass

   It is never written into this project, and the tasks that carry it
   print nothing (no_log).
2. The first play copies `+"`%[4]s`"+` to each server and runs the
   readiness check (the module library/tunduk_readiness.py; its report is
   the fact `+"`tunduk_readiness`"+`). A server that fails it is stopped and
   reported; `+"`tunduk_readiness_override: true`"+` (for one server in the
   inventory, or `+"`-e tunduk_readiness_override=true`"+` for all) goes on anyway and
   records the first override in `+"`%[5]s`"+` on the server (an installed
   server fails other rules than a fresh one: a re-run needs the override
   too, and is reported in the run's output).
3. The install: each step's check runs first; its apply runs only when
   the check fails, and is reported as a change. Run it again at any time:
   a finished server reports changed=0. Long steps (packages) run with
   async, as the CLI runs them detached.
4. Offline packages are uploaded from `+"`tunduk_packages_dir`"+` (%[6]s).
5. For the whole install play each server's run lock is held (by the
   service `+"`"+HoldUnit+"-…`"+`, released at the play's end, whatever
   happened): a `+"`tunduk-onboard-cli install`"+` started meanwhile is
   refused, and a server that install drives now is refused by the play.
   The service holds the lock on a lease, which every step's check and
   apply renews (a step that still runs, all the while it runs: an async
   one even after its run lost the server). Once no task has renewed it
   for `+"`"+IdleVar+"`"+` (default `+fmt.Sprint(DefaultIdle)+`; more
   if uploading one package takes longer) the service lets go by itself,
   and after `+fmt.Sprint(int(lockHold.Hours()))+` hours whatever happens.
   So when a run loses a server (its SSH cut and the server reported
   unreachable, or ansible-playbook killed), run the play again: on that
   server it waits for the earlier run's hold to end (the output says
   whom it waited for), then each step's check decides, and what the lost
   run finished is not applied again. `+"`systemctl stop "+HoldUnit+"-…`"+`
   on the server (the refusal names it) ends a hold sooner: only when no
   step of that run still runs there. A run idle past the bound is
   refused at its next apply (its hold has ended): run it again. The
   install play runs each server at its own pace (strategy: free), so
   that no server waits, idle, for another's long step; with more
   servers than forks, a server also waits for a free fork: keep the
   bound above that wait.

Hosts run in parallel (forks in ansible.cfg). Check first with
`+"`ansible-playbook site.yml --syntax-check`"+` and `+"`ansible-lint`"+`.

%[7]s
---

# Серверы безопасности Тундук в Ansible

Каждая задача выполняет шаг того же плана установки, что и
`+"`tunduk-onboard-cli install`"+` (host_vars/HOST.yml, байт в байт), и
пишет тот же журнал на сервере: начатое одним завершит другой.

Запуск: `+"`ansible-playbook site.yml %[3]s --ask-become-pass`"+`
(пароль администратора X-Road храните в Ansible Vault, в проекте его нет).
Первый play проверяет готовность сервера; не прошедший проверку сервер
останавливается (`+"`-e tunduk_readiness_override=true`"+` продолжает под вашу
ответственность, это записывается на сервере). Повторный запуск безопасен:
готовый сервер даёт changed=0. Пока идёт установка, блокировка запуска на
сервере занята (служба `+"`"+HoldUnit+"-…`"+`): `+"`tunduk-onboard-cli install`"+`
в это время отказывается работать. Служба держит блокировку, пока задачи
шагов продлевают аренду (шаг, который ещё выполняется, — всё время, пока
он идёт), и отпускает её сама через `+"`"+IdleVar+"`"+` секунд без
задач (по умолчанию `+fmt.Sprint(DefaultIdle)+`). Если запуск потерял
сервер (разрыв SSH, unreachable, прерванный ansible-playbook), запустите
play снова: на этом сервере он дождётся, пока прежняя служба отпустит
блокировку, и проверки шагов не повторят сделанное. Раньше её снимает
`+"`systemctl stop "+HoldUnit+"-…`"+` (имя службы есть в отказе).

%[8]s`, strings.Join(hosts, ", "), installer.DefaultJournalPath, secret, HostCLI, ReadinessRecord, orNone(p.PackagesDir),
		configureEN(p), configureRU(p)))
}

func orNone(s string) string {
	if s == "" {
		return "none: packages come from the network repository"
	}
	return s
}
