<?php
/**
 * IDE stubs for `Pet\Identity` (employees, teams, org structure, customers and contacts).
 * Same conventions as pet.stub.php (ids, dates, money, $context, lists, exceptions).
 *
 * @phpcs:ignoreFile
 */

namespace Pet;

final class Identity
{
    /** @param array $settings the same keys as Engine::__construct; shares its connection pool */
    public function __construct(array $settings) {}

    // ---- Employees ------------------------------------------------------------------

    /**
     * @param array{name:string,email:string,wp_user_id?:?int,
     *              cost_rate?:array{amount?:string,amount_minor?:int,currency:string,effective_from:string},
     *              bill_rate?:array{amount?:string,amount_minor?:int,currency:string,effective_from:string}} $input
     * @return array employee (see getEmployee)
     */
    public function createEmployee(array $input, array $context): array {}

    /** @return array employee */
    public function deactivateEmployee(string $employeeId, array $context): array {}

    /** @return array employee */
    public function reactivateEmployee(string $employeeId, array $context): array {}

    /**
     * @param array{kind:'cost'|'bill',amount?:string,amount_minor?:int,currency:string,effective_from:string} $input
     * @return array employee
     */
    public function changeEmployeeRate(string $employeeId, array $input, array $context): array {}

    /** Links (or with null unlinks) a WordPress user. @return array employee */
    public function linkEmployeeUser(string $employeeId, ?int $wpUserId, array $context): array {}

    /**
     * @return array{id:string,name:string,email:string,wp_user_id:?int,status:'active'|'inactive',
     *   actions:list<'deactivate'|'reactivate'|'change_rate'|'link_user'>,version:int,created_at:string,
     *   rates:list<array{kind:'cost'|'bill',amount_minor:int,currency:string,effective_from:string}>,
     *   current_cost_rate:?array,current_bill_rate:?array}
     */
    public function getEmployee(string $employeeId): array {}

    /** @return ?array employee linked to this WordPress user, or null */
    public function findEmployeeByUser(int $wpUserId): ?array {}

    /** @param array{search?:string,status?:'active'|'inactive',page?:int,per_page?:int} $query */
    public function listEmployees(array $query = []): array {}

    // ---- Teams ----------------------------------------------------------------------

    /** @param array{name:string,parent_id?:?string} $input @return array team */
    public function createTeam(array $input, array $context): array {}

    /** Moves a team under another parent (null = top level); cycles are refused. */
    public function moveTeam(string $teamId, ?string $parentId, array $context): array {}

    /** @return array team */
    public function archiveTeam(string $teamId, array $context): array {}

    /**
     * @return array{id:string,name:string,parent_id:?string,status:'active'|'archived',version:int,
     *   members:list<array{id:string,employee_id:string,employee_name:string,role:'member'|'lead',
     *   valid_from:string,valid_to:?string}>}
     */
    public function getTeam(string $teamId): array {}

    /**
     * Teams in hierarchy order, each with 'depth' (search: a part of the name).
     * @param array{status?:string,search?:string,page?:int,per_page?:int} $query
     */
    public function listTeams(array $query = []): array {}

    /** @param array{employee_id:string,role:'member'|'lead',valid_from:string,valid_to?:?string} $input @return array team */
    public function addTeamMember(string $teamId, array $input, array $context): array {}

    /** Ends a membership. @param array{valid_to?:string} $input @return array team */
    public function removeTeamMember(string $teamId, string $membershipId, array $input, array $context): array {}

    // ---- Org structure --------------------------------------------------------------

    /**
     * Snapshots the current teams and memberships as a new numbered version effective at
     * 'effective_at' (RFC 3339). A future date schedules it; the job runner publishes it then.
     * @param array{effective_at:string,note?:string} $input
     * @return array{actions:list<string>,id:string,number:int,status:'scheduled'|'published',effective_at:string,note:string}
     *         actions ['publish_due'] while scheduled (the job publishes it once due), [] once published
     */
    public function publishOrgStructure(array $input, array $context): array {}

    public function listOrgStructureVersions(array $query = []): array {}

    // ---- Customers ------------------------------------------------------------------

    /** @param array{name:string} $input @return array customer */
    public function createCustomer(array $input, array $context): array {}

    /** @return array customer */
    public function archiveCustomer(string $customerId, array $context): array {}

    /** @param array{name:string,email?:?string,phone?:?string} $input @return array customer */
    public function addContact(string $customerId, array $input, array $context): array {}

    /**
     * The customer with its contact count and its first 20 contacts, oldest first
     * (`listContacts` pages through all of them).
     * @return array{actions:list<string>,id:string,name:string,status:'active'|'archived',version:int,contact_count:int,contacts:list<array{id:string,name:string,email:?string,phone:?string}>}
     */
    public function getCustomer(string $customerId): array {}

    /**
     * A flat page of customers; each row carries its contact count and first 3 contacts.
     * @param array{search?:string,status?:string,page?:int,per_page?:int,after?:string,before?:string} $query
     */
    public function listCustomers(array $query = []): array {}

    /**
     * A customer's contacts, in the order they were added (searched: name or email,
     * newest first); a flat page like every list.
     * @param array{search?:string,page?:int,per_page?:int,after?:string,before?:string} $query
     * @return array{items:list<array{id:string,name:string,email:?string,phone:?string}>,total:int,total_exact:bool,per_page:int,next:?string,prev:?string}
     */
    public function listContacts(string $customerId, array $query = []): array {}

    // ---- Privacy requests -----------------------------------------------------------

    /**
     * The personal data PET holds about an e-mail address (WordPress's exporter): the
     * employee with it, the contacts with it and the ticket messages those contacts wrote
     * (fields ticket, date, message), up to 100 contacts and 100 messages per page.
     * @param array{email:string,page?:int} $query
     * @return array{items:list<array{group:'employee'|'contact'|'message',id:string,fields:array<string,mixed>}>,done:bool}
     */
    public function exportPersonalData(array $query): array {}

    /**
     * Erases the personal data of everyone with an e-mail address (WordPress's eraser) by
     * crypto-shredding: their data keys destroyed, state rows, feed lines and stored
     * results overwritten with "Erased person"; the messages a contact wrote (ticket
     * replies, mail received, its attachments, notifications quoting them) overwritten with
     * "(message erased)", with their counts; an identity event records each erasure.
     * Up to 100 contacts per call (call again while `done` is false).
     * @param array{email:string} $query
     * @return array{erased:list<array{subject_type:'employee'|'contact',id:string}>,legacy_plaintext_events:int,feed_lines:int,messages:int,mail_received:int,attachments:int,notifications:int,done:bool}
     */
    public function erasePersonalData(array $query, array $context): array {}

    // ---- Filter options -------------------------------------------------------------

    /**
     * The values each list can be filtered by (from the engine's enums).
     * @return array{employee_status:list<string>,team_status:list<string>,customer_status:list<string>,org_version_status:list<string>}
     */
    public function identityOptions(): array {}
}
