//! HTTP errors: each maps to a status code and a JSON body
//! `{"error": message, "field": name?}` a client can show as it is.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

use crate::db::DbError;
use crate::kafka::KafkaError;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("{message}")]
    BadRequest {
        field: Option<&'static str>,
        message: String,
    },
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Unavailable(String),
}

impl WebError {
    pub fn bad(field: &'static str, message: impl Into<String>) -> Self {
        WebError::BadRequest {
            field: Some(field),
            message: message.into(),
        }
    }
}

impl From<DbError> for WebError {
    fn from(e: DbError) -> Self {
        WebError::Unavailable(format!("database unavailable: {e}"))
    }
}

impl From<KafkaError> for WebError {
    fn from(e: KafkaError) -> Self {
        WebError::Unavailable(format!("broker unavailable: {e}"))
    }
}

impl ResponseError for WebError {
    fn status_code(&self) -> StatusCode {
        match self {
            WebError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            WebError::NotFound(_) => StatusCode::NOT_FOUND,
            WebError::Forbidden(_) => StatusCode::FORBIDDEN,
            WebError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let field = match self {
            WebError::BadRequest { field, .. } => *field,
            _ => None,
        };
        HttpResponse::build(self.status_code())
            .json(serde_json::json!({ "error": self.to_string(), "field": field }))
    }
}
