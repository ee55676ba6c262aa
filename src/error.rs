//! The application's top-level error: what can stop a role from starting.
//! Each boundary has its own enum beside it (settings in `config`, Kafka in
//! `kafka`, databases in `db`, HTTP in `web::error`, records in
//! `domain::records`); this one wraps them for `main`.

use crate::config::ConfigError;
use crate::db::DbError;
use crate::kafka::KafkaError;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Kafka(#[from] KafkaError),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("http: {0}")]
    Http(#[from] std::io::Error),
    #[error("{0}")]
    Other(String),
}
