"""The doctor's checks of the forum: reachable, the API key, the webhook and its ping, the structure of
forum.yaml, the plugin, the DiscourseConnect provider for the dashboard."""

from __future__ import annotations

from urllib.parse import urlsplit

from sync_service.domain.provisioning import plan
from sync_service.services.doctor.findings import FORUM_CHECKS, Expected, Finding
from sync_service.services.ports.forum import ForumRefused, ForumUnavailable
from sync_service.services.ports.health import Delivery, ForumInspector, Reach, Unknown, Webhook

ADMIN_KEY = ("in Discourse, Admin > API > New key: user \"All users\" (or an admin), scope \"Global\"; "
             "put it in CODEV_DISCOURSE_API_KEY, and an admin's username in CODEV_DISCOURSE_API_USERNAME")
JSON = "application/json"
SHOWN = 3  # differences named in one line


def check_forum(expected: Expected, forum: ForumInspector) -> list[Finding]:
    """The forum's findings, in FORUM_CHECKS order; what cannot be checked says why."""
    try:
        return _check(expected, forum)
    except ForumUnavailable as exc:
        return [Finding("forum", "PROBLEM", f"stopped answering during the checks ({exc})",
                        "check that Discourse runs, then run `codev doctor` again")]


def _check(expected: Expected, forum: ForumInspector) -> list[Finding]:
    reach = forum.reach()
    if not reach.answered:
        return [Finding("forum", "PROBLEM", f"no answer from {expected.forum_url}: {reach.problem}",
                        "check CODEV_DISCOURSE_URL and that Discourse runs"),
                *[Finding(c, "SKIPPED", "the forum does not answer") for c in FORUM_CHECKS[1:]]]
    found: dict[str, Finding] = {}
    key = found["api-key"] = _api_key(expected, forum)
    admin = key.status == "OK"
    if admin:
        found["key-scope"] = _key_scope(expected, forum)
        hook, found["webhook"] = _webhook(expected, forum)
        found["ping"], delivery = _ping(expected, forum, hook)
        found["structure"] = _structure(expected, forum)
        found["plugin"] = _plugin(expected, forum)
        found["connect-settings"] = _connect_settings(expected, forum)
    else:
        delivery = None
        for check in ("key-scope", "webhook", "ping", "structure", "plugin", "connect-settings"):
            found[check] = Finding(check, "SKIPPED", "the API key does not work as an admin's")
    found["connect"] = _connect(expected, forum)
    found["forum"] = _reached(expected, reach, delivery)
    return [found[c] for c in FORUM_CHECKS]


def _reached(expected: Expected, reach: Reach, delivery: Delivery | None) -> Finding:
    if not isinstance(reach.version, Unknown):
        return Finding("forum", "OK", f"{expected.forum_url} answers, Discourse {reach.version}")
    if delivery is not None and delivery.sender.startswith("Discourse/"):
        return Finding("forum", "OK", f"{expected.forum_url} answers, Discourse "
                       f"{delivery.sender.removeprefix('Discourse/')} (from its ping's User-Agent)")
    return Finding("forum", "OK", f"{expected.forum_url} answers (version: cannot check: "
                   f"{reach.version.why})")


def _api_key(expected: Expected, forum: ForumInspector) -> Finding:
    if not expected.api_key:
        return Finding("api-key", "PROBLEM", "CODEV_DISCOURSE_API_KEY is not set", ADMIN_KEY)
    try:
        user = forum.api_user(expected.api_username)
    except ConnectionError as exc:
        return Finding("api-key", "PROBLEM", f"no answer ({exc})", "check CODEV_DISCOURSE_URL")
    name = expected.api_username
    if user.outcome == "refused":
        return Finding("api-key", "PROBLEM", f"the forum refuses the key (403) acting as {name!r}: the key "
                       "is wrong, revoked, or bound to another user", ADMIN_KEY)
    if user.outcome == "no_user":
        return Finding("api-key", "PROBLEM", f"the forum has no user {name!r}", ADMIN_KEY)
    if not user.admin:
        return Finding("api-key", "PROBLEM", f"{name!r} is not an admin: codev provisions and reads admin "
                       "routes", ADMIN_KEY)
    return Finding("api-key", "OK", f"valid, acting as {name!r} (an admin)")


def _key_scope(expected: Expected, forum: ForumInspector) -> Finding:
    scope = forum.key_scope(expected.api_key, expected.api_username)
    if isinstance(scope, Unknown):
        return Finding("key-scope", "SKIPPED", f"cannot check: {scope.why}")
    if not scope.is_global:
        shown = ", ".join(scope.scopes[:4]) + (" ..." if len(scope.scopes) > 4 else "")
        return Finding("key-scope", "PROBLEM", f"the key is limited to granular scopes ({shown}); webhooks, "
                       "user fields and form templates have none", ADMIN_KEY)
    return Finding("key-scope", "OK", "global (codev uses admin routes that no granular scope covers)")


