//! The `pitwall` binary: parses the role, loads settings, starts logging and
//! hands over to the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use log::{error, info};

use pitwall::app::{Application, Role};
use pitwall::config::Settings;
use pitwall::domain::commands::{self, Command, RaceParams};
use pitwall::web::control;

/// mimalloc instead of glibc malloc: every role allocates small, short-lived
/// values per record and per request (JSON, GraphQL values). glibc's
/// malloc and free were a quarter of a GraphQL request's CPU under perf;
/// with mimalloc the request costs about a third less.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Pitwall: real-time race telemetry. Every role shares Kafka, Redis and
/// PostgreSQL and never calls another directly, so each may run in its own
/// process (or many) or all together in one.
#[derive(Parser)]
#[command(name = "pitwall", version)]
struct Cli {
    /// Settings file (TOML) layered over the built-in defaults; environment
    /// variables PITWALL__SECTION__KEY override both.
    #[arg(long, env = "PITWALL_CONFIG", global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    role: Option<RoleCommand>,
}

#[derive(Subcommand)]
enum RoleCommand {
    /// Every role in one process (the default): simulator, processing,
    /// storage and the HTTP face.
    All {
        /// Start a demo race once up, and print where to watch it.
        #[arg(long)]
        demo: bool,
    },
    /// Simulator: runs the races asked for on `simulator_commands` and
    /// publishes their telemetry to `telemetry_raw`.
    Simulate {
        /// Also start this race at once, as `key=value` pairs like the
        /// control API's fields: `--race track=street,cars=20,laps=5`.
        /// Repeat for several races.
        #[arg(long = "race", value_parser = commands::parse_race_flag)]
        races: Vec<RaceParams>,
    },
    /// Processing: reads `telemetry_raw`, computes live timing and publishes
    /// it to `telemetry_processed`.
    Process,
    /// Storage: writes both topics to Redis (live view) and PostgreSQL
    /// (history).
    Store,
    /// The HTTP face: dashboard, GraphQL, WebSocket and the control API.
    Serve,
    /// Applies the PostgreSQL migrations and exits.
    Migrate,
    /// Load generator: runs simulated races in-process against a running
    /// pipeline (`pitwall all`, or `process` + `serve`, on the same broker
    /// and topics), measures throughput, latency to `telemetry_processed`
    /// and to WebSocket clients, lost and duplicated samples and its own
    /// cost, then prints a report.
    Loadtest {
        /// Races run at once.
        #[arg(long, default_value_t = 1)]
        races: u32,
        /// Cars per race.
        #[arg(long, default_value_t = 20)]
        cars: u32,
        /// Samples per car per second.
        #[arg(long, default_value_t = 10.0)]
        hz: f64,
        /// How long the races run: `30s`, `2m`, `1m30s` or seconds.
        #[arg(long, default_value = "30s", value_parser = pitwall::loadtest::parse_duration)]
        duration: std::time::Duration,
        /// WebSocket clients held on `--server`, each subscribed to one
        /// race's leaderboard.
        #[arg(long, default_value_t = 0)]
        ws_clients: u32,
        /// 1 is real time; 0 runs as fast as the broker takes.
        #[arg(long, default_value_t = 1.0)]
        time_scale: f64,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// The pipeline's HTTP face, for the WebSocket clients.
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        server: String,
        /// Read `telemetry_raw` back for the lost/duplicated check only
        /// after the races stop, so the check does not share the broker
        /// with the pipeline while it is measured (raw latency is then not
        /// timed).
        #[arg(long)]
        read_back_after: bool,
    },
}

#[actix_web::main]
async fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let cli = Cli::parse();
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            error!("{e}");
            return ExitCode::from(2);
        }
    };
    let (role, races) = match cli.role.unwrap_or(RoleCommand::All { demo: false }) {
        RoleCommand::All { demo } => (Role::All, if demo { vec![demo_race()] } else { vec![] }),
        RoleCommand::Simulate { races } => (Role::Simulate, races),
        RoleCommand::Process => (Role::Process, vec![]),
        RoleCommand::Store => (Role::Store, vec![]),
        RoleCommand::Serve => (Role::Serve, vec![]),
        RoleCommand::Migrate => {
            return match pitwall::db::migrate(&settings.postgres).await {
                Ok(()) => {
                    info!("migrations applied");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    error!("{e}");
                    ExitCode::FAILURE
                }
            };
        }
        RoleCommand::Loadtest {
            races,
            cars,
            hz,
            duration,
            ws_clients,
            time_scale,
            json,
            server,
            read_back_after,
        } => {
            let options = pitwall::loadtest::Options {
                races,
                cars,
                hz,
                duration,
                ws_clients,
                time_scale,
                server,
                read_back_after,
            };
            return loadtest(settings, options, json).await;
        }
    };
    let app = match Application::build(settings.clone(), role).await {
        Ok(app) => app,
        Err(e) => {
            error!("cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    for params in races {
        if let Err(e) = params.validate(settings.simulator.max_cars) {
            error!("race not started: {e}");
            return ExitCode::from(2);
        }
        if let Err(e) = start_race(&app, &settings, params).await {
            error!("race not started: {e}");
        }
    }
    app.run_until_stopped().await;
    ExitCode::SUCCESS
}

/// Runs the load test and prints its report on stdout (the log goes to
/// stderr).
async fn loadtest(settings: Settings, options: pitwall::loadtest::Options, json: bool) -> ExitCode {
    let report = match pitwall::loadtest::run(settings, options).await {
        Ok(r) => r,
        Err(e) => {
            error!("{e}");
            return ExitCode::FAILURE;
        }
    };
    if json {
        match serde_json::to_string_pretty(&report) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                error!("report: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        print!("{}", report.render_text());
    }
    ExitCode::SUCCESS
}

/// The race `pitwall all --demo` starts: 20 cars, 20 laps at real time.
fn demo_race() -> RaceParams {
    RaceParams {
        name: "Pitwall Demo Grand Prix".into(),
        cars: 20,
        laps: 20,
        seed: 7,
        ..RaceParams::default()
    }
}

/// Asks the simulate role(s) for a race through `simulator_commands`, as
/// the control API does, and says where to watch it.
async fn start_race(
    app: &Application,
    settings: &Settings,
    params: RaceParams,
) -> Result<(), pitwall::kafka::KafkaError> {
    let race_id = control::mint_race_id();
    control::publish(
        &app.state().producer,
        &settings.kafka.topics.commands,
        &Command::start(&race_id, params),
    )
    .await?;
    let host = settings.http.bind.replace("0.0.0.0", "127.0.0.1");
    info!("race {race_id} started");
    info!("open http://{host}/  (GraphiQL: http://{host}/graphiql, WebSocket: ws://{host}/ws)");
    Ok(())
}
