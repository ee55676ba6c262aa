//! Start-up: which actors, consumers and HTTP routes a role runs, wired to
//! Kafka, Redis and PostgreSQL. `Application::build` binds the HTTP port
//! (port 0 works, `port()` tells the real one), so tests start the whole
//! platform in-process; `stop` shuts it down in order.

use std::sync::Arc;
use std::time::Duration;

use actix::{Actor, Addr};
use actix_web::{dev::ServerHandle, web, App, HttpServer};
use log::info;
use tokio::sync::watch;

use crate::actors::hub::Hub;
use crate::actors::latest_boards::LatestBoards;
use crate::actors::messages::CloseAll;
use crate::actors::router::Router;
use crate::actors::sim_manager::SimManager;
use crate::actors::storage::{StorageActor, StorageConfig};
use crate::config::Settings;
use crate::db::checkpoint::Checkpoints;
use crate::db::sim_checkpoint::SimCheckpoints;
use crate::db::{self, Keys};
use crate::error::StartError;
use crate::kafka::dlq::DeadLetters;
use crate::kafka::source::{self, SourceHandle, SourceSpec};
use crate::kafka::{self as kafka_mod, admin, FetchProfile};
use crate::schema::prepared::OperationCache;
use crate::schema::subscription::SubscriptionSlots;
use crate::web::{self as web_mod, AppState};

/// What a process does. `All` is every role in one process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Role {
    All,
    Simulate,
    Process,
    Store,
    Serve,
}

impl Role {
    fn runs(self, role: Role) -> bool {
        self == Role::All || self == role
    }
}

pub struct Application {
    port: u16,
    server: ServerHandle,
    shutdown: watch::Sender<bool>,
    sources: Vec<SourceHandle>,
    hub: Option<Addr<Hub>>,
    state: web::Data<AppState>,
}

