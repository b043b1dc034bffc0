//! The OpenAPI document is built from the routes; this snapshot makes every change to the API
//! contract visible in review (`cargo insta review` to accept an intended change).

#[test]
fn openapi_document_matches_the_snapshot() {
    let spec = serde_json::to_value(lingji_web::openapi()).unwrap();
    insta::assert_json_snapshot!("openapi", spec);
}

#[test]
fn every_operation_documents_its_problem_responses() {
    let spec = serde_json::to_value(lingji_web::openapi()).unwrap();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            let has_error = responses.keys().any(|code| code.starts_with('4'));
            assert!(has_error, "{method} {path} documents no error response");
        }
    }
}

#[test]
fn problems_are_documented_as_problem_json() {
    let spec = serde_json::to_value(lingji_web::openapi()).unwrap();
    let problem = serde_json::json!({"$ref": "#/components/schemas/Problem"});
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            for (status, response) in responses {
                if let Some(json) = response["content"].get("application/json") {
                    assert_ne!(
                        json["schema"], problem,
                        "{method} {path} {status}: a problem is sent as application/problem+json"
                    );
                }
            }
            // Anything that reads input can be refused for its shape (400) and by the rules.
            let reads = op.get("parameters").is_some() || op.get("requestBody").is_some();
            if reads {
                for status in ["400", "422"] {
                    assert!(
                        responses.contains_key(status),
                        "{method} {path} documents no {status}"
                    );
                }
            }
        }
    }
}

/// The schema a `$ref` points at, or the schema itself.
fn resolve<'a>(
    spec: &'a serde_json::Value,
    schema: &'a serde_json::Value,
) -> &'a serde_json::Value {
    match schema["$ref"].as_str() {
        Some(r) => {
            let name = r.trim_start_matches("#/components/schemas/");
            let found = &spec["components"]["schemas"][name];
            assert!(!found.is_null(), "{r} is not among the components");
            found
        }
        None => schema,
    }
}

/// Whether a schema says nothing of its content: no schema, or an object without properties.
fn untyped(spec: &serde_json::Value, schema: &serde_json::Value) -> bool {
    let s = resolve(spec, schema);
    if s.is_null() || s.as_object().is_some_and(|o| o.is_empty()) {
        return true;
    }
    if s["type"] == "array" {
        return untyped(spec, &s["items"]);
    }
    let composed = ["allOf", "oneOf", "anyOf"]
        .iter()
        .any(|k| s.get(k).is_some());
    let object = s["type"] == "object" || s["type"].is_null();
    object && !composed && s.get("properties").is_none() && s.get("enum").is_none()
}

#[test]
fn every_success_response_has_a_typed_schema() {
    let spec = serde_json::to_value(lingji_web::openapi()).unwrap();
    let mut untyped_ones = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for (status, response) in op["responses"].as_object().unwrap() {
                if !status.starts_with('2') || status == "204" {
                    continue;
                }
                let content = response["content"].as_object();
                let Some(content) = content else {
                    untyped_ones.push(format!("{method} {path} {status}: no content"));
                    continue;
                };
                let Some(json) = content.get("application/json") else {
                    continue; // a file: xlsx, csv, an attachment
                };
                if untyped(&spec, &json["schema"]) {
                    untyped_ones.push(format!("{method} {path} {status}: {}", json["schema"]));
                }
            }
        }
    }
    assert!(
        untyped_ones.is_empty(),
        "untyped success responses:\n{}",
        untyped_ones.join("\n")
    );
}

/// Walks a schema and everything it refers to, noting each property documented as a bare
/// object (`name.property`).
fn bare_properties(
    spec: &serde_json::Value,
    schema: &serde_json::Value,
    at: &str,
    seen: &mut std::collections::BTreeSet<String>,
    found: &mut std::collections::BTreeSet<String>,
) {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.trim_start_matches("#/components/schemas/").to_string();
        if seen.insert(name.clone()) {
            let target = resolve(spec, schema);
            bare_properties(spec, target, &name, seen, found);
        }
        return;
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        for part in schema[key].as_array().into_iter().flatten() {
            bare_properties(spec, part, at, seen, found);
        }
    }
    if !schema["items"].is_null() {
        bare_properties(spec, &schema["items"], at, seen, found);
    }
    if let Some(props) = schema["properties"].as_object() {
        for (name, p) in props {
            let here = format!("{at}.{name}");
            let object =
                p["type"] == "object" || p["type"] == serde_json::json!(["object", "null"]);
            let items = &p["items"];
            let bare_items = !items.is_null()
                && items["$ref"].is_null()
                && items["type"] == "object"
                && items.get("properties").is_none();
            if (object && p.get("properties").is_none() && p.get("additionalProperties").is_none())
                || bare_items
            {
                found.insert(here.clone());
            }
            bare_properties(spec, p, &here, seen, found);
        }
    }
}

#[test]
fn success_responses_are_typed_all_the_way_down() {
    let spec = serde_json::to_value(lingji_web::openapi()).unwrap();
    let mut seen = std::collections::BTreeSet::new();
    let mut found = std::collections::BTreeSet::new();
    for item in spec["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            for (status, response) in op["responses"].as_object().unwrap() {
                if let Some(json) = response["content"].get("application/json")
                    && status.starts_with('2')
                {
                    bare_properties(&spec, &json["schema"], "", &mut seen, &mut found);
                }
            }
        }
    }
    // Still free-form: a gate record (its fields depend on `gate`) and the panel's points as
    // stored.
    let known = ["GatesDto.records", "ReviewStep.panel"];
    let unexpected: Vec<&String> = found
        .iter()
        .filter(|f| !known.contains(&f.as_str()))
        .collect();
    assert!(
        unexpected.is_empty(),
        "properties documented as a bare object: {unexpected:?}"
    );
}

