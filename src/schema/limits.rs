//! Limits Juniper does not enforce by itself. Juniper 0.18 bounds a
//! document's nesting depth, tokens and fields while parsing (`schema()` sets
//! them); this adds the cost of an operation: every field costs one per row
//! of each list it sits inside, where a list's rows are its `first` /
//! `maxPoints` argument (a literal, or the request's value of the variable
//! it names) or, without one, the most it can return. Fragments are
//! followed, so spreading a fragment many times costs what it expands to.

use std::collections::HashMap;

use juniper::{DefaultScalarValue, Definition, InputValue, Selection, Variables};

/// Most nesting a query may have (`{ race { laps { … } } }` is 3). Our own
/// types nest four deep; the introspection query GraphiQL sends needs about
/// twenty for its `ofType` chains inside fields and arguments.
pub const MAX_DEPTH: usize = 24;
/// Most fields an operation may select, aliases and fragment spreads counted.
pub const MAX_FIELDS: usize = 2_000;
/// Most rows × fields an operation may ask for.
pub const MAX_COMPLEXITY: u64 = 250_000;

/// Rows a list field returns when its query does not say: its default page,
/// or for unpaged lists a bound of what one race has.
fn default_rows(field: &str) -> Option<u64> {
    Some(match field {
        "races" | "laps" | "strategy" => 100,
        "telemetry" => 500,
        "gapHistory" => 3_600,
        "entries" | "pitStops" | "stints" | "raceControl" => 100,
        "sectorsMs" | "sectorStartsM" => 3,
        "centreline" => 1_000,
        _ => return None,
    })
}

