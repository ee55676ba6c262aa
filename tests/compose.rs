//! The Docker files' structure, checked without a Docker engine:
//! `docker/compose.yaml` against the settings (every `PITWALL__*` key loads
//! through `Settings::load_from`, so a typo fails here as it would at start),
//! the Kafka listeners against the brokers the roles use, the ports against
//! `http.bind`, Prometheus' targets, Grafana's provisioning and dashboard
//! metrics, and `docker/Dockerfile`'s stages.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use pitwall::config::Settings;
use serde_norway::Value;

/// The Pitwall services of the compose file, each running the role of its name.
const PITWALL_SERVICES: [&str; 5] = ["migrate", "process", "store", "serve", "simulate"];
/// Pitwall roles that run once and exit (no HTTP, so no health probe).
const ONE_SHOT: [&str; 1] = ["migrate"];
const INFRA_SERVICES: [&str; 5] = ["kafka", "postgres", "redis", "prometheus", "grafana"];

/// The metric names Pitwall exposes on `/metrics`; the dashboard may use no other.
const METRICS: [&str; 11] = [
    "pitwall_records_in_total",
    "pitwall_records_out_total",
    "pitwall_dlq_total",
    "pitwall_consumer_lag",
    "pitwall_e2e_latency_seconds_bucket",
    "pitwall_batch_size_bucket",
    "pitwall_flush_seconds_bucket",
    "pitwall_ws_clients",
    "pitwall_ws_dropped_total",
    "pitwall_graphql_requests_total",
    "pitwall_graphql_errors_total",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn docker_dir() -> PathBuf {
    root().join("docker")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn yaml(path: &Path) -> Value {
    let mut value: Value = serde_norway::from_str(&read(path))
        .unwrap_or_else(|e| panic!("{}: not YAML: {e}", path.display()));
    value
        .apply_merge()
        .unwrap_or_else(|e| panic!("{}: merge keys: {e}", path.display()));
    value
}

fn compose() -> Value {
    yaml(&docker_dir().join("compose.yaml"))
}

fn services(compose: &Value) -> BTreeMap<String, Value> {
    compose["services"]
        .as_mapping()
        .expect("compose.yaml: `services` is a mapping")
        .iter()
        .map(|(k, v)| (k.as_str().expect("service name").to_owned(), v.clone()))
        .collect()
}

fn service<'a>(services: &'a BTreeMap<String, Value>, name: &str) -> &'a Value {
    services
        .get(name)
        .unwrap_or_else(|| panic!("compose.yaml: no service {name:?}"))
}

/// Compose's variable substitution with an empty environment: `${VAR:-default}`
/// and `${VAR-default}` give the default, `${VAR}` and `$VAR` nothing, `$$` a `$`.
fn interpolate(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(body) = after.strip_prefix('{') {
            let end = body
                .find('}')
                .unwrap_or_else(|| panic!("unclosed ${{ in {text:?}"));
            let expr = &body[..end];
            if let Some((_, default)) = expr.split_once(":-").or_else(|| expr.split_once('-')) {
                out.push_str(default);
            } else {
                assert!(
                    !expr.contains([':', '?', '+']),
                    "unsupported substitution ${{{expr}}} in {text:?}"
                );
            }
            rest = &body[end + 1..];
        } else {
            let name_len = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            rest = &after[name_len..];
        }
    }
    out.push_str(rest);
    out
}

fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => interpolate(s),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => String::new(),
        other => panic!("not a scalar: {other:?}"),
    }
}

/// A service's `environment`, in either of compose's forms, interpolated.
fn environment(service: &Value) -> BTreeMap<String, String> {
    match &service["environment"] {
        Value::Null => BTreeMap::new(),
        Value::Mapping(map) => map
            .iter()
            .map(|(k, v)| (k.as_str().expect("env key").to_owned(), scalar(v)))
            .collect(),
        Value::Sequence(items) => items
            .iter()
            .map(|item| {
                let item = scalar(item);
                let (k, v) = item.split_once('=').unwrap_or((&item, ""));
                (k.to_owned(), v.to_owned())
            })
            .collect(),
        other => panic!("environment is neither a mapping nor a list: {other:?}"),
    }
}

