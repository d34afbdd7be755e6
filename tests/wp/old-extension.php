<?php
/**
 * Stands in for a PET extension build older than the plugin, for the tests/wp cases named
 * "*-oldext-*" (run without the real extension, with this file as auto_prepend_file): such a
 * build has Pet\Engine (with shippedMigration) but not the per-module classes Pet\Identity
 * and Pet\Knowledge that the plugin now calls.
 */

declare(strict_types=1);

namespace Pet;

final class Engine
{
    public function __construct(array $settings) {}

    public static function shippedMigration(): string
    {
        return '0001_old.sql';
    }
}

final class Sales
{
    public function __construct(array $settings) {}
}

final class Helpdesk
{
    public function __construct(array $settings) {}
}
