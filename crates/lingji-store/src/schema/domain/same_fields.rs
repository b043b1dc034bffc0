//! One pattern per schema of [`super`]: it names every field of the domain struct, so adding or
//! removing one there stops this from compiling until the schema follows.

fn _payment_draft(v: &lingji_domain::execution::PaymentDraft) {
    let lingji_domain::execution::PaymentDraft {
        payee_name: _,
        payee_account: _,
        payee_kind: _,
        amount: _,
        economic_code: _,
        line_id: _,
        purpose: _,
        date: _,
        contract_no: _,
        event_code: _,
        headcount: _,
        days: _,
        idempotency_key: _,
    } = v;
}

fn _monitoring_rule(v: &lingji_domain::execution::MonitoringRule) {
    let lingji_domain::execution::MonitoringRule {
        code: _,
        class: _,
        name: _,
        expression: _,
        action: _,
        clause: _,
        message: _,
        effective_from: _,
        effective_to: _,
        enabled: _,
    } = v;
}

fn _hit(v: &lingji_domain::execution::Hit) {
    let lingji_domain::execution::Hit {
        code: _,
        class: _,
        name: _,
        action: _,
        clause: _,
        message: _,
    } = v;
}

fn _tier_result(v: &lingji_domain::allocation::TierResult) {
    let lingji_domain::allocation::TierResult {
        fund_book: _,
        tier: _,
        number: _,
        demand: _,
        allocated: _,
        shortfall: _,
    } = v;
}

fn _outcome(v: &lingji_domain::allocation::Outcome) {
    let lingji_domain::allocation::Outcome {
        fund_book: _,
        resources: _,
        allocated: _,
        remaining: _,
        must_fund_shortfall: _,
        reserve: _,
        reserve_note: _,
    } = v;
}

fn _indicator(v: &lingji_domain::library::targets::Indicator) {
    let lingji_domain::library::targets::Indicator {
        category: _,
        name: _,
        comparator: _,
        target_value: _,
        unit: _,
    } = v;
}

fn _target_table(v: &lingji_domain::library::targets::TargetTable) {
    let lingji_domain::library::targets::TargetTable {
        overall_goal: _,
        indicators: _,
    } = v;
}

fn _scored_indicator(v: &lingji_domain::performance::evaluation::ScoredIndicator) {
    let lingji_domain::performance::evaluation::ScoredIndicator {
        category: _,
        name: _,
        comparator: _,
        target: _,
        unit: _,
        actual: _,
        weight: _,
        score: _,
        reason: _,
        remedy: _,
    } = v;
}

fn _scorecard(v: &lingji_domain::performance::evaluation::Scorecard) {
    let lingji_domain::performance::evaluation::Scorecard {
        execution_rate: _,
        execution_weight: _,
        execution_score: _,
        execution_reason: _,
        execution_remedy: _,
        indicators: _,
        total: _,
        grade: _,
    } = v;
}

fn _key_item(v: &lingji_domain::performance::evaluation::KeyItem) {
    let lingji_domain::performance::evaluation::KeyItem {
        dimension: _,
        name: _,
        weight: _,
        score: _,
    } = v;
}

fn _dimension_score(v: &lingji_domain::performance::evaluation::DimensionScore) {
    let lingji_domain::performance::evaluation::DimensionScore {
        dimension: _,
        weight: _,
        score: _,
    } = v;
}

fn _key_scorecard(v: &lingji_domain::performance::evaluation::KeyScorecard) {
    let lingji_domain::performance::evaluation::KeyScorecard {
        items: _,
        dimensions: _,
        total: _,
        grade: _,
    } = v;
}

fn _project_diff(v: &lingji_domain::allocation::ProjectDiff) {
    let lingji_domain::allocation::ProjectDiff {
        id: _,
        allocated_a: _,
        allocated_b: _,
        status_a: _,
        status_b: _,
        change: _,
    } = v;
}

fn _tier_diff(v: &lingji_domain::allocation::TierDiff) {
    let lingji_domain::allocation::TierDiff {
        fund_book: _,
        tier: _,
        allocated_a: _,
        allocated_b: _,
        shortfall_a: _,
        shortfall_b: _,
    } = v;
}

fn _comparison(v: &lingji_domain::allocation::Comparison) {
    let lingji_domain::allocation::Comparison {
        projects: _,
        tiers: _,
    } = v;
}

fn _counted(v: &lingji_domain::allocation::Counted) {
    let lingji_domain::allocation::Counted {
        count: _,
        amount: _,
    } = v;
}

fn _tally(v: &lingji_domain::allocation::Tally) {
    let lingji_domain::allocation::Tally {
        cut: _,
        cancelled: _,
        new: _,
        increased: _,
        unchanged: _,
        base_count: _,
        last_year: _,
        this_year: _,
        reduction: _,
        ratio: _,
    } = v;
}