/// `command` or `healthcheck.test` as words, in either of compose's forms.
fn words(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => interpolate(s)
            .split_whitespace()
            .map(str::to_owned)
            .collect(),
        Value::Sequence(items) => items.iter().map(scalar).collect(),
        Value::Null => Vec::new(),
        other => panic!("neither a string nor a list: {other:?}"),
    }
}

/// Published ports as (host, container), from the short syntax
/// `[IP:]HOST:CONTAINER[/proto]` or the long one.
fn published_ports(service: &Value) -> Vec<(u16, u16)> {
    let Some(ports) = service["ports"].as_sequence() else {
        return Vec::new();
    };
    ports
        .iter()
        .map(|p| match p {
            Value::Mapping(_) => (
                scalar(&p["published"]).parse().expect("published port"),
                scalar(&p["target"]).parse().expect("target port"),
            ),
            _ => {
                let text = scalar(p);
                let text = text.split('/').next().unwrap_or_default().to_owned();
                let parts: Vec<&str> = text.rsplitn(3, ':').collect();
                assert!(parts.len() >= 2, "port {text:?} publishes no host port");
                (
                    parts[1].parse().expect("host port"),
                    parts[0].parse().expect("container port"),
                )
            }
        })
        .collect()
}

fn settings_of(name: &str, service: &Value) -> Settings {
    let env = environment(service);
    Settings::load_from(None, env)
        .unwrap_or_else(|e| panic!("service {name}: its PITWALL__* environment does not load: {e}"))
}

fn host_port(addr: &str) -> (String, u16) {
    let (host, port) = addr
        .rsplit_once(':')
        .unwrap_or_else(|| panic!("{addr:?} is not host:port"));
    let port = port
        .parse()
        .unwrap_or_else(|e| panic!("{addr:?}: port: {e}"));
    (host.to_owned(), port)
}

fn bind_port(settings: &Settings) -> u16 {
    settings
        .http
        .bind
        .parse::<std::net::SocketAddr>()
        .expect("http.bind")
        .port()
}

fn healthcheck_disabled(service: &Value) -> bool {
    service["healthcheck"]["disable"].as_bool() == Some(true)
}

#[test]
fn every_service_is_there() {
    let compose = compose();
    let services = services(&compose);
    for name in INFRA_SERVICES.iter().chain(&PITWALL_SERVICES) {
        service(&services, name);
    }
}

#[test]
fn images_are_the_expected_ones() {
    let compose = compose();
    let services = services(&compose);
    let image = |name: &str| scalar(&service(&services, name)["image"]);
    let kafka = image("kafka");
    assert!(
        kafka.starts_with("apache/kafka:3.9") || kafka.starts_with("apache/kafka:4."),
        "kafka image {kafka}: want the official apache/kafka 3.9.x or 4.x"
    );
    assert!(image("postgres").starts_with("postgres:16"));
    assert!(image("redis").starts_with("redis:7"));
    assert!(image("prometheus").starts_with("prom/prometheus:"));
    assert!(image("grafana").starts_with("grafana/grafana"));
}

#[test]
fn process_runs_two_instances() {
    let compose = compose();
    let services = services(&compose);
    let processing: Vec<(&String, &Value)> = services
        .iter()
        .filter(|(_, s)| words(&s["command"]).first().map(String::as_str) == Some("process"))
        .collect();
    let instances: u64 = processing
        .iter()
        .map(|(_, s)| s["deploy"]["replicas"].as_u64().unwrap_or(1))
        .sum();
    assert_eq!(instances, 2, "process instances in {processing:?}");
    for (name, s) in &processing {
        assert!(
            s.get("container_name").is_none() && published_ports(s).is_empty(),
            "{name}: replicas cannot share a container name or a host port"
        );
    }
}

