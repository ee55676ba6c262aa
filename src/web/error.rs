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
    /// No bearer token, or not the right one (`web::auth`).
    #[error("{0}")]
    Unauthorized(String),
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
            WebError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            WebError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let field = match self {
            WebError::BadRequest { field, .. } => *field,
            WebError::Unauthorized(_) => Some("authorization"),
            _ => None,
        };
        let mut response = HttpResponse::build(self.status_code());
        if let WebError::Unauthorized(_) = self {
            // RFC 6750: a 401 names the scheme it wants.
            response.insert_header((actix_web::http::header::WWW_AUTHENTICATE, "Bearer"));
        }
        response.json(serde_json::json!({ "error": self.to_string(), "field": field }))
    }
}
