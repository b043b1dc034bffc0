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
