//! The HTTP face: the dashboard page, GraphQL, the WebSocket endpoint, the
//! simulator control API, and health. Handlers are thin: they validate, call
//! into `db`/`kafka`, and map errors through `WebError`.

pub mod auth;
pub mod control;
pub mod cors;
pub mod dashboard;
pub mod error;
pub mod graphql;
pub mod graphql_ws;
pub mod health;
pub mod index;
pub mod stalled;
pub mod ws;

use std::sync::Arc;

use actix::Addr;
use actix_web::middleware::from_fn;
use actix_web::web;
use rdkafka::producer::FutureProducer;

use crate::actors::hub::Hub;
use crate::actors::latest_boards::LatestBoards;
use crate::config::{HttpSettings, Settings};
use crate::db::Keys;
use crate::kafka::source::SourceStatus;
use crate::schema::live_races::LiveRaces;
use crate::schema::prepared::OperationCache;
use crate::schema::subscription::SubscriptionSlots;

/// Shared by every handler.
pub struct AppState {
    pub settings: Settings,
    pub pg: deadpool_postgres::Pool,
    pub redis: deadpool_redis::Pool,
    pub keys: Keys,
    pub producer: FutureProducer,
    /// The GraphQL schema and its prepared operations.
    pub graphql: Arc<OperationCache>,
    /// Present where this process serves WebSockets.
    pub hub: Option<Addr<Hub>>,
    /// The hub's newest leaderboard per race (empty without a hub).
    pub latest: Arc<LatestBoards>,
    /// The rows of the races `latest` holds, kept for GraphQL.
    pub live_races: Arc<LiveRaces>,
    /// Places for GraphQL subscriptions.
    pub subscriptions: Arc<SubscriptionSlots>,
    /// The consumers this process runs, for `/readyz`.
    pub sources: Vec<Arc<SourceStatus>>,
}

/// Routes every role has: health, readiness and metrics.
pub fn health_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/metrics", web::get().to(health::metrics));
}

/// The public routes of the serve role. The API routes carry CORS (outside,
/// so a preflight is answered before any token is asked for and a 401
/// still reaches the page) and the bearer-token guard (`auth`).
pub fn public_routes(cfg: &mut web::ServiceConfig, http: &HttpSettings) {
    cfg.app_data(control::json_config())
        .service(
            web::resource("/graphql")
                .wrap(from_fn(auth::reads))
                .wrap(cors::cors(&http.allowed_origins))
                .route(web::post().to(graphql::graphql))
                .route(web::get().to(graphql::graphql_get)),
        )
        .route("/graphiql", web::get().to(dashboard::graphiql))
        .service(
            web::resource("/graphql/ws")
                .wrap(from_fn(auth::socket))
                .route(web::get().to(graphql_ws::connect)),
        )
        .service(
            web::resource("/ws")
                .wrap(from_fn(auth::socket))
                .route(web::get().to(ws::connect)),
        )
        .service(
            web::scope("/api/races")
                .wrap(from_fn(auth::control))
                .wrap(cors::cors(&http.allowed_origins))
                .route("", web::post().to(control::start_race))
                .route("", web::get().to(control::list_races))
                .route("/{id}", web::get().to(control::get_race))
                .route("/{id}", web::delete().to(control::stop_race)),
        )
        // Last: every other GET is the dashboard's.
        .default_service(web::to(dashboard::serve));
}