impl Application {
    /// Creates topics, migrates, starts the role's actors and consumers and
    /// binds the HTTP server. Must run inside an actix system.
    pub async fn build(settings: Settings, role: Role) -> Result<Application, StartError> {
        let kafka = &settings.kafka;
        admin::ensure_topics(kafka).await?;
        db::migrate(&settings.postgres).await?;
        let pg = db::pg_pool(&settings.postgres)?;
        let redis = db::redis_pool(&settings.redis)?;
        let keys = Keys::new(&settings.redis.prefix);
        let producer = kafka_mod::producer(kafka)?;
        let (shutdown, shutdown_rx) = watch::channel(false);
        let group = |suffix: &str| format!("{}-{suffix}", kafka.group_prefix);
        let mut sources = Vec::new();

        if role.runs(Role::Simulate) {
            let dlq = DeadLetters::new(producer.clone(), &kafka.topics.dlq, "simulator");
            let manager = SimManager::new(
                producer.clone(),
                &kafka.topics.raw,
                &settings.simulator,
                dlq,
            )
            .with_checkpoints(SimCheckpoints::new(redis.clone(), keys.clone()))
            .start();
            let spec = SourceSpec {
                name: "simulator".into(),
                group: group("simulator"),
                topics: vec![kafka.topics.commands.clone()],
                // A race starting a few tens of milliseconds later costs
                // nothing; each latency-path consumer costs the broker a
                // fetch every few milliseconds, which every hop then waits
                // behind.
                profile: FetchProfile::Bulk,
                commit: true,
                replay: None,
                // Start commands stay uncommitted while their race runs: a
                // still offset here is no sign of a dead member.
                watch_orphans: false,
            };
            sources.push(source::spawn(
                kafka,
                spec,
                manager.clone().recipient(),
                Some(manager.recipient()),
                shutdown_rx.clone(),
            )?);
        }
        if role.runs(Role::Process) {
            let dlq = DeadLetters::new(producer.clone(), &kafka.topics.dlq, "processing");
            let checkpoints = Checkpoints::new(redis.clone(), &settings.redis.url, keys.clone())?;
            let router = Router::new(
                producer.clone(),
                checkpoints.clone(),
                &kafka.topics.processed,
                settings.processing.board_policy(),
                dlq,
            )
            .start();
            let spec = SourceSpec {
                name: "processing".into(),
                group: group("processing"),
                topics: vec![kafka.topics.raw.clone()],
                profile: FetchProfile::Latency,
                commit: true,
                replay: Some(Arc::new(checkpoints)),
                watch_orphans: true,
            };
            sources.push(source::spawn(
                kafka,
                spec,
                router.clone().recipient(),
                Some(router.recipient()),
                shutdown_rx.clone(),
            )?);
        }
        if role.runs(Role::Store) {
            let dlq = DeadLetters::new(producer.clone(), &kafka.topics.dlq, "storage");
            let storage = StorageActor::new(
                pg.clone(),
                redis.clone(),
                keys.clone(),
                StorageConfig {
                    raw_topic: kafka.topics.raw.clone(),
                    batch_max_samples: settings.storage.batch_max_samples,
                    flush_interval: Duration::from_millis(settings.storage.flush_interval_ms),
                    finished_ttl_s: settings.redis.finished_ttl_s,
                    retention_days: settings.storage.retention_days,
                    retention_interval: Duration::from_secs(settings.storage.retention_interval_s),
                },
                dlq,
            )
            .start();
            let spec = SourceSpec {
                name: "storage".into(),
                group: group("storage"),
                topics: vec![kafka.topics.raw.clone(), kafka.topics.processed.clone()],
                profile: FetchProfile::Bulk,
                commit: true,
                replay: None,
                watch_orphans: true,
            };
            sources.push(source::spawn(
                kafka,
                spec,
                storage.recipient(),
                None,
                shutdown_rx.clone(),
            )?);
        }
        let latest = Arc::new(LatestBoards::default());
        let hub = if role.runs(Role::Serve) {
            // Offering each event to thousands of sessions takes a while:
            // on a thread of its own it never holds up processing and
            // storage, which share the main arbiter in `all`.
            let boards = latest.clone();
            let hub =
                Hub::start_in_arbiter(&actix::Arbiter::new().handle(), move |_| Hub::new(boards));
            // Every server instance sees every event: a group of its own.
            let spec = SourceSpec {
                name: "websocket".into(),
                group: format!(
                    "{}-ws-{}",
                    kafka.group_prefix,
                    uuid::Uuid::new_v4().simple()
                ),
                topics: vec![kafka.topics.processed.clone()],
                profile: FetchProfile::Latency,
                commit: false,
                replay: None,
                watch_orphans: false,
            };
            sources.push(source::spawn(
                kafka,
                spec,
                hub.clone().recipient(),
                None,
                shutdown_rx.clone(),
            )?);
            Some(hub)
        } else {
            None
        };

        let state = web::Data::new(AppState {
            settings: settings.clone(),
            pg,
            redis,
            keys,
            producer,
            graphql: Arc::new(OperationCache::new(Arc::new(crate::schema::schema()))),
            hub: hub.clone(),
            latest,
            live_races: Arc::default(),
            subscriptions: Arc::new(SubscriptionSlots::new(settings.websocket.max_connections)),
            sources: sources.iter().map(|s| s.status.clone()).collect(),
        });
        let serves = role.runs(Role::Serve);
        let app_state = state.clone();
        let stall_timeout = Duration::from_millis(settings.websocket.client_timeout_ms);
        let server = HttpServer::new(move || {
            let app = App::new()
                .app_data(app_state.clone())
                .wrap(actix_web::middleware::Logger::new("%r %s %Dms").log_target("pitwall::http"))
                .configure(web_mod::health_routes);
            if serves {
                app.configure(|cfg| web_mod::public_routes(cfg, &app_state.settings.http))
            } else {
                app
            }
        })
        // Live pushes are small writes that must leave at once: Nagle's
        // algorithm would hold one behind the previous segment's delayed
        // ACK (up to 40 ms on Linux), as it would the last segment of a
        // leaderboard split by a real network's MSS.
        .tcp_nodelay(true)
        // A client that does not take what it is sent for as long as a
        // silent WebSocket client may last is gone, whatever it is.
        .on_connect(move |conn, _| web_mod::stalled::drop_after(conn, stall_timeout))
        .disable_signals()
        .shutdown_timeout(5)
        .bind(&settings.http.bind)?;
        let port = server.addrs().first().map(|a| a.port()).unwrap_or(0);
        let server = server.run();
        let handle = server.handle();
        actix::spawn(server);
        info!("role {role:?} up; HTTP on port {port}");
        Ok(Application {
            port,
            server: handle,
            shutdown,
            sources,
            hub,
            state,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> &web::Data<AppState> {
        &self.state
    }

    /// Waits for SIGINT or SIGTERM, then stops in order.
    pub async fn run_until_stopped(self) {
        wait_for_signal().await;
        info!("shutting down");
        self.stop().await;
    }

    /// Stops taking work, lets records in flight finish and their offsets be
    /// committed, leaves the consumer groups, closes WebSockets with 1001 and
    /// stops the HTTP server.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        for source in self.sources {
            let _ = source.task.await;
        }
        if let Some(hub) = &self.hub {
            let _ = hub.send(CloseAll).await;
        }
        self.server.stop(true).await;
        info!("stopped");
    }
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