/// The codes of a labelled enum's schema.
fn codes(spec: &serde_json::Value, name: &str) -> Vec<String> {
    let s = &spec["components"]["schemas"][name];
    assert_eq!(s["type"], "string", "{name} is documented as a string");
    let labels = s["x-enum-descriptions"].as_array().expect("labels");
    let codes: Vec<String> = s["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("{name} lists its values"))
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(codes.len(), labels.len(), "{name}: a label for each code");
    codes
}

#[test]
fn enumerated_fields_list_their_values_and_labels() {
    use lingji_domain::Labelled;
    let spec = serde_json::to_value(lingji_web::openapi()).unwrap();
    fn all<T: Labelled>() -> Vec<String> {
        T::ALL.iter().map(|v| v.code().to_string()).collect()
    }
    assert_eq!(
        codes(&spec, "ProjectKind"),
        all::<lingji_domain::library::ProjectKind>()
    );
    assert_eq!(
        codes(&spec, "PaymentStatus"),
        all::<lingji_domain::execution::PaymentStatus>()
    );
    assert_eq!(
        codes(&spec, "SpendingTier"),
        all::<lingji_domain::library::tier::SpendingTier>()
    );
    assert_eq!(
        codes(&spec, "ProjectState"),
        all::<lingji_domain::library::ProjectState>()
    );
    let kind = &spec["components"]["schemas"]["ProjectKind"];
    assert!(
        kind["x-enum-descriptions"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("人员类"))
    );
    // The fields that carry them point at them.
    let field = |schema: &str, field: &str| {
        let s = &spec["components"]["schemas"][schema];
        let parts = s["allOf"]
            .as_array()
            .cloned()
            .unwrap_or_else(|| vec![s.clone()]);
        let s = parts
            .iter()
            .map(|p| p["properties"][field].clone())
            .find(|p| !p.is_null())
            .unwrap_or_default();
        let s = &s;
        let s = if s["$ref"].is_null() {
            s["oneOf"]
                .as_array()
                .and_then(|v| v.iter().find(|x| !x["$ref"].is_null()))
                .unwrap_or(s)
        } else {
            s
        };
        s["$ref"].as_str().unwrap_or_default().to_string()
    };
    assert_eq!(
        field("PaymentView", "status"),
        "#/components/schemas/PaymentStatus"
    );
    assert_eq!(field("PlanRow", "tier"), "#/components/schemas/PlanTier");
}

/// Every property whose name says it holds one of a fixed set (a kind, state, status, outcome,
/// decision, role, grade, level, tier, book, comparator, disposition, mode or stage) points at
/// a schema that lists the values, wherever it stands in the document.
#[test]
fn no_enumerated_field_is_a_bare_string() {
    let spec = serde_json::to_value(lingji_web::openapi()).unwrap();
    let enumerated = [
        "kind",
        "state",
        "status",
        "outcome",
        "decision",
        "role",
        "grade",
        "level",
        "tier",
        "book",
        "fund_book",
        "comparator",
        "disposition",
        "mode",
        "stage",
        "payment_status",
    ];
    let bare = |p: &serde_json::Value| {
        let p = if p["type"] == "array" { &p["items"] } else { p };
        p["$ref"].is_null()
            && p["enum"].is_null()
            && p["oneOf"].is_null()
            && p["allOf"].is_null()
            && (p["type"] == "string" || p["type"] == serde_json::json!(["string", "null"]))
    };
    let mut found = Vec::new();
    fn walk(
        s: &serde_json::Value,
        at: &str,
        enumerated: &[&str],
        bare: &dyn Fn(&serde_json::Value) -> bool,
        found: &mut Vec<String>,
    ) {
        for key in ["allOf", "oneOf", "anyOf"] {
            for part in s[key].as_array().into_iter().flatten() {
                walk(part, at, enumerated, bare, found);
            }
        }
        if !s["items"].is_null() {
            walk(&s["items"], at, enumerated, bare, found);
        }
        for (name, p) in s["properties"].as_object().into_iter().flatten() {
            if enumerated.contains(&name.as_str()) && bare(p) {
                found.push(format!("{at}.{name}"));
            }
            walk(p, &format!("{at}.{name}"), enumerated, bare, found);
        }
    }
    for (name, s) in spec["components"]["schemas"].as_object().unwrap() {
        walk(s, name, &enumerated, &bare, &mut found);
    }
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for p in op["parameters"].as_array().into_iter().flatten() {
                let name = p["name"].as_str().unwrap_or_default();
                if enumerated.contains(&name) && bare(&p["schema"]) {
                    found.push(format!("{method} {path} ?{name}"));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "enumerated fields documented as bare strings: {found:?}"
    );
}

/// A map keyed by id travels as a JSON object, whose keys are text: the document says so
/// (Schemathesis held the served names of organisations, keyed "19", to an integer key).
#[test]
fn map_keys_are_documented_as_text() {
    let spec = serde_json::to_value(lingji_web::openapi()).unwrap();
    fn walk(v: &serde_json::Value, found: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                if let Some(keys) = m.get("propertyNames") {
                    found.push(keys["type"].to_string());
                }
                m.values().for_each(|x| walk(x, found));
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, found)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    walk(&spec, &mut found);
    assert!(
        found.len() >= 4,
        "the maps keyed by id are there: {found:?}"
    );
    assert!(
        found.iter().all(|t| t == "\"string\""),
        "every map key is text: {found:?}"
    );
}