#[test]
fn pitwall_services_run_their_role_from_the_dockerfile_image() {
    let compose = compose();
    let services = services(&compose);
    let mut images = BTreeSet::new();
    for name in PITWALL_SERVICES {
        let s = service(&services, name);
        let context = docker_dir().join(scalar(&s["build"]["context"]));
        let dockerfile = scalar(&s["build"]["dockerfile"]);
        assert_eq!(
            context.canonicalize().unwrap(),
            root().canonicalize().unwrap(),
            "{name}: build context is the repository root"
        );
        assert_eq!(dockerfile, "docker/Dockerfile", "{name}: dockerfile");
        assert!(context.join(dockerfile).is_file());
        images.insert(scalar(&s["image"]));
        assert_eq!(
            words(&s["command"]).first().map(String::as_str),
            Some(name),
            "{name}: runs the role of its name"
        );
        assert!(
            s.get("entrypoint").is_none(),
            "{name}: keeps the image's entrypoint (pitwall)"
        );
    }
    assert_eq!(
        images.len(),
        1,
        "one image for every Pitwall service: {images:?}"
    );
}

#[test]
fn pitwall_environment_loads_as_settings() {
    let compose = compose();
    let services = services(&compose);
    for name in PITWALL_SERVICES {
        let s = service(&services, name);
        let env = environment(s);
        assert!(
            env.keys().any(|k| k.starts_with("PITWALL__")),
            "{name}: no PITWALL__ settings"
        );
        // PITWALL_CONFIG names a settings file; any other PITWALL… variable
        // must be PITWALL__SECTION__KEY, or the binary ignores it.
        for key in env
            .keys()
            .filter(|k| k.starts_with("PITWALL") && *k != "PITWALL_CONFIG")
        {
            assert!(
                key.starts_with("PITWALL__") && key.len() > "PITWALL__".len(),
                "{name}: {key} is not PITWALL__SECTION__KEY"
            );
            assert_eq!(key, &key.to_uppercase(), "{name}: {key} is not upper case");
        }
        settings_of(name, s);
    }
    // The check bites: a misspelt key is refused.
    let mut env = environment(service(&services, "serve"));
    env.insert("PITWALL__KAFKA__BROKRS".into(), "kafka:9092".into());
    assert!(Settings::load_from(None, env).is_err());
}

#[test]
fn pitwall_services_reach_the_compose_services() {
    let compose = compose();
    let services = services(&compose);
    let pg_env = environment(service(&services, "postgres"));
    for name in PITWALL_SERVICES {
        let settings = settings_of(name, service(&services, name));

        let url = settings.postgres.url.as_str();
        let rest = url
            .strip_prefix("postgres://")
            .or_else(|| url.strip_prefix("postgresql://"))
            .unwrap_or_else(|| panic!("{name}: postgres.url {url}"));
        let (auth, rest) = rest.split_once('@').expect("postgres.url user@host");
        let (user, password) = auth.split_once(':').unwrap_or((auth, ""));
        let (addr, db) = rest.split_once('/').expect("postgres.url /database");
        assert_eq!(addr, "postgres:5432", "{name}: postgres.url host");
        assert_eq!(db.split('?').next(), Some("pitwall"), "{name}: database");
        assert_eq!(Some(&user.to_owned()), pg_env.get("POSTGRES_USER"));
        assert_eq!(
            pg_env.get("POSTGRES_DB").map(String::as_str),
            Some("pitwall")
        );
        if pg_env.get("POSTGRES_HOST_AUTH_METHOD").map(String::as_str) != Some("trust") {
            assert_eq!(
                Some(&password.to_owned()),
                pg_env.get("POSTGRES_PASSWORD"),
                "{name}: postgres.url password is the server's"
            );
        }

        let redis = settings.redis.url.as_str();
        let redis_addr = redis
            .strip_prefix("redis://")
            .unwrap_or_else(|| panic!("{name}: redis.url {redis}"))
            .trim_end_matches('/');
        assert_eq!(redis_addr, "redis:6379", "{name}: redis.url");
    }
}

