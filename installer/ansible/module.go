package ansible

// readinessModule is the tunduk_readiness module: it runs the CLI's
// readiness check on the server itself and returns its
// tunduk-onboard.readiness/v1 report as the fact tunduk_readiness, so
// operators can use the same rules in their own playbooks. It changes
// nothing. The check's exit status 1 is "a rule failed" (the report says
// which), 2 is "could not check".
const readinessModule = `#!/usr/bin/python3
# -*- coding: utf-8 -*-
# Written by tunduk-onboard-cli ansible export.

DOCUMENTATION = r"""
module: tunduk_readiness
short_description: Tunduk Onboard's readiness check of a future security server, as facts
description:
  - Runs C(tunduk-onboard-cli check --format json) on the host and returns its
    tunduk-onboard.readiness/v1 report as the fact C(tunduk_readiness).
options:
  cli:
    description: Path of the static tunduk-onboard-cli on the host.
    type: path
    default: /usr/local/lib/tunduk-onboard/tunduk-onboard-cli
  profile:
    description: Operator profile file on the host; empty for the embedded Tunduk profile.
    type: path
    default: ""
  lang:
    description: Language of the report's texts (en, ru or ky).
    type: str
    default: en
"""

RETURN = r"""
passed:
  description: No readiness rule failed.
  type: bool
failed_rules:
  description: IDs of the rules that failed.
  type: list
ansible_facts:
  description: tunduk_readiness, the whole report.
  type: dict
"""

import json

from ansible.module_utils.basic import AnsibleModule

SCHEMA = "tunduk-onboard.readiness/v1"


def main():
    module = AnsibleModule(
        argument_spec=dict(
            cli=dict(type="path", default="/usr/local/lib/tunduk-onboard/tunduk-onboard-cli"),
            profile=dict(type="path", default=""),
            lang=dict(type="str", default="en", choices=["en", "ru", "ky"]),
        ),
        supports_check_mode=True,
    )
    args = [module.params["cli"], "check", "--format", "json", "--lang", module.params["lang"]]
    if module.params["profile"]:
        args += ["--profile", module.params["profile"]]
    rc, out, err = module.run_command(args)
    if rc not in (0, 1):
        module.fail_json(msg="the readiness check could not run", rc=rc, stderr=err[-4000:])
    try:
        report = json.loads(out)
    except ValueError:
        module.fail_json(msg="the readiness check did not print a report", rc=rc, stderr=err[-4000:])
    if not isinstance(report, dict) or report.get("schema") != SCHEMA:
        module.fail_json(msg="the readiness check printed no " + SCHEMA + " report")
    failed = [r.get("id") for r in report.get("results") or [] if r.get("status") == "fail"]
    module.exit_json(changed=False, passed=not failed, failed_rules=failed,
                     ansible_facts=dict(tunduk_readiness=report))


if __name__ == "__main__":
    main()
`
