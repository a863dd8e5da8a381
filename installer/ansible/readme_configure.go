package ansible

import (
	"fmt"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/installer"
)

// md turns ^ into the backquote of Markdown (Go's raw strings have none).
func md(s string) string { return strings.ReplaceAll(s, "^", "`") }

func controlCLI(p Project) string {
	if p.ControlCLI == "" {
		return "tunduk-onboard-cli (on PATH)"
	}
	return p.ControlCLI
}

// configureEN is the README's section on configure.yml, in English.
func configureEN(p Project) string {
	return fmt.Sprintf(md(`## Configure: the X-Road admin API steps (configure.yml)

After the install, ^configure.yml^ does per server what
^tunduk-onboard-cli server init^, ^server csr^, ^server import^,
^server register^ and ^connect --plan^ do by hand. Each task runs the CLI
on this computer (delegate_to: localhost; ^tunduk_control_cli^, by default
^%[1]s^), which logs in to the server over SSH as Ansible does (user,
host, port, ^ansible_ssh_private_key_file^, ^tunduk_known_hosts^) and
reaches the admin API through that connection, its TLS pinned to the
server's own certificate.

    ansible-playbook configure.yml -e tunduk_anchor=/path/to/anchor.xml %[2]s
    ansible-playbook site.yml --tags all,configure ...   # install, then configure

A plain ^ansible-playbook site.yml^ installs only: the configure play is
imported with the tags ^configure^ and ^never^, so its secrets are not
asked for. With ^--tags all,configure^ the admin password typed for the
install is used again.

Variables (group_vars/all.yml; per server in hosts.yml or host_vars):

- ^tunduk_member_class^, ^tunduk_member_code^, ^tunduk_server_code^ of
  each server (hosts.yml);
- ^tunduk_anchor^: the configuration anchor file from the operator, on
  this computer; ^tunduk_anchor_hash^: its published SHA-224 (checked);
- ^tunduk_org_name^: the organisation's name in the CSRs;
- ^tunduk_admin_password^ and ^tunduk_token_pin^ (the software token PIN,
  set at initialisation): asked when the play starts, or from an Ansible
  Vault; ^tunduk_hw_token_pin^ too, asked only when a server makes its
  signing key on a hardware token (left empty when that token is logged
  in already); given to the CLI on its standard input in no_log tasks,
  never written;
- ^tunduk_csr_dir^ (default csr/): each server's CSRs are written to
  ^csr/HOST/^ for the CA (auth.csr.der and auth.csr.pem; sign.csr.* too
  when the signing key is made on the server: ^tunduk_sign_on^ or the
  profile);
- ^tunduk_sign_on: hw-token^ makes the signing key on the hardware token
  plugged into the server: ^tunduk_hw_token^ is its ID as ^server status^
  lists it (by default the server's only hardware token);
  ^tunduk_sign_on: soft-token^ on its software token;
- ^tunduk_certs^: per server, the certificate files the CA issued for
  those CSRs, on this computer: imported, then the authentication certificate registered
  (^tunduk_register: false^ skips that; ^tunduk_register_address^ is the
  server's public address, by default ^tunduk_address^, else the host);
  ^tunduk_register_wait: true^ then waits for the operator's approval, for
  up to ^tunduk_register_wait_timeout^ (default 24h; a duration such as 2h
  or 30m), asking every ^tunduk_register_poll^ (default 30s): the task runs
  that long, and a run that gave up goes on waiting when run again;
  ^tunduk_register_activate: true^ (only with the wait) then activates the
  authentication certificate;
- ^tunduk_connect_plan^: per server, a connect plan file (subsystems,
  services, access rights) for ^connect --plan^;
- ^tunduk_lang^ (en, ru, ky): the language of the CLI's messages;
  ^tunduk_backup_dir^: where the backups taken before a change are kept
  (default: the CLI's own); ^tunduk_cli_extra_args^: further flags for
  every call (advanced).

Run it again at any time: a task reports a change only when the CLI's JSON
says one of its steps was done now (not found done already); a configured
server reports changed=0 and takes no new backup. A failure is shown as the
CLI's own message, in ^tunduk_lang^, by the task after it (the task that
carries the secrets prints nothing); the other servers go on.
`), controlCLI(p), vaultArgs)
}