#[test]
fn kafka_advertises_the_brokers_the_roles_use() {
    let compose = compose();
    let services = services(&compose);
    let kafka = service(&services, "kafka");
    let env = environment(kafka);
    let var = |k: &str| {
        env.get(k)
            .unwrap_or_else(|| panic!("kafka: {k} not set"))
            .clone()
    };
    assert!(var("KAFKA_PROCESS_ROLES").contains("controller"), "KRaft");
    assert!(var("KAFKA_PROCESS_ROLES").contains("broker"), "KRaft");
    // NAME://host:port, listed by name.
    let listeners = |k: &str| -> BTreeMap<String, (String, u16)> {
        var(k)
            .split(',')
            .map(|l| {
                let (name, addr) = l.trim().split_once("://").expect("NAME://host:port");
                (name.to_owned(), host_port(addr))
            })
            .collect()
    };
    let bound = listeners("KAFKA_LISTENERS");
    let advertised = listeners("KAFKA_ADVERTISED_LISTENERS");
    let protocols: BTreeMap<String, String> = var("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP")
        .split(',')
        .map(|p| {
            let (a, b) = p.trim().split_once(':').expect("NAME:PROTOCOL");
            (a.to_owned(), b.to_owned())
        })
        .collect();
    for (name, (_, port)) in &advertised {
        assert_eq!(
            bound.get(name).map(|(_, p)| p),
            Some(port),
            "advertised listener {name} is bound on its port"
        );
        assert_eq!(protocols.get(name).map(String::as_str), Some("PLAINTEXT"));
    }
    for name in var("KAFKA_CONTROLLER_LISTENER_NAMES").split(',') {
        assert!(bound.contains_key(name), "controller listener {name} bound");
        assert!(protocols.contains_key(name));
        assert!(
            !advertised.contains_key(name),
            "controller listener advertised"
        );
    }
    let inter = var("KAFKA_INTER_BROKER_LISTENER_NAME");
    assert!(advertised.contains_key(&inter), "inter-broker listener");
    for voter in var("KAFKA_CONTROLLER_QUORUM_VOTERS").split(',') {
        let (_, addr) = voter.split_once('@').expect("id@host:port");
        let (host, port) = host_port(addr);
        let hostname = kafka["hostname"].as_str().unwrap_or("kafka");
        assert!(host == "kafka" || host == hostname, "quorum voter {voter}");
        let controllers = var("KAFKA_CONTROLLER_LISTENER_NAMES");
        assert!(
            controllers
                .split(',')
                .any(|c| bound.get(c).map(|(_, p)| *p) == Some(port)),
            "quorum voter {voter} on a controller listener"
        );
    }
    // A listener advertised to the host is published on the same port.
    let published = published_ports(kafka);
    for (name, (host, port)) in &advertised {
        if host == "localhost" || host == "127.0.0.1" {
            assert!(
                published.contains(&(*port, *port)),
                "listener {name} advertises {host}:{port} but publishes {published:?}"
            );
        }
    }
    let hostname = kafka["hostname"].as_str().unwrap_or("kafka");
    for name in PITWALL_SERVICES {
        let settings = settings_of(name, service(&services, name));
        for broker in settings.kafka.brokers.split(',') {
            let (host, port) = host_port(broker.trim());
            assert!(
                host == "kafka" || host == hostname,
                "{name}: broker {broker} is not the kafka service"
            );
            assert!(
                advertised.values().any(|a| a == &(host.clone(), port)),
                "{name}: broker {broker} is not an advertised listener of {advertised:?}"
            );
        }
        assert!(
            settings.kafka.replication <= 1,
            "{name}: one broker cannot hold more replicas"
        );
    }
}