def _webhook(expected: Expected, forum: ForumInspector) -> tuple[Webhook | None, Finding]:
    url = expected.webhook_url
    provision = f"run `codev provision --webhook-url {url}`"
    hooks = forum.webhooks()
    if isinstance(hooks, Unknown):
        return None, Finding("webhook", "PROBLEM", f"cannot read the webhooks: {hooks.why}", ADMIN_KEY)
    hook = next((h for h in hooks if h.url.strip() == url), None)
    if hook is None:
        others = [h.url for h in hooks if h.url.rstrip("/").endswith("/webhooks/discourse")]
        seen = f"; the forum has one to {others[0]} (is CODEV_WEBHOOK_URL right?)" if others else ""
        return None, Finding("webhook", "PROBLEM", f"no webhook posts to {url}{seen}", provision)
    wrong = [] if hook.active else ["inactive"]
    if hook.content_type != JSON:
        wrong.append(f"content type {hook.content_type} (codev reads {JSON})")
    if not hook.secret:
        wrong.append("no secret (codev refuses unsigned deliveries)")
    elif hook.secret not in expected.webhook_secrets:
        wrong.append("its secret is not one of CODEV_WEBHOOK_SECRETS")
    missing = [] if hook.wildcard else [e for e in expected.webhook_events if e not in hook.events]
    if missing:
        wrong.append(f"events missing: {', '.join(missing[:4])}" + (" ..." if len(missing) > 4 else ""))
    if hook.filtered_by:
        wrong.append(f"filtered by {', '.join(hook.filtered_by)} (private messages and user events would be "
                     "lost): remove the filters in Admin > API > Webhooks")
    if wrong:
        return hook, Finding("webhook", "PROBLEM", f"{url}: {'; '.join(wrong)}", provision)
    events = "every event" if hook.wildcard else f"{len(hook.events)} events"
    return hook, Finding("webhook", "OK", f"{url}: active, {JSON}, secret matches, {events}")


def _ping(expected: Expected, forum: ForumInspector, hook: Webhook | None
          ) -> tuple[Finding, Delivery | None]:
    if hook is None:
        return Finding("ping", "SKIPPED", "no webhook to ping"), None
    delivery = forum.ping(hook.id, expected.ping_timeout)
    if isinstance(delivery, Unknown):
        return Finding("ping", "PROBLEM", delivery.why, "Discourse sends webhooks from Sidekiq: check that "
                       "its jobs run (Admin > Sidekiq) and that the webhook is active"), None
    host = urlsplit(hook.url).hostname or hook.url
    if delivery.status == 200 and "pong" in delivery.body:
        took = f" in {delivery.duration_ms} ms" if delivery.duration_ms is not None else ""
        return Finding("ping", "OK", f"delivered to this codev{took} (it answered pong)"), delivery
    says, fix = _why_not(delivery, host, hook.url)
    return Finding("ping", "PROBLEM", says, fix), delivery


def _why_not(delivery: Delivery, host: str, url: str) -> tuple[str, str]:
    """What a failed ping means, and what to do."""
    status, error = delivery.status, delivery.error.lower()
    network = "is Discourse's container on codev's network (docs/deploy.md, the docker_args line)?"
    if status is None:
        if "blocked" in error or "internal" in error or "disallowed" in error:
            return (f"Discourse refused to send to {host}, an internal address",
                    f"add {host} to the site setting allowed_internal_hosts (Admin > Settings)")
        if "getaddrinfo" in error or "name or service" in error or "resolve" in error or "nodename" in error:
            return f"Discourse cannot resolve {host} (DNS)", network
        if "ssl" in error or "certificate" in error or "tls" in error:
            return (f"TLS to {host} failed ({delivery.error[:120]})", "give codev a certificate Discourse "
                    "trusts, or use the http:// URL on the internal network")
        if "refused" in error:
            return (f"nothing listens at {url} (connection refused)",
                    "start codev (`docker compose up -d`); " + network)
        if "timeout" in error or "timed out" in error or "execution expired" in error:
            return f"{url} did not answer in time", "check the proxy and `codev serve` (`docker compose ps`)"
        return f"no answer from {url} ({delivery.error[:120] or 'no error recorded'})", network
    if status == 401:
        return ("codev refused the ping's signature: the webhook's secret is not one of "
                "CODEV_WEBHOOK_SECRETS", "set the same secret on both sides (`codev provision` does it)")
    if status in (404, 405):
        return f"{url} answered {status}: no codev intake at this path", "the URL must end in " \
               "/webhooks/discourse"
    if status >= 500:
        return (f"{url} answered {status}", "check `codev serve` and its database (`codev doctor --only "
                "database`; `docker compose logs web proxy`)")
    return f"{url} answered {status}, not codev's pong ({delivery.body[:60]!r})", "check CODEV_WEBHOOK_URL"