/// The argument that sizes a list field's page.
fn sized_by(field: &str) -> Option<&'static str> {
    match field {
        "races" | "laps" | "strategy" => Some("first"),
        "telemetry" => Some("maxPoints"),
        _ => None,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitError {
    #[error("query too complex: it may return {cost} values, the limit is {MAX_COMPLEXITY}; ask for smaller pages (first, maxPoints) or fewer fields")]
    TooComplex { cost: u64 },
    #[error("fragment {0} spreads itself")]
    FragmentCycle(String),
}

type Fragments<'a, 'd> = HashMap<&'a str, &'d [Selection<'a, DefaultScalarValue>]>;

/// Cost of the operation(s) in `document` (the costliest one counts), with
/// page sizes given as variables read from `variables`.
pub fn complexity(
    document: &[Definition<'_, DefaultScalarValue>],
    variables: &Variables,
) -> Result<u64, LimitError> {
    let mut fragments: Fragments = HashMap::new();
    for definition in document {
        if let Definition::Fragment(f) = definition {
            fragments.insert(f.item.name.item, &f.item.selection_set);
        }
    }
    let mut worst = 0;
    for definition in document {
        if let Definition::Operation(op) = definition {
            // A variable the request leaves out takes its declared default.
            let mut values: HashMap<&str, &InputValue> = HashMap::new();
            for (name, def) in op
                .item
                .variables_definition
                .iter()
                .flat_map(|d| &d.item.items)
            {
                if let Some(default) = &def.default_value {
                    values.insert(name.item, &default.item);
                }
            }
            for (name, value) in variables {
                values.insert(name.as_str(), value);
            }
            let pricing = Pricing {
                fragments: &fragments,
                variables: &values,
            };
            let cost = pricing.selection_cost(&op.item.selection_set, 1, &mut Vec::new())?;
            worst = worst.max(cost);
        }
    }
    Ok(worst)
}

/// What pricing an operation looks things up in.
struct Pricing<'a, 'd> {
    fragments: &'d Fragments<'a, 'd>,
    variables: &'d HashMap<&'d str, &'d InputValue>,
}

impl<'a> Pricing<'a, '_> {
    /// The page a size argument asks for: a literal or a variable's value.
    fn page(&self, value: &InputValue) -> Option<u64> {
        match value {
            InputValue::Scalar(DefaultScalarValue::Int(n)) => Some((*n).max(0) as u64),
            InputValue::Variable(name) => {
                self.variables.get(name.as_str()).and_then(|v| self.page(v))
            }
            _ => None,
        }
    }

    fn selection_cost(
        &self,
        selections: &[Selection<'a, DefaultScalarValue>],
        rows: u64,
        spreading: &mut Vec<&'a str>,
    ) -> Result<u64, LimitError> {
        let mut cost: u64 = 0;
        for selection in selections {
            let add = match selection {
                Selection::Field(field) => {
                    let field = &field.item;
                    let name = field.name.item;
                    let page = sized_by(name).and_then(|arg| {
                        field.arguments.as_ref().and_then(|args| {
                            args.item
                                .items
                                .iter()
                                .find(|(k, _)| k.item == arg)
                                .and_then(|(_, v)| self.page(&v.item))
                        })
                    });
                    let field_rows = page.or_else(|| default_rows(name)).unwrap_or(1);
                    let inner = rows.saturating_mul(field_rows);
                    let children = match &field.selection_set {
                        Some(set) => self.selection_cost(set, inner, spreading)?,
                        None => 0,
                    };
                    rows.saturating_add(children)
                }
                Selection::InlineFragment(f) => {
                    self.selection_cost(&f.item.selection_set, rows, spreading)?
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.item.name.item;
                    if spreading.contains(&name) {
                        return Err(LimitError::FragmentCycle(name.to_owned()));
                    }
                    match self.fragments.get(name) {
                        Some(set) => {
                            spreading.push(name);
                            let c = self.selection_cost(set, rows, spreading)?;
                            spreading.pop();
                            c
                        }
                        None => 0,
                    }
                }
            };
            cost = cost.saturating_add(add);
        }
        Ok(cost)
    }
}

/// Checks the cost of a parsed document run with `variables`.
pub fn price(
    document: &[Definition<'_, DefaultScalarValue>],
    variables: &Variables,
) -> Result<(), LimitError> {
    match complexity(document, variables)? {
        cost if cost > MAX_COMPLEXITY => Err(LimitError::TooComplex { cost }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cost_with(query: &str, variables: &Variables) -> Result<u64, String> {
        let schema = crate::schema::schema();
        let document = juniper::parser::parse_document_source(query, &schema.schema)
            .map_err(|e| e.to_string())?;
        complexity(&document, variables).map_err(|e| e.to_string())
    }

    fn cost(query: &str) -> Result<u64, String> {
        cost_with(query, &Variables::new())
    }

    /// Parses (with Juniper's depth and field limits) and prices `query`.
    fn check(query: &str) -> Result<(), String> {
        let schema = crate::schema::schema();
        let document = juniper::parser::parse_document_source(query, &schema.schema)
            .map_err(|e| e.to_string())?;
        price(&document, &Variables::new()).map_err(|e| e.to_string())
    }

    #[test]
    fn lists_multiply_what_is_inside() {
        // 1 (race) + 1 (laps) + 50 × 2 fields
        assert_eq!(
            cost(r#"{ race(id: "r") { laps(first: 50) { lap lapMs } } }"#).unwrap(),
            102
        );
        // races default page of 100, each with 100 entries of 1 field
        assert_eq!(
            cost("{ races { entries { carId } } }").unwrap(),
            1 + 100 + 100 * 100
        );
    }

    #[test]
    fn fragments_cost_what_they_expand_to() {
        let direct = cost(r#"{ race(id: "r") { laps(first: 10) { lap lapMs } } }"#).unwrap();
        let spread = cost(
            r#"{ race(id: "r") { laps(first: 10) { ...L } } } fragment L on Lap { lap lapMs }"#,
        )
        .unwrap();
        assert_eq!(direct, spread);
    }

    #[test]
    fn a_list_bomb_is_too_complex() {
        let q = "{ races(first: 500) { laps(first: 1000) { lap lapMs sectorsMs } } }";
        let err = check(q).unwrap_err();
        assert!(err.contains("too complex"), "{err}");
    }

    #[test]
    fn page_sizes_given_as_variables_are_priced_at_their_values() {
        let q = "query Q($races: Int, $laps: Int = 1000) { races(first: $races) { laps(first: $laps) { lap lapMs sectorsMs } } }";
        let vars = |n: i32| -> Variables {
            [("races".to_owned(), InputValue::scalar(n))]
                .into_iter()
                .collect()
        };
        // 2 races × 1,000 laps (the declared default) × 3 fields.
        assert_eq!(cost_with(q, &vars(2)).unwrap(), 1 + 2 + 2 * 1000 * 3);
        // The same text with a bigger page is the bomb it looks like.
        let schema = crate::schema::schema();
        let document = juniper::parser::parse_document_source(q, &schema.schema).unwrap();
        assert!(matches!(
            price(&document, &vars(500)),
            Err(LimitError::TooComplex { .. })
        ));
        assert!(price(&document, &vars(2)).is_ok());
    }

    #[test]
    fn depth_and_field_bombs_fail_to_parse() {
        let deep = format!(
            "{{ {} id {} }}",
            "race(id: \"r\") {".repeat(30),
            "}".repeat(30)
        );
        assert!(check(&deep).is_err());
        let aliases: String = (0..3_000)
            .map(|i| format!("a{i}: races {{ id }} "))
            .collect();
        let err = check(&format!("{{ {aliases} }}")).unwrap_err();
        assert!(!err.is_empty());
    }

    #[test]
    fn the_introspection_query_fits() {
        // The shape GraphiQL sends: a type reference unwrapped ten levels,
        // inside a field's arguments.
        let type_ref = (0..10).fold(String::from("kind name"), |inner, _| {
            format!("kind name ofType {{ {inner} }}")
        });
        let q = format!(
            "query IntrospectionQuery {{ __schema {{ queryType {{ name }} types {{ ...FullType }} }} }}
             fragment FullType on __Type {{ kind name fields(includeDeprecated: true) {{ name
               args {{ name type {{ {type_ref} }} }} type {{ {type_ref} }} }} }}"
        );
        check(&q).unwrap();
    }

    #[test]
    fn the_dashboard_s_queries_fit() {
        let laps: String = (1..=25)
            .map(|i| format!("c{i}: laps(carId: {i}, first: 200) {{ carId lap lapMs sectorsMs compound tyreAgeLaps personalBest overallBest tsMs }} "))
            .collect();
        let q = format!(r#"{{ race(id: "r") {{ {laps} }} }}"#);
        check(&q).unwrap();
    }
}
