<?php
// Money follows the site locale's separators: Table::money() formats the engine's decimal
// `amount` with $wp_locale's thousands separator AND decimal point (as number_format_i18n()
// does), by string work on the decimal text, keeping the currency's minor digits (JPY 0,
// EUR 2, KWD 3) and amounts too large for a float.

use PetWp\Tables\Table;

if (!class_exists(Table::class)) {
    require_once WP_PLUGIN_DIR . '/' . dirname(plugin_basename(PET_PLUGIN_FILE)) . '/includes/tables/class-table.php';
}

global $wp_locale;
$saved = $wp_locale->number_format;
$money = static fn (string $amount, string $currency): array => ['amount' => $amount, 'currency' => $currency, 'formatted' => "$currency $amount"];

// English separators (the default locale).
$wp_locale->number_format = ['thousands_sep' => ',', 'decimal_point' => '.'];
foreach ([
    ['1234.50', 'EUR', '1,234.50 EUR'],
    ['1235', 'JPY', '1,235 JPY'],
    ['1200.500', 'KWD', '1,200.500 KWD'],
    ['-0.05', 'EUR', '-0.05 EUR'],
    ['0', 'JPY', '0 JPY'],
] as [$amount, $cur, $want]) {
    $got = Table::money($money($amount, $cur));
    check("en: $amount $cur is $want", $want === $got, $got);
}

// German separators: "." between thousands, "," before the minor digits.
$wp_locale->number_format = ['thousands_sep' => '.', 'decimal_point' => ','];
foreach ([
    ['1234.50', 'EUR', '1.234,50 EUR'],
    ['1500000', 'JPY', '1.500.000 JPY'],
    ['1200.500', 'KWD', '1.200,500 KWD'],
    ['-1234567.89', 'EUR', '-1.234.567,89 EUR'],
    ['123456789012345678901.23', 'EUR', '123.456.789.012.345.678.901,23 EUR'],
] as [$amount, $cur, $want]) {
    $got = Table::money($money($amount, $cur));
    check("de: $amount $cur is $want", $want === $got, $got);
}

// French-style: a space between thousands, a comma before the minor digits; a separator
// with regex or replacement metacharacters is taken literally.
$wp_locale->number_format = ['thousands_sep' => ' ', 'decimal_point' => ','];
$got = Table::money($money('98765.432', 'KWD'));
check('fr: 98765.432 KWD is 98 765,432 KWD', '98 765,432 KWD' === $got, $got);
$wp_locale->number_format = ['thousands_sep' => '$1\\', 'decimal_point' => '.'];
$got = Table::money($money('1234.5', 'EUR'));
check('a separator like "$1\\" is inserted as is', '1$1\\234.5 EUR' === $got, $got);

// Not a decimal amount: the engine's formatted text; no money: a dash.
$got = Table::money(['amount' => 'n/a', 'currency' => 'EUR', 'formatted' => 'EUR ?']);
check('an amount that is not a decimal falls back to the formatted text', 'EUR ?' === $got, $got);
check('no money is a dash', '—' === Table::money(null));

$wp_locale->number_format = $saved;