def _structure(expected: Expected, forum: ForumInspector) -> Finding:
    desired = expected.without_webhook()
    try:
        differences = [a.describe() for a in plan(desired, forum.structure(desired))]
    except ForumRefused as refused:
        return Finding("structure", "PROBLEM", f"{refused.what}: {refused.reason}", refused.fix)
    if differences:
        more = f" and {len(differences) - SHOWN} more" if len(differences) > SHOWN else ""
        return Finding("structure", "PROBLEM", f"{len(differences)} difference(s) with forum.yaml: "
                       f"{'; '.join(differences[:SHOWN])}{more}", "run `codev provision` (`--dry-run` first "
                       "shows every change)")
    return Finding("structure", "OK", f"forum.yaml in place: {len(desired.categories)} categories, "
                   f"{len(desired.groups)} groups, {len(desired.tag_groups)} tag groups, "
                   f"{len(desired.user_fields)} user fields, {len(desired.form_templates)} form template(s)")


def _plugin(expected: Expected, forum: ForumInspector) -> Finding:
    plugin = forum.plugin(expected.plugin_name)
    if isinstance(plugin, Unknown):
        return Finding("plugin", "SKIPPED", f"cannot check: {plugin.why}")
    if not plugin.installed:
        return Finding("plugin", "OK", f"{expected.plugin_name} plugin not installed (codev works without "
                       "it; the approve button and profile cards come with it)")
    state = "enabled" if plugin.enabled else "installed but disabled (Admin > Plugins)"
    return Finding("plugin", "OK", f"{expected.plugin_name} plugin {state}")


def _dashboard_host(expected: Expected) -> str:
    return urlsplit(expected.dashboard_url).hostname or ""


def _connect_settings(expected: Expected, forum: ForumInspector) -> Finding:
    if not expected.sso_secret:
        return Finding("connect-settings", "SKIPPED", "the dashboard's sign-in is not configured "
                       "(CODEV_DISCOURSE_CONNECT_SECRET unset)")
    settings = forum.connect_settings()
    if isinstance(settings, Unknown):
        return Finding("connect-settings", "SKIPPED", f"cannot check: {settings.why}")
    host = _dashboard_host(expected)
    line = (f"add the line {host or '<dashboard host>'}|<CODEV_DISCOURSE_CONNECT_SECRET> to "
            "discourse_connect_provider_secrets")
    if not settings.enabled:
        return Finding("connect-settings", "PROBLEM", "enable_discourse_connect_provider is off",
                       "turn it on (Admin > Settings), and " + line)
    secret = settings.secrets.get(host) or settings.secrets.get("*")
    if secret is None:
        return Finding("connect-settings", "PROBLEM", f"discourse_connect_provider_secrets has no line for "
                       f"{host or '(CODEV_DASHBOARD_URL unset)'}", line)
    if settings.hidden:
        return Finding("connect-settings", "OK", f"provider on, a secret for {host} (the forum hides its "
                       "value; the sign-in check below compares it)")
    if secret != expected.sso_secret:
        return Finding("connect-settings", "PROBLEM", f"the secret for {host} differs from "
                       "CODEV_DISCOURSE_CONNECT_SECRET",
                       line)
    return Finding("connect-settings", "OK",
                   f"provider on, secret for {host} matches CODEV_DISCOURSE_CONNECT_SECRET")


def _connect(expected: Expected, forum: ForumInspector) -> Finding:
    if not expected.sso_secret:
        return Finding("connect", "SKIPPED", "the dashboard's sign-in is not configured "
                       "(CODEV_DISCOURSE_CONNECT_SECRET unset)")
    if not expected.dashboard_url:
        return Finding("connect", "PROBLEM", "CODEV_DASHBOARD_URL is not set", "set it to the dashboard's "
                       "address as people reach it, e.g. https://codev.example.org")
    host = _dashboard_host(expected)
    line = (f"add the line {host}|<CODEV_DISCOURSE_CONNECT_SECRET> to discourse_connect_provider_secrets "
            "(Admin > Settings)")
    probe = forum.connect_probe(expected.dashboard_url.rstrip("/") + "/auth/discourse/callback",
                                expected.sso_secret)
    if probe.outcome == "signed":
        return Finding("connect", "OK",
                       f"the forum signs sign-ins for {host} with CODEV_DISCOURSE_CONNECT_SECRET")
    if probe.outcome == "disabled":
        return Finding("connect", "PROBLEM", "the DiscourseConnect provider is off (404)",
                       "turn on enable_discourse_connect_provider, and " + line)
    if probe.outcome == "no_secret":
        return Finding("connect", "PROBLEM", f"the forum holds no DiscourseConnect secret for {host}", line)
    if probe.outcome in ("bad_secret", "wrong_signature_back"):
        return Finding("connect", "PROBLEM", f"the forum's DiscourseConnect secret for {host} is not "
                       "CODEV_DISCOURSE_CONNECT_SECRET", line)
    return Finding("connect", "PROBLEM", f"unexpected answer from /session/sso_provider ({probe.detail})",
                   "check CODEV_DISCOURSE_URL")
