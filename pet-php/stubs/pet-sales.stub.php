<?php
/**
 * IDE stubs for `Pet\Sales` (Leads, lead schemas, opportunities, quotes and sales (issue: commercial pipeline)).
 * Same conventions as pet.stub.php (ids, dates, money, $context, lists, exceptions).
 *
 * @phpcs:ignoreFile
 */

namespace Pet;

final class Sales
{
    /** @param array $settings the same keys as Engine::__construct; shares its connection pool */
    public function __construct(array $settings) {}
}