#[test]
fn ports_follow_http_bind() {
    let compose = compose();
    let services = services(&compose);
    let exposed = dockerfile_instructions()
        .into_iter()
        .filter(|(i, _)| i == "EXPOSE")
        .flat_map(|(_, a)| {
            a.split_whitespace()
                .map(|p| p.split('/').next().unwrap().parse::<u16>().unwrap())
                .collect::<Vec<_>>()
        })
        .collect::<Vec<_>>();
    for name in PITWALL_SERVICES {
        let s = service(&services, name);
        let settings = settings_of(name, s);
        let addr: std::net::SocketAddr = settings.http.bind.parse().unwrap();
        assert!(
            addr.ip().is_unspecified(),
            "{name}: http.bind {addr} is not reachable from other containers"
        );
        assert!(
            exposed.contains(&addr.port()),
            "{name}: port {} not EXPOSEd",
            addr.port()
        );
        for (_, container) in published_ports(s) {
            assert_eq!(
                container,
                addr.port(),
                "{name}: publishes a port it does not bind"
            );
        }
    }
    let serve = settings_of("serve", service(&services, "serve"));
    assert!(
        !published_ports(service(&services, "serve")).is_empty()
            && published_ports(service(&services, "serve"))
                .iter()
                .all(|(_, c)| *c == bind_port(&serve)),
        "serve publishes its http.bind port"
    );
}

#[test]
fn every_service_has_a_healthcheck_and_waits_for_what_it_needs() {
    let compose = compose();
    let services = services(&compose);
    for (name, s) in &services {
        let one_shot = ONE_SHOT.contains(&name.as_str());
        if one_shot {
            // It exits; its dependents wait for it to succeed instead.
            assert!(healthcheck_disabled(s), "{name}: one-shot, no probe");
            assert_eq!(
                scalar(&s["restart"]),
                "no",
                "{name}: one-shot, not restarted"
            );
        } else {
            assert!(!healthcheck_disabled(s), "{name}: health check disabled");
            let test = words(&s["healthcheck"]["test"]);
            assert!(
                matches!(test.first().map(String::as_str), Some("CMD" | "CMD-SHELL"))
                    && test.len() >= 2,
                "{name}: healthcheck.test {test:?}"
            );
        }
        let Some(deps) = s["depends_on"].as_mapping() else {
            assert!(
                s["depends_on"].is_null(),
                "{name}: depends_on in the long form, with conditions"
            );
            continue;
        };
        for (dep, how) in deps {
            let dep = dep.as_str().unwrap();
            let target = service(&services, dep);
            match how["condition"].as_str() {
                Some("service_healthy") => assert!(
                    !healthcheck_disabled(target) && !target["healthcheck"].is_null(),
                    "{name} waits for {dep} to be healthy, which has no probe"
                ),
                Some("service_completed_successfully") => assert!(
                    ONE_SHOT.contains(&dep),
                    "{name} waits for {dep} to exit, which does not"
                ),
                other => panic!("{name} -> {dep}: condition {other:?}"),
            }
        }
    }
    for name in PITWALL_SERVICES {
        let deps = &service(&services, name)["depends_on"];
        let want: &[(&str, &str)] = if ONE_SHOT.contains(&name) {
            &[("postgres", "service_healthy")]
        } else {
            &[
                ("kafka", "service_healthy"),
                ("postgres", "service_healthy"),
                ("redis", "service_healthy"),
                ("migrate", "service_completed_successfully"),
            ]
        };
        for (dep, condition) in want {
            assert_eq!(
                deps[*dep]["condition"].as_str(),
                Some(*condition),
                "{name} -> {dep}"
            );
        }
        if !ONE_SHOT.contains(&name) {
            // The image's probe, on this service's own http.bind port.
            let test = words(&service(&services, name)["healthcheck"]["test"]);
            assert!(
                test.iter().any(|w| w.contains("pitwall-healthcheck")),
                "{name}: probe {test:?}"
            );
            assert!(
                test.iter().any(|w| w == "/healthz" || w == "/readyz"),
                "{name}: probe {test:?}"
            );
        }
    }
}

