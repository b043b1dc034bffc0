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
