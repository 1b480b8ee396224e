"""The alarm wiring, checked by name (called from check_names.py, which parses the module):

- each alarm the module must have exists (errors and throttles of both functions, dead-letter
  depth, the presign endpoint's rejected tokens), watches the metric it is named for and
  notifies var.alarm_actions;
- the job function's S3 events end in the dead-letter queue that alarm watches, after at most
  function_max_event_age_seconds, whose default is how long the SDK waits for a job;
- the rejected-token metric filter matches the line function/cloud/src/presign.rs logs when it
  answers 401 (rendered as the text log format writes it), and no other refusal;
- the example's alarm topic is encrypted with its own key, whose policy and the topic's let
  CloudWatch publish (an AWS-managed key cannot, and alarm e-mails never arrive).
"""

import re
import tomllib

import hcl2

PRESIGN_RS = "function/cloud/src/presign/mod.rs"
TRANSPORT_RS = "sdk/src/transport.rs"
EXAMPLE = "infra/examples/complete/main.tf"
VARIABLES = "infra/modules/qrveil/variables.tf"
PRESIGN_LOG_GROUP = '${aws_cloudwatch_log_group.this["presign"].name}'
DEAD_LETTERS = "${aws_sqs_queue.function_dead_letters"

# resource name -> (namespace, metric, the alarm name's start, for each function?)
ALARMS = {
    "errors": ('"AWS/Lambda"', '"Errors"', "${each.value.name}-", True),
    "throttles": ('"AWS/Lambda"', '"Throttles"', "${each.value.name}-", True),
    "dead_letters": ('"AWS/SQS"', '"ApproximateNumberOfMessagesVisible"', "${local.function_name}-", False),
    "presign_rejected_tokens": (
        "${local.rejected_token_metric.namespace}",
        "${local.rejected_token_metric.name}",
        "${local.presign_name}-",
        False,
    ),
}


def unquote(value):
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def listed(value):
    return [unquote(v) for v in (value if isinstance(value, list) else [value])]


def split_args(text):
    """Top-level comma-separated arguments of a Rust macro call (strings and brackets kept)."""
    args, depth, quoted, start, i = [], 0, False, 0, 0
    while i < len(text):
        c = text[i]
        if quoted:
            i += c == "\\"
            quoted = c != '"'
        elif c == '"':
            quoted = True
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == "," and depth == 0:
            args.append(text[start:i].strip())
            start = i + 1
        i += 1
    return [a for a in args + [text[start:].strip()] if a]


def refusal_lines(root, errors):
    """{status: the text line presign.rs logs for refuse(status, ...)} (tracing's fmt layer
    without ANSI: `LEVEL message field=value ...`); empty after reporting why it cannot tell."""
    src = (root / PRESIGN_RS).read_text()
    if not re.search(r"if\s*!\s*self\.authorised\([^)]*\)\s*\{\s*return\s+refuse\(\s*401\s*,", src):
        errors.append(f"{PRESIGN_RS}: a missing or wrong token no longer answers refuse(401, ...)")
    refuse = re.search(r"\nfn refuse\((\w+): u16, \w+: [^)]*\) -> Reply \{(.*?)\n\}", src, re.S)
    log = refuse and re.search(r"tracing::(\w+)!\((.*?)\);", refuse.group(2), re.S)
    if not log:
        errors.append(f"{PRESIGN_RS}: fn refuse(status: u16, ...) no longer logs with tracing")
        return {}
    level, args = log.group(1), split_args(log.group(2))
    message = args[-1] if args else ""
    if level not in ("info", "warn", "error") or not re.fullmatch(r'"[^"{}\\]*"', message):
        errors.append(f"{PRESIGN_RS}: refuse logs {level}!({log.group(2).strip()}), not a fixed message at info or above")
        return {}
    fields = []
    for arg in args[:-1]:
        name, _, expr = arg.partition("=")
        fields.append((name.strip(), (expr or name).strip().lstrip("%?").strip()))
    statuses = {int(s) for s in re.findall(r"\brefuse\(\s*(\d+)\s*,", src)}
    return {
        s: " ".join([level.upper(), message[1:-1]] + [f"{n}={s if e == refuse.group(1) else '<' + e + '>'}" for n, e in fields])
        for s in statuses
    }