/// `host:port` targets Prometheus scrapes from `static_configs` and
/// `dns_sd_configs` (each name on the config's port), with their path.
fn prometheus_targets() -> Vec<(String, u16, String)> {
    let prom = yaml(&docker_dir().join("prometheus.yml"));
    let mut targets = Vec::new();
    for job in prom["scrape_configs"]
        .as_sequence()
        .expect("scrape_configs")
    {
        let path = job["metrics_path"]
            .as_str()
            .unwrap_or("/metrics")
            .to_owned();
        for sc in job["static_configs"].as_sequence().into_iter().flatten() {
            for t in sc["targets"].as_sequence().into_iter().flatten() {
                let (h, p) = host_port(t.as_str().unwrap());
                targets.push((h, p, path.clone()));
            }
        }
        for dns in job["dns_sd_configs"].as_sequence().into_iter().flatten() {
            let port = dns["port"].as_u64().expect("dns_sd_configs port") as u16;
            for n in dns["names"].as_sequence().into_iter().flatten() {
                targets.push((n.as_str().unwrap().to_owned(), port, path.clone()));
            }
        }
    }
    targets
}

#[test]
fn prometheus_scrapes_every_pitwall_service() {
    let compose = compose();
    let services = services(&compose);
    let targets = prometheus_targets();
    for name in PITWALL_SERVICES.iter().filter(|n| !ONE_SHOT.contains(n)) {
        let settings = settings_of(name, service(&services, name));
        let port = bind_port(&settings);
        assert!(
            targets
                .iter()
                .any(|(h, p, path)| h == name && *p == port && path == "/metrics"),
            "prometheus.yml does not scrape {name}:{port}/metrics: {targets:?}"
        );
    }
    for (host, _, _) in &targets {
        assert!(
            host == "localhost" || services.contains_key(host),
            "prometheus.yml scrapes {host}, no compose service"
        );
    }
    let mounts = words(&service(&services, "prometheus")["volumes"]);
    assert!(
        mounts
            .iter()
            .any(|m| m.starts_with("./prometheus.yml:/etc/prometheus/prometheus.yml")),
        "prometheus mounts docker/prometheus.yml: {mounts:?}"
    );
}

/// Every `pitwall_…` name in a PromQL expression.
fn metric_names(expr: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = expr;
    while let Some(i) = rest.find("pitwall_") {
        let before = rest[..i].chars().next_back();
        let tail = &rest[i..];
        let len = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(tail.len());
        if !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            names.push(tail[..len].to_owned());
        }
        rest = &tail[len..];
    }
    names
}

fn collect_exprs(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("expr" | "query", serde_json::Value::String(s)) => out.push(s.clone()),
                    _ => collect_exprs(v, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_exprs(v, out)),
        _ => {}
    }
}

fn collect_datasource_uids(value: &serde_json::Value, out: &mut BTreeSet<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                if k == "datasource" {
                    if let Some(uid) = v.get("uid").and_then(|u| u.as_str()) {
                        out.insert(uid.to_owned());
                    }
                }
                collect_datasource_uids(v, out);
            }
        }
        serde_json::Value::Array(items) => {
            items.iter().for_each(|v| collect_datasource_uids(v, out))
        }
        _ => {}
    }
}

