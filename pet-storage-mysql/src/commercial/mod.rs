//! The commercial pipeline's application services and repositories: lead schemas, leads,
//! opportunities, quotes and sales (`App` methods in an `impl App` block here).