const vaultArgs = "-e @secrets.yml --ask-vault-pass"

// configureRU is the section in Russian.
func configureRU(p Project) string {
	return fmt.Sprintf(md(`Шаги API X-Road (инициализация, CSR, импорт сертификатов, регистрация,
подсистемы) выполняет ^configure.yml^:
^ansible-playbook configure.yml -e tunduk_anchor=/путь/anchor.xml %[2]s^
(или ^site.yml --tags all,configure^: установка и настройка за один
запуск; обычный запуск site.yml только устанавливает). Каждая задача
запускает CLI на этом компьютере (^tunduk_control_cli^, по умолчанию
^%[1]s^), который входит на сервер по SSH как Ansible и обращается к API
через это соединение, с TLS, привязанным к собственному сертификату
сервера. Пароль администратора (^tunduk_admin_password^) и PIN
программного токена (^tunduk_token_pin^) спрашиваются при запуске или
берутся из Ansible Vault и передаются только через stdin (no_log). CSR
записываются в ^csr/ХОСТ/^; выданные сертификаты укажите в ^tunduk_certs^
сервера (импорт и регистрация), план подключения — в
^tunduk_connect_plan^. Повторный запуск даёт changed=0 и не делает новой
резервной копии; ошибка показывается сообщением CLI на языке
^tunduk_lang^, остальные серверы продолжают. С ^tunduk_register_wait: true^
регистрация ждёт одобрения оператора (не дольше
^tunduk_register_wait_timeout^, по умолчанию 24h; запрос каждые
^tunduk_register_poll^, по умолчанию 30s), а ^tunduk_register_activate: true^
(только вместе с ожиданием) затем активирует сертификат аутентификации.
Ключ подписи на аппаратном токене сервера: ^tunduk_sign_on: hw-token^,
^tunduk_hw_token^ — ID токена, как его показывает ^server status^ (по
умолчанию единственный аппаратный токен сервера); PIN этого токена
(^tunduk_hw_token_pin^) спрашивается только тогда (оставьте пустым, если
вход в токен уже выполнен).
`), controlCLI(p), vaultArgs)
}