#[test]
fn grafana_is_provisioned_with_prometheus_and_the_pitwall_dashboard() {
    let compose = compose();
    let services = services(&compose);
    let grafana = docker_dir().join("grafana");

    // Mounts: provisioning and dashboards, from docker/grafana.
    let mounts: BTreeMap<String, String> = words(&service(&services, "grafana")["volumes"])
        .iter()
        .map(|m| {
            let mut parts = m.split(':');
            (
                parts.next().unwrap().to_owned(),
                parts.next().expect("volume target").to_owned(),
            )
        })
        .collect();
    assert_eq!(
        mounts.get("./grafana/provisioning").map(String::as_str),
        Some("/etc/grafana/provisioning")
    );

    let ds = yaml(&grafana.join("provisioning/datasources/prometheus.yaml"));
    let datasources = ds["datasources"].as_sequence().expect("datasources");
    let prometheus = datasources
        .iter()
        .find(|d| d["type"].as_str() == Some("prometheus"))
        .expect("a Prometheus datasource");
    let prom_port = published_ports(service(&services, "prometheus"))
        .first()
        .map(|(_, c)| *c)
        .unwrap_or(9090);
    assert_eq!(
        prometheus["url"].as_str(),
        Some(format!("http://prometheus:{prom_port}").as_str())
    );
    let uids: BTreeSet<String> = datasources
        .iter()
        .filter_map(|d| d["uid"].as_str().map(str::to_owned))
        .collect();

    let providers = yaml(&grafana.join("provisioning/dashboards/pitwall.yaml"));
    let path = providers["providers"][0]["options"]["path"]
        .as_str()
        .expect("provider options.path");
    let (source, _) = mounts
        .iter()
        .find(|(_, target)| target.as_str() == path)
        .unwrap_or_else(|| panic!("no volume mounted at the provider path {path}"));
    let source = docker_dir().join(source);

    let dashboard_path = source.join("pitwall.json");
    let dashboard: serde_json::Value = serde_json::from_str(&read(&dashboard_path))
        .unwrap_or_else(|e| panic!("{}: not JSON: {e}", dashboard_path.display()));
    assert!(dashboard["title"].is_string() && dashboard["uid"].is_string());
    let panels = dashboard["panels"].as_array().expect("panels");
    assert!(panels.iter().filter(|p| p["type"] != "row").count() >= 8);

    let mut exprs = Vec::new();
    collect_exprs(&dashboard, &mut exprs);
    let mut used = BTreeSet::new();
    for expr in &exprs {
        for name in metric_names(expr) {
            assert!(
                METRICS.contains(&name.as_str()),
                "dashboard uses {name}, which Pitwall does not expose: {expr}"
            );
            used.insert(name);
        }
    }
    for name in METRICS {
        assert!(used.contains(name), "dashboard shows nothing of {name}");
    }
    let mut referenced = BTreeSet::new();
    collect_datasource_uids(&dashboard, &mut referenced);
    for uid in &referenced {
        assert!(
            uids.contains(uid),
            "dashboard uses datasource {uid}, not provisioned"
        );
    }
    assert!(!referenced.is_empty());
}

/// The Dockerfile as (INSTRUCTION, arguments), continuation lines joined and
/// comments dropped.
fn dockerfile_instructions() -> Vec<(String, String)> {
    let text = read(&docker_dir().join("Dockerfile"));
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if current.is_empty() && (trimmed.starts_with('#') || trimmed.is_empty()) {
            continue;
        }
        if let Some(head) = trimmed.strip_suffix('\\') {
            current.push_str(head);
            current.push(' ');
            continue;
        }
        current.push_str(trimmed);
        let (instr, args) = current
            .split_once(char::is_whitespace)
            .unwrap_or((&current, ""));
        out.push((instr.to_uppercase(), args.trim().to_owned()));
        current.clear();
    }
    out
}

