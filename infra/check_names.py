"""Check that the Terraform in infra/ names what the function code actually uses, so that a
rename on either side fails infra/check.sh instead of a deployment:

- the Lambda zips are the cargo-lambda builds of the binaries function/cloud/Cargo.toml
  declares, run as `bootstrap` on provided.al2023;
- each function's environment holds exactly the settings its binary reads (names from
  function/cloud/src/env.rs), and the token comes from a Secrets Manager secret;
- the object paths in the IAM policies, the lifecycle prefixes and the S3 event filter are the
  storage layout of protocol/src/job.rs;
- the alarms are wired by name (check_alarms.py): each exists and notifies var.alarm_actions,
  the 401 filter matches presign.rs's log line, the example's topic lets CloudWatch publish.

Usage: python check_names.py [REPO_ROOT]   (exit 1 with one line per mismatch)
"""

import re
import sys
import tomllib
from pathlib import Path

import hcl2

sys.dont_write_bytecode = True  # no infra/__pycache__ from the next import
import check_alarms  # noqa: E402  (infra/check_alarms.py, next to this file)

MODULE = Path("infra/modules/qrveil")
EXAMPLE = Path("infra/examples/complete/main.tf")


def unquote(value):
    """python-hcl2 keeps string literals quoted: '"x"' -> 'x'; expressions stay '${...}'."""
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def key(k):
    return unquote(k)


def load_module(root):
    """All blocks of the module's .tf files: {'resource': {(type, name): body}, 'data': ..., 'locals': {...}}."""
    out = {"resource": {}, "data": {}, "locals": {}}
    for tf in sorted((root / MODULE).glob("*.tf")):
        with open(tf) as f:
            doc = hcl2.load(f)
        for kind in ("resource", "data"):
            for block in doc.get(kind, []):
                for rtype, named in block.items():
                    for name, body in named.items():
                        out[kind][(key(rtype), key(name))] = body
        for block in doc.get("locals", []):
            out["locals"].update({key(k): v for k, v in block.items() if not k.startswith("__")})
    return out


def code_facts(root):
    cargo = tomllib.loads((root / "function/cloud/Cargo.toml").read_text())
    bins = [b["name"] for b in cargo.get("bin", [])]
    env_rs = (root / "function/cloud/src/env.rs").read_text()
    env_names = dict(re.findall(r'pub const ([A-Z_]+): &str = "([A-Z0-9_]+)";', env_rs))
    reads = {}
    for b in cargo.get("bin", []):
        source = root / "function/cloud" / b.get("path", f"src/bin/{b['name']}.rs")
        if source.is_file():
            text = source.read_text()
            reads[b["name"]] = {env_names[c] for c in re.findall(r"\benv::([A-Z_]+)\b", text) if c in env_names}
    job_rs = (root / "protocol/src/job.rs").read_text()
    consts = dict(re.findall(r'pub const ([A-Z_]+): &str = "([^"]*)";', job_rs))
    paths = {}
    for fn, template in re.findall(r'pub fn (\w+)\(\w+: &\w+\) -> String \{\s*format!\("([^"]+)"\)', job_rs):
        paths[fn] = re.sub(r"\{\w+\}", "*", template)
    return bins, env_names, reads, consts, paths


