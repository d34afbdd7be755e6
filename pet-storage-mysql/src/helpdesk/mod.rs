//! Helpdesk, SLA and knowledge-base application services and repositories: tickets, SLA
//! definitions and assignments, the SLA job, knowledge articles and search (`App` methods in
//! an `impl App` block here).