#[test]
fn dockerfile_builds_the_dashboard_first_and_runs_unprivileged() {
    let instructions = dockerfile_instructions();
    let pos = |pred: &dyn Fn(&(String, String)) -> bool, what: &str| {
        instructions
            .iter()
            .position(pred)
            .unwrap_or_else(|| panic!("Dockerfile: no {what}"))
    };
    let froms: Vec<(usize, &String)> = instructions
        .iter()
        .enumerate()
        .filter(|(_, (i, _))| i == "FROM")
        .map(|(n, (_, a))| (n, a))
        .collect();
    assert!(froms.len() >= 3, "multi-stage: node, rust, runtime");
    let stage_named = |image: &str| -> (usize, String) {
        let (n, args) = froms
            .iter()
            .find(|(_, a)| a.starts_with(image))
            .unwrap_or_else(|| panic!("Dockerfile: no stage FROM {image}"));
        let alias = args
            .split_whitespace()
            .collect::<Vec<_>>()
            .windows(2)
            .find(|w| w[0].eq_ignore_ascii_case("AS"))
            .map(|w| w[1].to_owned())
            .unwrap_or_default();
        (*n, alias)
    };
    let (node_at, node_alias) = stage_named("node:");
    let (rust_at, _) = stage_named("rust:");
    assert!(froms
        .iter()
        .any(|(_, a)| a.starts_with("rust:") && a.contains("bookworm")));

    let npm_build = pos(
        &|(i, a)| i == "RUN" && a.contains("npm run build"),
        "npm run build",
    );
    let cargo_build = pos(
        &|(i, a)| i == "RUN" && a.contains("cargo build") && a.contains("--bin pitwall"),
        "cargo build --bin pitwall",
    );
    let dist_copy = pos(
        &|(i, a)| {
            i == "COPY"
                && a.contains(&format!("--from={node_alias}"))
                && a.contains("dashboard/dist")
        },
        "COPY --from=<node stage> of dashboard/dist",
    );
    assert!(
        node_at < npm_build && npm_build < rust_at,
        "npm builds in the node stage"
    );
    assert!(
        rust_at < dist_copy && dist_copy < cargo_build,
        "dashboard/dist is in place before cargo builds"
    );

    let (last_from, runtime) = *froms.last().unwrap();
    assert!(
        runtime.starts_with("debian:bookworm-slim"),
        "runtime {runtime}"
    );
    let runtime_part = &instructions[last_from..];
    let user = runtime_part
        .iter()
        .rev()
        .find(|(i, _)| i == "USER")
        .map(|(_, a)| a.clone())
        .expect("Dockerfile: no USER in the runtime stage");
    let user_name = user.split(':').next().unwrap();
    assert!(
        user_name != "root" && user_name != "0",
        "runs as root: USER {user}"
    );
    let has = |instr: &str, needle: &str| {
        runtime_part
            .iter()
            .any(|(i, a)| i == instr && a.contains(needle))
    };
    assert!(has("EXPOSE", "8080"));
    assert!(has("HEALTHCHECK", "/healthz"));
    assert!(has("ENTRYPOINT", "[\"pitwall\"]"));
    assert!(has("CMD", "[\"all\"]"));

    // Every COPY from the build context names something that exists and that
    // .dockerignore keeps.
    let ignored: Vec<String> = std::fs::read_to_string(root().join(".dockerignore"))
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.trim_end_matches('/').to_owned())
        .collect();
    for (_, args) in instructions.iter().filter(|(i, _)| i == "COPY") {
        let words: Vec<&str> = args
            .split_whitespace()
            .filter(|w| !w.starts_with("--"))
            .collect();
        if args.contains("--from=") || words.len() < 2 {
            continue;
        }
        for src in &words[..words.len() - 1] {
            let src = src.trim_end_matches('/');
            assert!(
                root().join(src).exists(),
                "COPY {src}: not in the repository"
            );
            for pattern in &ignored {
                assert!(
                    !(src == pattern || src.starts_with(&format!("{pattern}/"))),
                    "COPY {src}, but .dockerignore leaves out {pattern}"
                );
            }
        }
    }
}

#[test]
fn interpolation_takes_the_defaults() {
    assert_eq!(interpolate("a${X:-b}c"), "abc");
    assert_eq!(interpolate("${X-d}"), "d");
    assert_eq!(interpolate("$X/${Y}"), "/");
    assert_eq!(interpolate("$$1"), "$1");
}
