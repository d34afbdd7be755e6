<?php
/**
 * Every table (and sequence) PET's migrations create, without the WordPress table prefix: the list uninstall
 * drops when (and only when) the administrator asked for PET's data to be deleted. A fixed
 * list, not a LIKE pattern, so another installation's tables that happen to start with
 * "{prefix}pet_" (say a site whose own prefix is "wp_pet_") are never touched.
 * tests/wp/cases/06-noext-uninstall-deletes-when-ticked.php checks it against migrations/.
 *
 * @package PetWp
 */

defined( 'ABSPATH' ) || exit;

return array(
	'pet_migrations',
	'pet_domain_events',
	'pet_event_sequence',
	'pet_idempotency_keys',
	'pet_projection_checkpoints',
	'pet_activity_feed_projections',
	'pet_activity_names',
	'pet_jobs',
	'pet_locks',
	'pet_employees',
	'pet_employee_rates',
	'pet_teams',
	'pet_team_memberships',
	'pet_org_structure_versions',
	'pet_customers',
	'pet_contacts',
	'pet_lead_schema_versions',
	'pet_leads',
	'pet_qualifications',
	'pet_opportunities',
	'pet_opportunity_stage_totals',
	'pet_commercial_counters',
	'pet_quotes',
	'pet_quote_versions',
	'pet_quote_line_groups',
	'pet_quote_lines',
	'pet_sales',
	'pet_tickets',
	'pet_ticket_numbers',
	'pet_ticket_replies',
	'pet_sla_definitions',
	'pet_sla_definition_versions',
	'pet_sla_assignments',
	'pet_sla_events',
	'pet_knowledge_articles',
	'pet_knowledge_versions',
	'pet_knowledge_comments',
	'pet_knowledge_ticket_links',
	'pet_knowledge_category_totals',
	'pet_projects',
	'pet_project_delivered',
	'pet_time_entries',
	'pet_time_entry_adjustments',
	'pet_time_locks',
	'pet_timers',
	'pet_employee_capacities',
	'pet_resource_allocations',
	'pet_time_submitted_weeks',
	'pet_kpi_definitions',
	'pet_kpi_versions',
	'pet_kpi_facts',
	'pet_kpi_memos',
	'pet_kpi_results',
	'pet_chain_verification',
	'pet_rate_limits',
);