def check_rejected_tokens(root, res, local, errors):
    pattern = unquote(local.get("rejected_token_pattern", "")).replace('\\"', '"')
    terms = re.findall(r'"([^"]+)"', pattern)
    if not terms or re.sub(r'"[^"]+"', "", pattern).strip():
        errors.append(f"local.rejected_token_pattern {pattern!r} must be quoted terms only (all must match)")
    metric_filter = res.get(("aws_cloudwatch_log_metric_filter", "presign_rejected_tokens"))
    if metric_filter is None:
        errors.append("no aws_cloudwatch_log_metric_filter.presign_rejected_tokens (the 401 count)")
    else:
        if metric_filter.get("log_group_name") != PRESIGN_LOG_GROUP or metric_filter.get("pattern") != "${local.rejected_token_pattern}":
            errors.append("the rejected-token filter must apply local.rejected_token_pattern to the presign log group")
        transform = (metric_filter.get("metric_transformation") or [{}])[0]
        alarm = res.get(("aws_cloudwatch_metric_alarm", "presign_rejected_tokens"), {})
        if (transform.get("namespace"), transform.get("name")) != (alarm.get("namespace"), alarm.get("metric_name")):
            errors.append("the rejected-token alarm does not watch the metric its filter writes")
    presign = res.get(("aws_lambda_function", "presign"), {})
    logging = (presign.get("logging_config") or [{}])[0]
    if (unquote(logging.get("log_format")), logging.get("log_group")) != ("Text", PRESIGN_LOG_GROUP):
        errors.append("the presign function must log in Text format to its log group (the filter matches text lines)")
    cargo = tomllib.loads((root / "function/cloud/Cargo.toml").read_text())
    subscriber = cargo.get("dependencies", {}).get("tracing-subscriber", {})
    if subscriber.get("default-features", True) or "ansi" in subscriber.get("features", []):
        errors.append("tracing-subscriber with ANSI colours would split `status=401` with escape codes")
    lines = refusal_lines(root, errors)
    if not terms:
        return
    for status, line in sorted(lines.items()):
        matched = all(t in line for t in terms)
        if matched != (status == 401):
            verb = "misses" if status == 401 else "also counts"
            errors.append(f"local.rejected_token_pattern {pattern!r} {verb} the {status} refusal presign/mod.rs logs: {line!r}")
    if lines and 401 not in lines:
        errors.append(f"{PRESIGN_RS} never calls refuse(401, ...)")


def check_alarms(res, local, errors):
    monitored = {k: v.get("name") for k, v in local.get("monitored", {}).items() if not k.startswith("__")}
    if monitored != {"function": "${local.function_name}", "presign": "${local.presign_name}"}:
        errors.append(f"local.monitored must name both functions, not {monitored}")
    for name, (namespace, metric, prefix, per_function) in ALARMS.items():
        alarm = res.get(("aws_cloudwatch_metric_alarm", name))
        if alarm is None:
            errors.append(f"no aws_cloudwatch_metric_alarm.{name}")
            continue
        if (alarm.get("namespace"), alarm.get("metric_name")) != (namespace, metric):
            errors.append(f"aws_cloudwatch_metric_alarm.{name} watches {alarm.get('namespace')} {alarm.get('metric_name')}, not {namespace} {metric}")
        if not unquote(alarm.get("alarm_name", "")).startswith(prefix):
            errors.append(f"aws_cloudwatch_metric_alarm.{name} must be named {prefix}... (the example's topic admits <name_prefix>-*)")
        dimensions = alarm.get("dimensions", {})
        if per_function and (alarm.get("for_each"), dimensions.get("FunctionName")) != ("${local.monitored}", "${each.value.name}"):
            errors.append(f"aws_cloudwatch_metric_alarm.{name} must watch each function of local.monitored")
    queue = res.get(("aws_cloudwatch_metric_alarm", "dead_letters"), {})
    if queue and (queue.get("dimensions", {}).get("QueueName"), queue.get("threshold"), unquote(queue.get("comparison_operator"))) != (
        f"{DEAD_LETTERS}.name}}", 0, "GreaterThanThreshold"):
        errors.append("aws_cloudwatch_metric_alarm.dead_letters must fire on any message in the dead-letter queue")
    for (rtype, name), body in res.items():
        if rtype == "aws_cloudwatch_metric_alarm" and body.get("alarm_actions") != "${var.alarm_actions}":
            errors.append(f"aws_cloudwatch_metric_alarm.{name} does not notify var.alarm_actions")