// readmeKy is README.ky.md: the README in Kyrgyz.
func readmeKy(p Project) []byte {
	var hosts []string
	for _, h := range p.Hosts {
		hosts = append(hosts, h.Name)
	}
	return []byte(fmt.Sprintf(md(`# Тундуктун коопсуздук серверлери, Ansible'де

^tunduk-onboard-cli ansible export^ тарабынан жазылды: %[1]s.

Ар бир тапшырманын скрипти ^tunduk-onboard-cli install^ өзү аткарган
орнотуу планынын кадамы (host_vars/HOST.yml, байтка чейин, эч качан
шаблон катары иштетилбейт), жана ар бир сервердеги журнал
(^%[2]s^) ошол эле: бири жарым орноткон серверди экинчиси бүтүрөт.

## Иштетүү

1. Сырлар. Администратордун сырсөзү play башталганда суралат; көзөмөлсүз
   иштетүү үчүн аны Ansible Vault файлында сактаңыз:

       ansible-vault create secrets.yml     # tunduk_admin_password: ...
       ansible-playbook site.yml %[3]s --ask-become-pass

   Ал бул долбоорго эч качан жазылбайт, аны алып жүргөн тапшырмалар эч
   нерсе басып чыгарбайт (no_log).
2. Биринчи play ^%[4]s^ ар бир серверге көчүрөт жана даярдык текшерүүсүн
   аткарат (library/tunduk_readiness.py модулу; анын отчёту
   ^tunduk_readiness^ фактысы). Текшерүүдөн өтпөгөн сервер токтотулат
   жана билдирилет; ^tunduk_readiness_override: true^ (инвентарда бир
   сервер үчүн, же баары үчүн ^-e tunduk_readiness_override=true^) баары
   бир улантат жана биринчи override'ду сервердеги ^%[5]s^ файлына жазат
   (орнотулган сервер жаңысынан башка эрежелерден өтпөйт: кайра иштетүүгө
   да override керек, ал иштетүүнүн чыгышында көрсөтүлөт).
3. Орнотуу: ар бир кадамдын текшерүүсү биринчи аткарылат; анын
   колдонулушу текшерүү өтпөгөндө гана аткарылат жана өзгөрүү катары
   билдирилет. Каалаган убакта кайра иштетиңиз: бүткөн сервер changed=0
   берет. Узун кадамдар (пакеттер) async менен аткарылат, CLI аларды
   өзүнчө аткаргандай.
4. Офлайн пакеттер ^tunduk_packages_dir^ ичинен жүктөлөт (%[6]s).
5. Орнотуу play'и бою ар бир сервердин иштетүү кулпусу кармалат
   (^`+HoldUnit+`-…^ кызматы, play аягында эмне болсо да бошотулат):
   ошол убакта баштаган ^tunduk-onboard-cli install^ баш тартылат.
   Кызмат кулпуну ижара боюнча кармайт: ар бир кадамдын текшерүүсү жана
   колдонулушу аны жаңылайт (аткарылып жаткан кадам — ал бүткөнчө, async
   кадам иштетүү серверди жоготкондон кийин да). ^`+IdleVar+`^ секунд
   (демейки `+fmt.Sprint(DefaultIdle)+`) бою эч бир тапшырма жаңылабаса,
   кызмат кулпуну өзү бошотот. Иштетүү серверди жоготсо (SSH үзүлүп,
   сервер unreachable болсо, же ansible-playbook токтотулса), play'ди
   кайра иштетиңиз: ал ошол сервердеги мурунку кызмат кулпуну бошотконун
   күтөт (кимди күткөнүн чыгышында айтат), андан кийин кадамдардын
   текшерүүлөрү чечет, ошондуктан бүткөн кадам кайра колдонулбайт.
   ^systemctl stop `+HoldUnit+`-…^ кулпуну эртерээк бошотот (кызматтын
   аты баш тартууда бар). Орнотуу play'и ар бир серверди өз ылдамдыгында
   иштетет (strategy: free): бир да сервер башкасынын узун кадамын бош
   күтүп турбайт.

Хосттор параллелдүү иштейт (ansible.cfg ичиндеги forks). Алгач
^ansible-playbook site.yml --syntax-check^ жана ^ansible-lint^ менен
текшериңиз.

## Жөндөө: X-Road admin API кадамдары (configure.yml)

Орнотуудан кийин ^configure.yml^ ар бир сервер үчүн
^tunduk-onboard-cli server init^, ^server csr^, ^server import^,
^server register^ жана ^connect --plan^ кол менен аткарганды аткарат. Ар
бир тапшырма CLI'ди ушул компьютерде иштетет (delegate_to: localhost;
^tunduk_control_cli^, демейки боюнча ^%[7]s^), ал серверге Ansible
сыяктуу SSH аркылуу кирет (колдонуучу, хост, порт,
^ansible_ssh_private_key_file^, ^tunduk_known_hosts^) жана admin API'ге
ошол туташуу аркылуу жетет, анын TLS'и сервердин өз сертификатына
бекитилген.

    ansible-playbook configure.yml -e tunduk_anchor=/жол/anchor.xml %[3]s
    ansible-playbook site.yml --tags all,configure ...   # орнотуу, анан жөндөө

Жөнөкөй ^ansible-playbook site.yml^ орнотот гана: configure play'и
^configure^ жана ^never^ тегдери менен импорттолгон, ошондуктан анын
сырлары суралбайт. ^--tags all,configure^ менен орнотуу үчүн терилген
администратор сырсөзү кайра колдонулат.

Өзгөрмөлөр (group_vars/all.yml; сервер үчүн hosts.yml же host_vars ичинде):

- ар бир сервердин ^tunduk_member_class^, ^tunduk_member_code^,
  ^tunduk_server_code^ (hosts.yml);
- ^tunduk_anchor^: оператордон алынган конфигурация анкер файлы, ушул
  компьютерде; ^tunduk_anchor_hash^: анын жарыяланган SHA-224'ү (текшерилет);
- ^tunduk_org_name^: CSR'лердеги уюмдун аты;
- ^tunduk_admin_password^ жана ^tunduk_token_pin^ (программалык токендин
  PIN'и, инициализацияда коюлат): play башталганда суралат же Ansible
  Vault'тан алынат; ^tunduk_hw_token_pin^ да, бирок ал сервер кол коюу
  ачкычын аппараттык токенде түзгөндө гана суралат (ал токенге кирүү
  мурунтан аткарылган болсо, бош калтырыңыз); CLI'ге no_log
  тапшырмаларында стандарттык киргизүү аркылуу гана берилет, эч качан
  жазылбайт;
- ^tunduk_csr_dir^ (демейки csr/): ар бир сервердин CSR'лери CA үчүн
  ^csr/HOST/^ ичине жазылат (auth.csr.der жана auth.csr.pem; кол коюу
  ачкычы серверде түзүлгөндө sign.csr.* да: ^tunduk_sign_on^ же профиль);
- ^tunduk_sign_on: hw-token^ кол коюу ачкычын серверге сайылган аппараттык
  токенде түзөт: ^tunduk_hw_token^ — анын ID'си, ^server status^
  көрсөткөндөй (демейки боюнча сервердин жалгыз аппараттык токени);
  ^tunduk_sign_on: soft-token^ — анын программалык токенинде;
- ^tunduk_certs^: сервер үчүн, CA ошол CSR'лерге берген сертификат
  файлдары, ушул компьютерде: импорттолот, андан кийин аутентификация сертификаты
  катталат (^tunduk_register: false^ муну өткөрүп жиберет;
  ^tunduk_register_address^ — сервердин коомдук дареги, демейки боюнча
  ^tunduk_address^, болбосо хост); ^tunduk_register_wait: true^ андан
  кийин оператордун жактыруусун күтөт, эң көп
  ^tunduk_register_wait_timeout^ (демейки 24h; 2h же 30m сыяктуу узактык),
  ар ^tunduk_register_poll^ сайын сурап (демейки 30s): тапшырма ошончо
  убакыт иштейт, ал эми күтүүнү токтоткон иштетүү кайра иштетилгенде
  күтүүнү улантат; ^tunduk_register_activate: true^ (күтүү менен гана)
  андан кийин аутентификация сертификатын активдештирет;
- ^tunduk_connect_plan^: сервер үчүн, ^connect --plan^ үчүн туташуу планы
  (подсистемалар, кызматтар, кирүү укуктары);
- ^tunduk_lang^ (en, ru, ky): CLI билдирүүлөрүнүн тили;
  ^tunduk_backup_dir^: өзгөрүүнүн алдында алынган камдык көчүрмөлөр
  сакталган жер (демейки: CLI'дин өзүнүкү); ^tunduk_cli_extra_args^: ар
  бир чакырууга кошумча желектер (өркүндөтүлгөн).

Каалаган убакта кайра иштетиңиз: тапшырма CLI'дин JSON'у анын кадамдарынын
бири азыр аткарылганын айтканда гана өзгөрүү деп билдирет (мурун
аткарылган деп табылганын эмес); жөндөлгөн сервер changed=0 берет жана
жаңы камдык көчүрмө алынбайт. Ката CLI'дин өз билдирүүсү катары,
^tunduk_lang^ тилинде, андан кийинки тапшырмада көрсөтүлөт (сырларды алып
жүргөн тапшырма эч нерсе басып чыгарбайт); башка серверлер улантат.
`), strings.Join(hosts, ", "), installer.DefaultJournalPath, vaultArgs, HostCLI, ReadinessRecord, orNoneKy(p.PackagesDir), controlCLI(p)))
}

func orNoneKy(s string) string {
	if s == "" {
		return "жок: пакеттер тармактык репозиторийден келет"
	}
	return s
}
