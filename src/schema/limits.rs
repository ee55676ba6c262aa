//! Limits Juniper does not enforce by itself. Juniper 0.18 bounds a
//! document's nesting depth, tokens and fields while parsing (`schema()` sets
//! them); this adds the cost of an operation: every field costs one per row
//! of each list it sits inside, where a list's rows are its `first` /
//! `maxPoints` argument or, without one, the most it can return. Fragments
//! are followed, so spreading a fragment many times costs what it expands to.

use std::collections::HashMap;

use juniper::{DefaultScalarValue, Definition, InputValue, Selection};

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

/// Cost of the operation(s) in `document` (the costliest one counts).
pub fn complexity(document: &[Definition<'_, DefaultScalarValue>]) -> Result<u64, LimitError> {
    let mut fragments: Fragments = HashMap::new();
    for definition in document {
        if let Definition::Fragment(f) = definition {
            fragments.insert(f.item.name.item, &f.item.selection_set);
        }
    }
    let mut worst = 0;
    for definition in document {
        if let Definition::Operation(op) = definition {
            let cost = selection_cost(&op.item.selection_set, 1, &fragments, &mut Vec::new())?;
            worst = worst.max(cost);
        }
    }
    Ok(worst)
}

fn selection_cost<'a>(
    selections: &[Selection<'a, DefaultScalarValue>],
    rows: u64,
    fragments: &Fragments<'a, '_>,
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
                            .and_then(|(_, v)| match &v.item {
                                InputValue::Scalar(DefaultScalarValue::Int(n)) => {
                                    Some((*n).max(0) as u64)
                                }
                                _ => None,
                            })
                    })
                });
                let field_rows = page.or_else(|| default_rows(name)).unwrap_or(1);
                let inner = rows.saturating_mul(field_rows);
                let children = match &field.selection_set {
                    Some(set) => selection_cost(set, inner, fragments, spreading)?,
                    None => 0,
                };
                rows.saturating_add(children)
            }
            Selection::InlineFragment(f) => {
                selection_cost(&f.item.selection_set, rows, fragments, spreading)?
            }
            Selection::FragmentSpread(spread) => {
                let name = spread.item.name.item;
                if spreading.contains(&name) {
                    return Err(LimitError::FragmentCycle(name.to_owned()));
                }
                match fragments.get(name) {
                    Some(set) => {
                        spreading.push(name);
                        let c = selection_cost(set, rows, fragments, spreading)?;
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

/// Parses `query` against the schema's parse limits and checks its cost.
pub fn check(schema: &super::Schema, query: &str) -> Result<(), String> {
    let document =
        juniper::parser::parse_document_source(query, &schema.schema).map_err(|e| e.to_string())?;
    match complexity(&document) {
        Ok(cost) if cost > MAX_COMPLEXITY => Err(LimitError::TooComplex { cost }.to_string()),
        Ok(_) => Ok(()),
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cost(query: &str) -> Result<u64, String> {
        let schema = crate::schema::schema();
        let document = juniper::parser::parse_document_source(query, &schema.schema)
            .map_err(|e| e.to_string())?;
        complexity(&document).map_err(|e| e.to_string())
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
        let err = check(&crate::schema::schema(), q).unwrap_err();
        assert!(err.contains("too complex"), "{err}");
    }

    #[test]
    fn depth_and_field_bombs_fail_to_parse() {
        let schema = crate::schema::schema();
        let deep = format!(
            "{{ {} id {} }}",
            "race(id: \"r\") {".repeat(30),
            "}".repeat(30)
        );
        assert!(check(&schema, &deep).is_err());
        let aliases: String = (0..3_000)
            .map(|i| format!("a{i}: races {{ id }} "))
            .collect();
        let err = check(&schema, &format!("{{ {aliases} }}")).unwrap_err();
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
        check(&crate::schema::schema(), &q).unwrap();
    }

    #[test]
    fn the_dashboard_s_queries_fit() {
        let laps: String = (1..=25)
            .map(|i| format!("c{i}: laps(carId: {i}, first: 200) {{ carId lap lapMs sectorsMs compound tyreAgeLaps personalBest overallBest tsMs }} "))
            .collect();
        let q = format!(r#"{{ race(id: "r") {{ {laps} }} }}"#);
        check(&crate::schema::schema(), &q).unwrap();
    }
}