def check_event_age(root, res, errors):
    config = res.get(("aws_lambda_function_event_invoke_config", "function"))
    if config is None:
        errors.append("no aws_lambda_function_event_invoke_config.function: S3 events wait up to 6 hours")
        return
    failure = ((config.get("destination_config") or [{}])[0].get("on_failure") or [{}])[0]
    if (config.get("function_name"), config.get("maximum_event_age_in_seconds"), failure.get("destination")) != (
        "${aws_lambda_function.function.function_name}", "${var.function_max_event_age_seconds}", f"{DEAD_LETTERS}.arn}}"):
        errors.append("the job function's event invoke config must bound event age by var.function_max_event_age_seconds and send failures to the dead-letter queue")
    with open(root / VARIABLES) as f:
        variables = {unquote(k): v for block in hcl2.load(f).get("variable", []) for k, v in block.items()}
    default = variables.get("function_max_event_age_seconds", {}).get("default")
    wait = re.search(r"impl Default for WaitPolicy \{.*?timeout: Duration::from_secs\((\d+)\)", (root / TRANSPORT_RS).read_text(), re.S)
    if not wait or default != int(wait.group(1)):
        errors.append(f"function_max_event_age_seconds defaults to {default}, clients wait {wait and wait.group(1)} s ({TRANSPORT_RS})")


def statements(local, policy):
    """The statements of `jsonencode(local.NAME)` in the example."""
    name = re.fullmatch(r"\$\{jsonencode\(local\.(\w+)\)\}", policy or "")
    doc = local.get(name.group(1), {}) if name else {}
    return doc.get("Statement", [])


def grants(statement, service, actions):
    principal = statement.get("Principal", {})
    return (
        unquote(statement.get("Effect")) == "Allow"
        and listed(principal.get("Service", [])) == [service]
        and set(actions) <= set(listed(statement.get("Action", [])))
    )


def conditions(statement):
    return {unquote(k) for test in statement.get("Condition", {}).values() for k in test}


def check_example(root, errors):
    with open(root / EXAMPLE) as f:
        doc = hcl2.load(f)
    res = {(unquote(t), unquote(n)): b for block in doc.get("resource", []) for t, named in block.items() for n, b in named.items()}
    local = {k: v for block in doc.get("locals", []) for k, v in block.items()}
    module = next((m[k] for m in doc.get("module", []) for k in m if unquote(k) == "qrveil"), {})
    if module.get("alarm_actions") != "${aws_sns_topic.alarms[*].arn}":
        errors.append("the example's alarm_actions must be its alarm topic, aws_sns_topic.alarms")
    topic = res.get(("aws_sns_topic", "alarms"), {})
    key_ref = re.fullmatch(r"\$\{aws_kms_key\.(\w+)(\[0\])?\.arn\}", str(topic.get("kms_master_key_id", "")))
    if not key_ref:
        errors.append(f"the alarm topic's key {unquote(topic.get('kms_master_key_id'))!r} must be a customer-managed aws_kms_key (CloudWatch cannot use an AWS-managed one)")
        return
    key = res.get(("aws_kms_key", key_ref.group(1)), {})
    if key.get("enable_key_rotation") is not True:
        errors.append("the alarm topic's key must rotate")
    if not any(grants(s, "cloudwatch.amazonaws.com", ["kms:Decrypt", "kms:GenerateDataKey*"]) for s in statements(local, key.get("policy"))):
        errors.append("the alarm key's policy must let cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey*")
    policy = res.get(("aws_sns_topic_policy", "alarms"), {})
    publish = [s for s in statements(local, policy.get("policy")) if grants(s, "cloudwatch.amazonaws.com", ["sns:Publish"])]
    if policy.get("arn") != "${aws_sns_topic.alarms[0].arn}" or not publish:
        errors.append("aws_sns_topic_policy.alarms must let cloudwatch.amazonaws.com sns:Publish to the alarm topic")
    elif not all({"aws:SourceArn", "aws:SourceAccount"} <= conditions(s) for s in publish):
        errors.append("the alarm topic lets CloudWatch publish without aws:SourceArn and aws:SourceAccount conditions")


def check(root, res, local):
    errors = []
    check_alarms(res, local, errors)
    check_rejected_tokens(root, res, local, errors)
    check_event_age(root, res, errors)
    check_example(root, errors)
    return errors
