//! Operations parsed and validated once, kept by their text. Dashboards and
//! analysts poll the same few queries with different variables; Juniper
//! would lex, parse and run its validation rules on each request, which
//! cost more than resolving a live leaderboard. A [`Prepared`] owns its query
//! text and the parsed document and validated operation that borrow it, so
//! it can be shared between requests and workers.
//!
//! Variables are not part of the key: Juniper checks them against the
//! operation on every execution, and `limits::price` prices each request
//! with its own values.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use juniper::parser::parse_document_source;
use juniper::{DefaultScalarValue, Definition, GraphQLError, ValidatedOperation};
use self_cell::self_cell;

use super::Schema;

/// Distinct operations kept; the least recently used goes first.
const CAPACITY: usize = 256;
/// Longer documents are prepared for their request only, so the cache holds
/// at most `CAPACITY` × this of query text.
const MAX_CACHED_QUERY_BYTES: usize = 16 * 1024;

type Validated<'a> = ValidatedOperation<
    'a,
    super::Query,
    juniper::EmptyMutation<super::Context>,
    super::Subscription,
>;

/// What a [`Prepared`] borrows from.
pub struct Source {
    schema: Arc<Schema>,
    query: String,
    operation_name: Option<String>,
}

/// The document for pricing, the operation for executing.
pub struct Parsed<'a> {
    pub document: Vec<Definition<'a, DefaultScalarValue>>,
    pub operation: Validated<'a>,
}

self_cell!(
    /// One operation of one document, parsed and validated.
    pub struct Prepared {
        owner: Source,

        #[covariant]
        dependent: Parsed,
    }
);

/// Why a document cannot run.
#[derive(Debug)]
pub enum Unprepared {
    /// Over Juniper's parse limits (depth, fields) or not GraphQL at all.
    Parse(String),
    /// Parsed, but not valid against the schema, or no such operation.
    Invalid(GraphQLError),
}

impl Prepared {
    /// Parses, checks the parse limits and validates `query`'s operation
    /// `operation_name` (the only one when None).
    pub fn prepare(
        schema: Arc<Schema>,
        query: &str,
        operation_name: Option<&str>,
    ) -> Result<Prepared, Unprepared> {
        let source = Source {
            schema,
            query: query.to_owned(),
            operation_name: operation_name.map(str::to_owned),
        };
        Prepared::try_new(source, |source| {
            let document = parse_document_source(&source.query, &source.schema.schema)
                .map_err(|e| Unprepared::Parse(e.to_string()))?;
            let operation = ValidatedOperation::new(
                &source.query,
                source.operation_name.as_deref(),
                &source.schema,
            )
            .map_err(Unprepared::Invalid)?;
            Ok(Parsed {
                document,
                operation,
            })
        })
    }

    pub fn document(&self) -> &[Definition<'_, DefaultScalarValue>] {
        &self.borrow_dependent().document
    }

    pub fn operation(&self) -> &Validated<'_> {
        &self.borrow_dependent().operation
    }
}

type Key = (String, Option<String>);

/// Prepared operations by (query, operation name), bounded.
pub struct OperationCache {
    schema: Arc<Schema>,
    entries: Mutex<Entries>,
}

#[derive(Default)]
struct Entries {
    map: HashMap<Key, (Arc<Prepared>, u64)>,
    clock: u64,
}

impl OperationCache {
    pub fn new(schema: Arc<Schema>) -> Self {
        OperationCache {
            schema,
            entries: Mutex::default(),
        }
    }

    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The schema to share with a connection that outlives the request
    /// (a subscription's).
    pub fn shared_schema(&self) -> Arc<Schema> {
        self.schema.clone()
    }

    /// The prepared operation, from the cache or prepared now. Documents
    /// that fail are not kept: each attempt pays for its own parse.
    pub fn get(
        &self,
        query: &str,
        operation_name: Option<&str>,
    ) -> Result<Arc<Prepared>, Unprepared> {
        let key = (query.to_owned(), operation_name.map(str::to_owned));
        if let Some(hit) = self.lock().touch(&key) {
            return Ok(hit);
        }
        let prepared = Arc::new(Prepared::prepare(
            self.schema.clone(),
            query,
            operation_name,
        )?);
        if query.len() <= MAX_CACHED_QUERY_BYTES {
            self.lock().insert(key, prepared.clone());
        }
        Ok(prepared)
    }

    /// How many operations are kept.
    pub fn len(&self) -> usize {
        self.lock().map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        // A panic while holding the lock leaves a map that is still whole.
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Entries {
    fn touch(&mut self, key: &Key) -> Option<Arc<Prepared>> {
        self.clock += 1;
        let clock = self.clock;
        self.map.get_mut(key).map(|(prepared, used)| {
            *used = clock;
            prepared.clone()
        })
    }

    fn insert(&mut self, key: Key, prepared: Arc<Prepared>) {
        if self.map.len() >= CAPACITY && !self.map.contains_key(&key) {
            let oldest = self
                .map
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(k, _)| k.clone());
            if let Some(oldest) = oldest {
                self.map.remove(&oldest);
            }
        }
        self.clock += 1;
        self.map.insert(key, (prepared, self.clock));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache() -> OperationCache {
        OperationCache::new(Arc::new(crate::schema::schema()))
    }

    #[test]
    fn an_operation_is_prepared_once_and_shared() {
        let cache = cache();
        let q = "query Q($id: String!) { race(id: $id) { status } }";
        let a = cache.get(q, None).unwrap();
        let b = cache.get(q, Some("Q")).unwrap();
        let c = cache.get(q, None).unwrap();
        assert!(Arc::ptr_eq(&a, &c), "the same text and name is one entry");
        assert!(
            !Arc::ptr_eq(&a, &b),
            "the operation name is part of the key"
        );
        assert_eq!(cache.len(), 2);
        assert_eq!(a.document().len(), 1);
    }

    #[test]
    fn bad_documents_are_refused_and_not_kept() {
        let cache = cache();
        assert!(matches!(
            cache.get("{ race(", None),
            Err(Unprepared::Parse(_))
        ));
        assert!(matches!(
            cache.get("{ nosuchfield }", None),
            Err(Unprepared::Invalid(GraphQLError::ValidationError(_)))
        ));
        assert!(matches!(
            cache.get(
                "query A { races { id } } query B { races { id } }",
                Some("C")
            ),
            Err(Unprepared::Invalid(GraphQLError::UnknownOperationName))
        ));
        assert!(cache.is_empty());
    }

    #[test]
    fn the_least_recently_used_goes_when_full() {
        let cache = cache();
        let query = |i: usize| format!("query Q{i} {{ races {{ id }} }}");
        let first = cache.get(&query(0), None).unwrap();
        for i in 1..CAPACITY {
            cache.get(&query(i), None).unwrap();
        }
        // Used again: the oldest is now query 1.
        assert!(Arc::ptr_eq(&first, &cache.get(&query(0), None).unwrap()));
        cache.get(&query(CAPACITY), None).unwrap();
        assert_eq!(cache.len(), CAPACITY);
        assert!(Arc::ptr_eq(&first, &cache.get(&query(0), None).unwrap()));
        let entries = cache.lock();
        assert!(!entries.map.contains_key(&(query(1), None)));
    }

    #[test]
    fn long_documents_run_but_are_not_kept() {
        let cache = cache();
        let padding = " ".repeat(MAX_CACHED_QUERY_BYTES);
        let q = format!("{{ races {{ id }} }}{padding}");
        assert!(cache.get(&q, None).is_ok());
        assert!(cache.is_empty());
    }
}
