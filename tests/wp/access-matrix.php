<?php
/**
 * The access matrix: which role may open every PET screen, run every admin action and call
 * every pet/v1 REST route. Checked by tests/wp/cases/30-access-matrix.php, which logs in as
 * each role and fails when a screen, action or route exists that this table does not list
 * (or the table lists one that no longer exists).
 *
 * Columns (one letter per role, in this order): administrator, PET Manager (pet_manager),
 * PET Sales (pet_sales), PET Support (pet_support), PET Staff (pet_staff), subscriber.
 * 'Y' allowed, '-' refused. The comment names the capability each row is meant to need.
 *
 * A new screen, action or route: add its row here with the roles that should reach it.
 *
 * Not listed (no screen, action or route of PET's): the exporter and eraser PET adds to
 * WordPress's Tools → Export / Erase Personal Data, which WordPress itself guards
 * (export_others_personal_data / erase_others_personal_data and its nonce); PET's eraser
 * also requires pet_manage_people (tests/wp/cases/31-privacy.php checks both sides).
 *
 * @package PetWp
 */

return array(
	'roles'   => array( 'administrator', 'pet_manager', 'pet_sales', 'pet_support', 'pet_staff', 'subscriber' ),

	// wp-admin screens (admin.php?page=…).
	'screens' => array(
		'pet-employees'   => 'Y Y Y Y Y -', // pet_view_people
		'pet-teams'       => 'Y Y Y Y Y -', // pet_view_people
		'pet-customers'   => 'Y Y Y Y Y -', // pet_view_people
		'pet-org'         => 'Y Y Y Y Y -', // pet_view_people
		'pet-leads'       => 'Y Y Y - - -', // pet_view_sales
		'pet-lead-schema' => 'Y Y Y - - -', // pet_view_sales
		'pet-pipeline'    => 'Y Y Y - - -', // pet_view_sales
		'pet-quotes'      => 'Y Y Y - - -', // pet_view_sales
		'pet-tickets'     => 'Y Y - Y - -', // pet_view_support
		'pet-slas'        => 'Y Y - Y - -', // pet_view_support
		'pet-kb'          => 'Y Y Y Y Y -', // pet_view_knowledge
		'pet-kb-article'  => 'Y Y Y Y Y -', // pet_view_knowledge
		'pet-projects'    => 'Y Y Y Y Y -', // pet_view_delivery
		'pet-timesheet'   => 'Y Y Y Y Y -', // pet_view_delivery
		'pet-approvals'   => 'Y Y - - - -', // pet_manage_delivery
		'pet-resources'   => 'Y Y - - - -', // pet_manage_delivery
		'pet-dashboard'   => 'Y Y - - - -', // pet_view_settings (KPIs span every area)
		'pet-kpis'        => 'Y Y - - - -', // pet_view_settings
		'pet-quickbooks'  => 'Y Y - - - -', // pet_manage_settings (credentials)
		'pet-activity'    => 'Y Y Y Y Y -', // pet_work (lines of the visible areas only)
		'pet-history'     => 'Y Y Y Y Y -', // pet_work (entities of the visible areas only)
		'pet-jobs'        => 'Y Y - - - -', // pet_view_settings
		'pet-mail'        => 'Y Y - - - -', // pet_view_settings
		'pet-settings'    => 'Y - - - - -', // manage_options
	),

	// admin-post.php actions (pet_<action>).
	'actions' => array(
		'create_employee'         => 'Y Y - - - -', // pet_manage_people
		'deactivate_employee'     => 'Y Y - - - -', // pet_manage_people
		'reactivate_employee'     => 'Y Y - - - -', // pet_manage_people
		'change_rate'             => 'Y Y - - - -', // pet_manage_people
		'link_user'               => 'Y Y - - - -', // pet_manage_people
		'create_team'             => 'Y Y - - - -', // pet_manage_people
		'move_team'               => 'Y Y - - - -', // pet_manage_people
		'archive_team'            => 'Y Y - - - -', // pet_manage_people
		'add_team_member'         => 'Y Y - - - -', // pet_manage_people
		'remove_team_member'      => 'Y Y - - - -', // pet_manage_people
		'create_customer'         => 'Y Y - - - -', // pet_manage_people
		'archive_customer'        => 'Y Y - - - -', // pet_manage_people
		'add_contact'             => 'Y Y - - - -', // pet_manage_people
		'portal_invite'           => 'Y Y - - - -', // pet_manage_people (customer screen: invite a contact to the portal)
		'portal_revoke'           => 'Y Y - - - -', // pet_manage_people
		'publish_org'             => 'Y Y - - - -', // pet_manage_people
		'publish_lead_schema'     => 'Y Y Y - - -', // pet_manage_sales
		'create_lead'             => 'Y Y Y - - -', // pet_manage_sales
		'update_lead'             => 'Y Y Y - - -', // pet_manage_sales
		'contact_lead'            => 'Y Y Y - - -', // pet_manage_sales
		'qualify_lead'            => 'Y Y Y - - -', // pet_manage_sales
		'disqualify_lead'         => 'Y Y Y - - -', // pet_manage_sales
		'create_opportunity'      => 'Y Y Y - - -', // pet_manage_sales
		'lose_opportunity'        => 'Y Y Y - - -', // pet_manage_sales
		'classify_opportunity'    => 'Y Y Y - - -', // pet_manage_sales
		'archive_lead'            => 'Y Y Y - - -', // pet_manage_sales
		'create_quote'            => 'Y Y Y - - -', // pet_manage_sales
		'save_quote_draft'        => 'Y Y Y - - -', // pet_manage_sales
		'send_quote'              => 'Y Y Y - - -', // pet_manage_sales
		'draft_quote_version'     => 'Y Y Y - - -', // pet_manage_sales
		'accept_quote'            => 'Y Y Y - - -', // pet_manage_sales
		'reject_quote'            => 'Y Y Y - - -', // pet_manage_sales
		'create_ticket'           => 'Y Y - Y - -', // pet_manage_support
		'reply_ticket'            => 'Y Y - Y - -', // pet_manage_support
		'ticket_status'           => 'Y Y - Y - -', // pet_manage_support
		'reopen_ticket'           => 'Y Y - Y - -', // pet_manage_support
		'ticket_priority'         => 'Y Y - Y - -', // pet_manage_support
		'assign_ticket'           => 'Y Y - Y - -', // pet_manage_support
		'assign_ticket_sla'       => 'Y Y - Y - -', // pet_manage_support
		'link_ticket_article'     => 'Y Y - Y - -', // pet_manage_support
		'save_sla_definition'     => 'Y Y - Y - -', // pet_manage_support
		'run_sla_job_at'          => 'Y - - - - -', // manage_options (test-clock builds only)
		'kb_create_article'       => 'Y Y - Y - -', // pet_manage_knowledge
		'kb_publish_article'      => 'Y Y - Y - -', // pet_manage_knowledge
		'kb_restore_version'      => 'Y Y - Y - -', // pet_manage_knowledge
		'kb_archive_article'      => 'Y Y - Y - -', // pet_manage_knowledge
		'kb_add_comment'          => 'Y Y Y Y Y -', // pet_view_knowledge
		'kb_hide_comment'         => 'Y Y - Y - -', // pet_manage_knowledge
		'delivery_create_project' => 'Y Y - - - -', // pet_manage_delivery
		'delivery_project_status' => 'Y Y - - - -', // pet_manage_delivery
		'delivery_change_order'   => 'Y Y - - - -', // pet_manage_delivery
		'delivery_save_week'      => 'Y Y Y Y Y -', // pet_view_delivery (one's own time)
		'delivery_submit_week'    => 'Y Y Y Y Y -', // pet_view_delivery (one's own time)
		'delivery_approve'        => 'Y Y - - - -', // pet_manage_delivery
		'delivery_send_back'      => 'Y Y - - - -', // pet_manage_delivery
		'delivery_adjust'         => 'Y Y - - - -', // pet_manage_delivery
		'delivery_timer_start'    => 'Y Y Y Y Y -', // pet_view_delivery (one's own timer)
		'delivery_timer_stop'     => 'Y Y Y Y Y -', // pet_view_delivery (one's own timer)
		'delivery_timer_discard'  => 'Y Y Y Y Y -', // pet_view_delivery (one's own timer)
		'delivery_lock'           => 'Y Y - - - -', // pet_manage_delivery
		'delivery_recompute'      => 'Y Y - - - -', // pet_manage_delivery
		'delivery_allocate'       => 'Y Y - - - -', // pet_manage_delivery
		'delivery_capacity'       => 'Y Y - - - -', // pet_manage_delivery
		'delivery_weeks'          => 'Y Y - - - -', // pet_manage_delivery (approve or send back weeks)
		'delivery_log_ticket'     => 'Y Y Y Y Y -', // pet_view_delivery (one's own time, from the ticket page)
		'delivery_add_milestone'  => 'Y Y - - - -', // pet_manage_delivery
		'delivery_milestone_done' => 'Y Y - - - -', // pet_manage_delivery
		'delivery_add_task'       => 'Y Y - - - -', // pet_manage_delivery
		'delivery_assign_task'    => 'Y Y - - - -', // pet_manage_delivery
		'delivery_move_task'      => 'Y Y Y Y Y -', // pet_view_delivery
		'run_jobs'                => 'Y Y - - - -', // pet_manage_settings
		'retry_job'               => 'Y Y - - - -', // pet_manage_settings
		'kpi_define'              => 'Y Y - - - -', // pet_manage_settings
		'kpi_publish'             => 'Y Y - - - -', // pet_manage_settings
		'kpi_run'                 => 'Y Y - - - -', // pet_manage_settings
		'qbo_save_connection'     => 'Y Y - - - -', // pet_manage_settings
		'qbo_connect'             => 'Y Y - - - -', // pet_manage_settings
		'qbo_disconnect'          => 'Y Y - - - -', // pet_manage_settings
		'qbo_save_mapping'        => 'Y Y - - - -', // pet_manage_settings
		'qbo_repush'              => 'Y Y - - - -', // pet_manage_settings
		'qbo_run'                 => 'Y Y - - - -', // pet_manage_settings
		'mail_settings'           => 'Y Y - - - -', // pet_manage_settings
		'mail_template_save'      => 'Y Y - - - -', // pet_manage_settings
		'mail_template_reset'     => 'Y Y - - - -', // pet_manage_settings
		'mail_retry'              => 'Y Y - - - -', // pet_manage_settings
		'mail_send_now'           => 'Y Y - - - -', // pet_manage_settings
		'mail_mailbox_save'       => 'Y Y - - - -', // pet_manage_settings
		'mail_mailbox_test'       => 'Y Y - - - -', // pet_manage_settings
		'mail_mailbox_poll'       => 'Y Y - - - -', // pet_manage_settings
		'delivery_release'        => 'Y Y - - - -', // pet_manage_delivery
		'save_settings'           => 'Y - - - - -', // manage_options
		'verify_chain'            => 'Y - - - - -', // manage_options
	),

	// pet/v1 REST routes: "METHOD /path" with {name} for each path parameter.
	'routes'  => array(
		'GET /health'                                 => 'Y Y - - - -', // pet_view_settings
		'GET /audit/chain'                            => 'Y - - - - -', // manage_options
		'POST /audit/chain/verify'                    => 'Y - - - - -', // manage_options
		'GET /audit/export'                           => 'Y - - - - -', // manage_options
		'GET /activity'                               => 'Y Y Y Y Y -', // pet_work (contexts of the visible areas only)
		'GET /history/state'                          => 'Y Y Y Y Y -', // pet_work (contexts of the visible areas only)
		'GET /history'                                => 'Y Y Y Y Y -', // pet_work (contexts of the visible areas only)
		'GET /jobs'                                   => 'Y Y - - - -', // pet_view_settings
		'POST /jobs/run'                              => 'Y Y - - - -', // pet_manage_settings
		'GET /kpis'                                   => 'Y Y - - - -', // pet_view_settings
		'POST /kpis'                                  => 'Y Y - - - -', // pet_manage_settings
		'GET /kpi-options'                            => 'Y Y - - - -', // pet_view_settings
		'GET /kpi-dashboard'                          => 'Y Y - - - -', // pet_view_settings
		'POST /kpi-job'                               => 'Y Y - - - -', // pet_manage_settings
		'GET /kpis/{id}'                              => 'Y Y - - - -', // pet_view_settings
		'POST /kpis/{id}/versions'                    => 'Y Y - - - -', // pet_manage_settings
		'GET /kpis/{id}/results'                      => 'Y Y - - - -', // pet_view_settings
		'GET /kpis/{id}/explanation'                  => 'Y Y - - - -', // pet_view_settings
		'POST /jobs/{id}/retry'                       => 'Y Y - - - -', // pet_manage_settings
		'GET /projects'                               => 'Y Y Y Y Y -', // pet_view_delivery
		'POST /projects'                              => 'Y Y - - - -', // pet_manage_delivery
		'GET /projects/{id}'                          => 'Y Y Y Y Y -', // pet_view_delivery
		'POST /projects/{id}/status'                  => 'Y Y - - - -', // pet_manage_delivery
		'POST /projects/{id}/change-orders'           => 'Y Y - - - -', // pet_manage_delivery
		'GET /projects/{id}/burnup'                   => 'Y Y Y Y Y -', // pet_view_delivery
		'GET /projects/{id}/tickets'                  => 'Y Y Y Y Y -', // pet_view_delivery
		'POST /projects/{id}/milestones'              => 'Y Y - - - -', // pet_manage_delivery
		'POST /projects/{id}/milestones/{milestone}/complete' => 'Y Y - - - -', // pet_manage_delivery
		'POST /projects/{id}/tasks'                   => 'Y Y - - - -', // pet_manage_delivery
		'POST /projects/{id}/tasks/{task}/assign'     => 'Y Y - - - -', // pet_manage_delivery
		'POST /projects/{id}/tasks/{task}/status'     => 'Y Y Y Y Y -', // pet_view_delivery
		'GET /timesheet'                              => 'Y Y Y Y Y -', // pet_view_delivery
		'PUT /timesheets/{employee}/{week}'           => 'Y Y Y Y Y -', // pet_view_delivery (one's own week)
		'POST /timesheets/{employee}/{week}/submit'   => 'Y Y Y Y Y -', // pet_view_delivery (one's own week)
		'POST /time-entries'                          => 'Y Y Y Y Y -', // pet_view_delivery
		'GET /time-entries/{id}'                      => 'Y Y Y Y Y -', // pet_view_delivery
		'PATCH /time-entries/{id}'                    => 'Y Y Y Y Y -', // pet_view_delivery (one's own drafts)
		'POST /time-entries/{id}/submit'              => 'Y Y Y Y Y -', // pet_view_delivery
		'POST /time-entries/{id}/discard'             => 'Y Y Y Y Y -', // pet_view_delivery
		'POST /time-entries/{id}/approve'             => 'Y Y - - - -', // pet_manage_delivery
		'POST /time-entries/{id}/send-back'           => 'Y Y - - - -', // pet_manage_delivery
		'POST /time-entries/{id}/adjustments'         => 'Y Y - - - -', // pet_manage_delivery
		'GET /approvals'                              => 'Y Y - - - -', // pet_manage_delivery
		'GET /approvals/weeks'                        => 'Y Y - - - -', // pet_manage_delivery
		'POST /approvals/weeks/approve'               => 'Y Y - - - -', // pet_manage_delivery
		'POST /approvals/weeks/send-back'             => 'Y Y - - - -', // pet_manage_delivery
		'GET /time-lock'                              => 'Y Y Y Y Y -', // pet_view_delivery
		'POST /time-lock'                             => 'Y Y - - - -', // pet_manage_delivery
		'GET /timer'                                  => 'Y Y Y Y Y -', // pet_view_delivery
		'POST /timer/start'                           => 'Y Y Y Y Y -', // pet_view_delivery
		'POST /timer/stop'                            => 'Y Y Y Y Y -', // pet_view_delivery
		'POST /timer/discard'                         => 'Y Y Y Y Y -', // pet_view_delivery
		'POST /capacities'                            => 'Y Y - - - -', // pet_manage_delivery
		'GET /employees/{id}/capacity'                => 'Y Y - - - -', // pet_manage_delivery
		'POST /allocations'                           => 'Y Y - - - -', // pet_manage_delivery
		'POST /allocations/{id}/release'              => 'Y Y - - - -', // pet_manage_delivery
		'GET /projects/{id}/allocations'              => 'Y Y Y Y Y -', // pet_view_delivery
		'GET /resource-plan'                          => 'Y Y - - - -', // pet_manage_delivery
		'GET /tickets'                                => 'Y Y - Y - -', // pet_view_support
		'POST /tickets'                               => 'Y Y - Y - -', // pet_manage_support
		'GET /tickets/{id}'                           => 'Y Y - Y - -', // pet_view_support
		'POST /tickets/{id}/replies'                  => 'Y Y - Y - -', // pet_manage_support
		'POST /tickets/{id}/status'                   => 'Y Y - Y - -', // pet_manage_support
		'POST /tickets/{id}/priority'                 => 'Y Y - Y - -', // pet_manage_support
		'POST /tickets/{id}/assign'                   => 'Y Y - Y - -', // pet_manage_support
		'POST /tickets/{id}/resolve'                  => 'Y Y - Y - -', // pet_manage_support
		'POST /tickets/{id}/close'                    => 'Y Y - Y - -', // pet_manage_support
		'POST /tickets/{id}/reopen'                   => 'Y Y - Y - -', // pet_manage_support
		'POST /tickets/{id}/sla'                      => 'Y Y - Y - -', // pet_manage_support
		'POST /tickets/{id}/articles'                 => 'Y Y - Y - -', // pet_manage_support
		'GET /sla-definitions'                        => 'Y Y - Y - -', // pet_view_support
		'POST /sla-definitions'                       => 'Y Y - Y - -', // pet_manage_support
		'GET /sla-definitions/{id}'                   => 'Y Y - Y - -', // pet_view_support
		'POST /sla-definitions/{id}/versions'         => 'Y Y - Y - -', // pet_manage_support
		'GET /employees'                              => 'Y Y Y Y Y -', // pet_view_people
		'POST /employees'                             => 'Y Y - - - -', // pet_manage_people
		'GET /employees/{id}'                         => 'Y Y Y Y Y -', // pet_view_people
		'POST /employees/{id}/deactivate'             => 'Y Y - - - -', // pet_manage_people
		'POST /employees/{id}/reactivate'             => 'Y Y - - - -', // pet_manage_people
		'POST /employees/{id}/rates'                  => 'Y Y - - - -', // pet_manage_people
		'POST /employees/{id}/user'                   => 'Y Y - - - -', // pet_manage_people
		'GET /users'                                  => 'Y Y - - - -', // pet_manage_people (WordPress users, the linked-login picker)
		'GET /teams'                                  => 'Y Y Y Y Y -', // pet_view_people
		'POST /teams'                                 => 'Y Y - - - -', // pet_manage_people
		'GET /teams/{id}'                             => 'Y Y Y Y Y -', // pet_view_people
		'POST /teams/{id}/move'                       => 'Y Y - - - -', // pet_manage_people
		'POST /teams/{id}/archive'                    => 'Y Y - - - -', // pet_manage_people
		'POST /teams/{id}/members'                    => 'Y Y - - - -', // pet_manage_people
		'DELETE /teams/{id}/members/{sub}'            => 'Y Y - - - -', // pet_manage_people
		'GET /customers'                              => 'Y Y Y Y Y -', // pet_view_people
		'POST /customers'                             => 'Y Y - - - -', // pet_manage_people
		'GET /customers/{id}'                         => 'Y Y Y Y Y -', // pet_view_people
		'POST /customers/{id}/archive'                => 'Y Y - - - -', // pet_manage_people
		'GET /customers/{id}/contacts'                => 'Y Y Y Y Y -', // pet_view_people
		'POST /customers/{id}/contacts'               => 'Y Y - - - -', // pet_manage_people
		'GET /org-structure'                          => 'Y Y Y Y Y -', // pet_view_people
		'POST /org-structure'                         => 'Y Y - - - -', // pet_manage_people
		'GET /articles'                               => 'Y Y Y Y Y -', // pet_view_knowledge
		'POST /articles'                              => 'Y Y - Y - -', // pet_manage_knowledge
		'GET /articles/categories'                    => 'Y Y Y Y Y -', // pet_view_knowledge
		'GET /articles/search'                        => 'Y Y Y Y Y -', // pet_view_knowledge
		'GET /articles/{id}'                          => 'Y Y Y Y Y -', // pet_view_knowledge
		'POST /articles/{id}/versions'                => 'Y Y - Y - -', // pet_manage_knowledge
		'POST /articles/{id}/restore'                 => 'Y Y - Y - -', // pet_manage_knowledge
		'POST /articles/{id}/archive'                 => 'Y Y - Y - -', // pet_manage_knowledge
		'POST /articles/{id}/comments'                => 'Y Y Y Y Y -', // pet_view_knowledge
		'POST /articles/{id}/comments/{comment}/hide' => 'Y Y - Y - -', // pet_manage_knowledge
		'POST /articles/{id}/tickets'                 => 'Y Y - Y - -', // pet_manage_support (ticket work, as the ticket page's link action)
		'GET /lead-schema'                            => 'Y Y Y - - -', // pet_view_sales
		'POST /lead-schema'                           => 'Y Y Y - - -', // pet_manage_sales
		'GET /lead-schema/{number}'                   => 'Y Y Y - - -', // pet_view_sales
		'GET /leads'                                  => 'Y Y Y - - -', // pet_view_sales
		'POST /leads'                                 => 'Y Y Y - - -', // pet_manage_sales
		'GET /lead-sources'                           => 'Y Y Y - - -', // pet_view_sales
		'GET /leads/{id}'                             => 'Y Y Y - - -', // pet_view_sales
		'PATCH /leads/{id}'                           => 'Y Y Y - - -', // pet_manage_sales
		'POST /leads/{id}/contact'                    => 'Y Y Y - - -', // pet_manage_sales
		'POST /leads/{id}/qualify'                    => 'Y Y Y - - -', // pet_manage_sales
		'POST /leads/{id}/disqualify'                 => 'Y Y Y - - -', // pet_manage_sales
		'POST /leads/{id}/archive'                    => 'Y Y Y - - -', // pet_manage_sales
		'GET /opportunities'                          => 'Y Y Y - - -', // pet_view_sales
		'POST /opportunities'                         => 'Y Y Y - - -', // pet_manage_sales
		'GET /opportunities/{id}'                     => 'Y Y Y - - -', // pet_view_sales
		'POST /opportunities/{id}/classify'           => 'Y Y Y - - -', // pet_manage_sales
		'POST /opportunities/{id}/lose'               => 'Y Y Y - - -', // pet_manage_sales
		'GET /pipeline'                               => 'Y Y Y - - -', // pet_view_sales
		'GET /quotes'                                 => 'Y Y Y - - -', // pet_view_sales
		'POST /quotes'                                => 'Y Y Y - - -', // pet_manage_sales
		'POST /quotes/expire'                         => 'Y Y - - - -', // pet_manage_settings (the expiry job's sweep, run now)
		'POST /quotes/preview'                        => 'Y Y Y - - -', // pet_manage_sales
		'POST /quotes/{id}/preview'                   => 'Y Y Y - - -', // pet_manage_sales
		'GET /quotes/{id}'                            => 'Y Y Y - - -', // pet_view_sales
		'PUT /quotes/{id}/draft'                      => 'Y Y Y - - -', // pet_manage_sales
		'POST /quotes/{id}/versions'                  => 'Y Y Y - - -', // pet_manage_sales
		'GET /quotes/{id}/versions/latest'            => 'Y Y Y - - -', // pet_view_sales
		'GET /quotes/{id}/versions/{number}'          => 'Y Y Y - - -', // pet_view_sales
		'GET /quotes/{id}/diff'                       => 'Y Y Y - - -', // pet_view_sales
		'POST /quotes/{id}/send'                      => 'Y Y Y - - -', // pet_manage_sales
		'POST /quotes/{id}/accept'                    => 'Y Y Y - - -', // pet_manage_sales
		'POST /quotes/{id}/reject'                    => 'Y Y Y - - -', // pet_manage_sales
		'GET /sales/{id}'                             => 'Y Y Y - - -', // pet_view_sales
		'GET /accounting/connection'                  => 'Y Y - - - -', // pet_manage_settings
		'GET /accounting/pushes'                      => 'Y Y - - - -', // pet_manage_settings
		'GET /accounting/totals'                      => 'Y Y - - - -', // pet_manage_settings
		'POST /accounting/pushes/{id}/repush'         => 'Y Y - - - -', // pet_manage_settings
	),
);
