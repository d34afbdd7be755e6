<?php
/**
 * IDE stubs for `Pet\Helpdesk` (Tickets, SLA definitions and the knowledge base (issue: helpdesk and knowledgebase)).
 * Same conventions as pet.stub.php (ids, dates, money, $context, lists, exceptions).
 *
 * @phpcs:ignoreFile
 */

namespace Pet;

final class Helpdesk
{
    /** @param array $settings the same keys as Engine::__construct; shares its connection pool */
    public function __construct(array $settings) {}
}