fn _year_on_year(v: &lingji_domain::allocation::YearOnYear) {
    let lingji_domain::allocation::YearOnYear {
        overall: _,
        by_department: _,
    } = v;
}

fn _overlap_pair(v: &lingji_domain::allocation::OverlapPair) {
    let lingji_domain::allocation::OverlapPair {
        a: _,
        b: _,
        function_code: _,
        name_similarity: _,
        indicator_similarity: _,
        reason: _,
    } = v;
}

fn _project_execution(v: &lingji_domain::execution::ProjectExecution) {
    let lingji_domain::execution::ProjectExecution {
        budget: _,
        spent: _,
        lines: _,
    } = v;
}

fn _indicator_progress(v: &lingji_domain::performance::monitoring::IndicatorProgress) {
    let lingji_domain::performance::monitoring::IndicatorProgress {
        name: _,
        target: _,
        actual: _,
        progress: _,
        likelihood: _,
        reason: _,
    } = v;
}

fn _result_cut(v: &lingji_domain::allocation::ResultCut) {
    let lingji_domain::allocation::ResultCut { rate: _, retire: _ } = v;
}

fn _signals(v: &lingji_domain::allocation::Signals) {
    let lingji_domain::allocation::Signals {
        execution_rate: _,
        detail_insufficient: _,
        stock_funds: _,
        audit_findings: _,
    } = v;
}

fn _candidate(v: &lingji_domain::allocation::Candidate) {
    let lingji_domain::allocation::Candidate {
        id: _,
        code: _,
        name: _,
        department_id: _,
        unit_id: _,
        fund_book: _,
        tier: _,
        guarantee: _,
        must_fund: _,
        key_matter: _,
        requested: _,
        reviewed: _,
        minimum: _,
        finance_rank: _,
        department_rank: _,
        last_score: _,
        last_grade: _,
        result_cut: _,
        last_year: _,
        key_special: _,
        livelihood: _,
        signals: _,
    } = v;
}

fn _refusal(v: &lingji_domain::error::Refusal) {
    let lingji_domain::error::Refusal {
        code: _,
        message: _,
        field: _,
        clause: _,
    } = v;
}

fn _features(v: &lingji_domain::library::Features) {
    let lingji_domain::library::Features {
        training: _,
        it: _,
        government_investment: _,
        purchase_of_services: _,
        event: _,
        industry_fund_eligible: _,
        key_matters_item: _,
        special_fund: _,
    } = v;
}

fn _project_result(v: &lingji_domain::allocation::ProjectResult) {
    // `reason` is sent as `explanation`.
    let lingji_domain::allocation::ProjectResult {
        id: _,
        fund_book: _,
        tier: _,
        requested: _,
        reviewed: _,
        adjustments: _,
        adjusted: _,
        allocated: _,
        position: _,
        status: _,
        reason: _,
    } = v;
}

fn _adjustment(v: &lingji_domain::allocation::Adjustment) {
    let lingji_domain::allocation::Adjustment {
        clause: _,
        label: _,
        amount: _,
    } = v;
}

fn _gate_status(v: &lingji_domain::review::eligibility::GateStatus) {
    let lingji_domain::review::eligibility::GateStatus {
        gate: _,
        label: _,
        clause: _,
        open: _,
        recorded: _,
    } = v;
}

fn _finding(v: &lingji_domain::review::eligibility::Finding) {
    let lingji_domain::review::eligibility::Finding {
        code: _,
        message: _,
        clause: _,
    } = v;
}

fn _cost_line_input(v: &lingji_domain::library::cost::CostLineInput) {
    let lingji_domain::library::cost::CostLineInput {
        item: _,
        economic_code: _,
        standard_id: _,
        quantity: _,
        unit_amount: _,
        basis: _,
    } = v;
}

fn _year_need(v: &lingji_domain::library::YearNeed) {
    let lingji_domain::library::YearNeed { year: _, amount: _ } = v;
}

fn _special_fund_terms(v: &lingji_domain::review::lists::SpecialFundTerms) {
    let lingji_domain::review::lists::SpecialFundTerms {
        lead_department_id: _,
        start_year: _,
        period_years: _,
        pilot: _,
        big: _,
        tasks: _,
    } = v;
}

fn _list_entry(v: &lingji_domain::review::lists::ListEntry) {
    let lingji_domain::review::lists::ListEntry {
        code: _,
        name: _,
        year: _,
        note: _,
        fund: _,
        blacklisted: _,
    } = v;
}

fn _policy_basis(v: &lingji_domain::library::PolicyBasis) {
    let lingji_domain::library::PolicyBasis {
        title: _,
        number: _,
        expires_on: _,
    } = v;
}

fn _period(v: &lingji_domain::library::Period) {
    let lingji_domain::library::Period {
        start_year: _,
        end_year: _,
        pilot: _,
    } = v;
}