def check(root):
    errors = []
    bins, env_names, reads, consts, paths = code_facts(root)
    tf = load_module(root)
    res, data, local = tf["resource"], tf["data"], tf["locals"]

    # Binaries and how they are packaged.
    expected_bins = ["qrveil-function", "qrveil-presign"]
    if bins != expected_bins:
        errors.append(f"function/cloud/Cargo.toml builds {bins}; infra deploys {expected_bins}")
    with open(root / EXAMPLE) as f:
        example = hcl2.load(f)
    module = next((m[k] for m in example.get("module", []) for k in m if key(k) == "qrveil"), {})
    for fn_name, var, binary in (("function", "function_zip", "qrveil-function"), ("presign", "presign_zip", "qrveil-presign")):
        zip_path = unquote(module.get(var, ""))
        if f"/target/lambda/{binary}/bootstrap.zip" not in zip_path or binary not in bins:
            errors.append(f"example {var} = {zip_path!r} is not cargo lambda's zip of a binary the code builds ({bins})")
        fn = res.get(("aws_lambda_function", fn_name))
        if fn is None:
            errors.append(f"no aws_lambda_function.{fn_name}")
            continue
        if fn.get("filename") != f"${{var.{var}}}":
            errors.append(f"aws_lambda_function.{fn_name} does not deploy var.{var}")
        if (unquote(fn.get("handler")), unquote(fn.get("runtime"))) != ("bootstrap", "provided.al2023"):
            errors.append(f"aws_lambda_function.{fn_name} must run `bootstrap` on provided.al2023")

        # Settings: exactly what the binary reads.
        env_blocks = fn.get("environment", [])
        env = env_blocks[0].get("variables", {}) if env_blocks else {}
        names = {key(k) for k in env}
        unknown = names - set(env_names.values())
        if unknown:
            errors.append(f"aws_lambda_function.{fn_name} sets {sorted(unknown)}, which function/cloud/src/env.rs does not define")
        if binary in reads and names != reads[binary]:
            errors.append(f"aws_lambda_function.{fn_name} sets {sorted(names)} but {binary} reads {sorted(reads[binary])}")
        token = env_names.get("TOKEN_SECRET_ID")
        if token in names and not str(env.get(token, "")).startswith("${aws_secretsmanager_secret."):
            errors.append(f"{token} must name a Secrets Manager secret resource, not a plain value")

    # Storage layout: prefixes, the event filter, the objects in the policies.
    for local_name, const in (("keys_prefix", "KEYS_PREFIX"), ("jobs_prefix", "JOBS_PREFIX"), ("input_suffix", "INPUT_SUFFIX")):
        if unquote(local.get(local_name)) != consts.get(const):
            errors.append(f"local.{local_name} = {unquote(local.get(local_name))!r}, job.rs {const} = {consts.get(const)!r}")
    notification = res.get(("aws_s3_bucket_notification", "this"), {})
    lambdas = notification.get("lambda_function", [])
    trigger = lambdas[0] if lambdas else {}
    if (trigger.get("filter_prefix"), trigger.get("filter_suffix")) != ("${local.jobs_prefix}", "${local.input_suffix}"):
        errors.append("the S3 notification must filter on local.jobs_prefix and local.input_suffix")
    if trigger.get("lambda_function_arn") != "${aws_lambda_function.function.arn}":
        errors.append("the S3 notification must start aws_lambda_function.function")
    lifecycle = res.get(("aws_s3_bucket_lifecycle_configuration", "this"), {})
    prefixes = {r.get("filter", [{}])[0].get("prefix") for r in lifecycle.get("rule", [])}
    if not {"${local.jobs_prefix}", "${local.keys_prefix}"} <= prefixes:
        errors.append(f"lifecycle rules must expire local.jobs_prefix and local.keys_prefix (found {prefixes})")

    objects = {key(k): unquote(v).replace("${local.bucket_arn}/", "") for k, v in local.get("objects", {}).items() if not k.startswith("__")}
    if objects != paths:
        errors.append(f"local.objects {objects} differ from job.rs paths {paths}")

    def grants(doc_name):
        out = {}
        for st in data.get(("aws_iam_policy_document", doc_name), {}).get("statement", []):
            for action in st.get("actions", []):
                out.setdefault(unquote(action), set()).update(st.get("resources", []))
        return out

    def objs(*names):
        return {f"${{local.objects.{n}}}" for n in names}

    want = {
        "function": {"s3:GetObject": objs("server_key", "manifest", "input", "status"), "s3:PutObject": objs("output", "status")},
        "presign": {"s3:PutObject": objs("server_key", "manifest", "input"), "s3:GetObject": objs("server_key", "status", "output")},
    }
    for doc_name, expected in want.items():
        got = grants(doc_name)
        for action, resources in expected.items():
            if got.get(action) != resources:
                errors.append(f"{doc_name} policy grants {action} on {sorted(got.get(action, []))}, expected {sorted(resources)}")
        s3_actions = {a for a in got if a.startswith("s3:")}
        if s3_actions - set(expected) - {"s3:ListBucket"}:
            errors.append(f"{doc_name} policy grants more S3 actions than it needs: {sorted(s3_actions)}")
        if got.get("s3:ListBucket", {"${local.bucket_arn}"}) != {"${local.bucket_arn}"}:
            errors.append(f"{doc_name} policy lists more than the bucket")
    return errors + check_alarms.check(root, res, local)


def main():
    root = Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    errors = check(root)
    for e in errors:
        print(f"infra/check_names: {e}")
    if errors:
        sys.exit(1)
    print("infra/check_names: Terraform names match the function code (binaries, settings, paths, event filter, alarm wiring)")


if __name__ == "__main__":
    main()
