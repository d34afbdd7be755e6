// Browser test of delivery's time-keeping (headless Debian Chromium, playwright-core), the
// flow issue 10 names: a sale (a quote accepted) makes a project → the project is activated
// → a week is filled on My timesheet with the keyboard (live totals) and submitted → a
// manager approves the employee-week → the project page shows the 80 % variance → a change
// order → the period is locked → a correction is booked as an adjustment in the open period;
// and the ticket-free parts of the timesheet (copy last week's rows, an invalid cell marked).
// The wp-admin user is both the employee filling the week and the manager (one login).
// Screenshots go to $PET_ARTIFACTS (delivery-*).
//
// Stable hooks used on the project page (another branch reworks its layout): the status
// action buttons ("Set active"), #pet-project-variance (the variance table), #pet-change-order
// (the change-order form), the project link pattern admin.php?page=pet-projects&id=<id>.
//
// Env: PET_E2E_URL, PET_E2E_USER, PET_E2E_PASSWORD, PET_ARTIFACTS, PET_CHROMIUM.
import { startSuite, expect } from '../lib/harness.mjs';

const { stamp, page, step, screenshot, expectNoErrors, admin, submit, login, finish } = await startSuite({ name: 'delivery' });
const company = `Initech ${stamp}`;
const title = `Migration ${stamp}`;

/** Y-m-d of a Date (UTC, as the test site runs). */
const ymd = (d) => d.toISOString().slice(0, 10);
const today = new Date();
const dow = (today.getUTCDay() + 6) % 7; // Monday 0
const thisMonday = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - dow));
const lastMonday = new Date(thisMonday.getTime() - 7 * 86400000);
const lastSunday = new Date(thisMonday.getTime() - 86400000);
const day = (i) => ymd(new Date(lastMonday.getTime() + i * 86400000));

let projectId = '';
let weekUrl = '';

/** Fills every required custom lead field the site's lead schema may have. */
async function fillRequiredCustom(form) {
  const inputs = form.locator('[name^="custom["][required]');
  const n = await inputs.count();
  for (let i = 0; i < n; i += 1) {
    const el = inputs.nth(i);
    const tag = await el.evaluate((e) => e.tagName.toLowerCase());
    if (tag === 'select') {
      const values = await el.locator('option').evaluateAll((os) => os.map((o) => o.value).filter((v) => v !== ''));
      await el.selectOption(values[0]);
    } else if ((await el.getAttribute('type')) === 'checkbox') {
      await el.check();
    } else {
      await el.fill((await el.getAttribute('type')) === 'number' ? '1' : 'x');
    }
  }
}

await step('log into wp-admin', login);

await step('a sale: lead, opportunity, a quote of 10 hours of labour, sent and accepted', async () => {
  await admin('pet-leads');
  const lead = page.locator('#pet-create-lead');
  await lead.locator('[name=customer_name]').fill(company);
  await lead.locator('[name=source]').fill('referral');
  await fillRequiredCustom(lead);
  await submit(lead);
  await page.waitForURL(/lead=/);
  const contact = page.locator('#pet-contact-lead');
  await contact.locator('[name=note]').fill('Called');
  await submit(contact);
  const qualify = page.locator('#pet-qualify-lead');
  await qualify.locator('[name=need]').fill('Data migration');
  await qualify.locator('[name=budget]').fill('5000');
  await submit(qualify);
  const opp = page.locator('#pet-create-opportunity');
  await opp.locator('[name=title]').fill(title);
  await opp.locator('[name=expected_value]').fill('1000');
  await opp.locator('[name=expected_close]').fill('2030-06-30');
  await submit(opp);
  await page.waitForURL(/opportunity=/);
  const classify = page.locator('#pet-classify-opportunity');
  if (await classify.count()) {
    await classify.locator('[name=kind]').selectOption('new_business');
    await classify.locator('[name=size_band]').selectOption('small');
    await submit(classify);
  }
  await submit(page.locator('#pet-create-quote'));
  await page.waitForURL(/quote=/);
  await page.locator('#pet-group-0-title').fill('Migration');
  const row = page.locator('#pet-line-0-0');
  await row.locator('select[name$="[kind]"]').selectOption('labour');
  await row.locator('input[name$="[description]"]').fill('Migration work');
  await row.locator('input[name$="[quantity]"]').fill('600');
  await row.locator('input[name$="[unit_price]"]').fill('100');
  await row.locator('input[name$="[tax_rate]"]').fill('0');
  await submit(page.locator('#pet-quote-builder'));
  await submit(page.locator('#pet-send-quote'));
  const accept = page.locator('#pet-accept-quote');
  await accept.locator('[name=signed_by]').fill('Bill Lumbergh');
  await submit(accept);
  await page.locator('#pet-sale').waitFor();
  await screenshot('sale');
});

await step('the sale made a planned project; activate it', async () => {
  await admin('pet-projects', '&status=planned');
  const links = page.locator('a[href*="page=pet-projects"][href*="id="]');
  expect(await links.count() > 0, 'no planned project listed');
  const href = await links.first().getAttribute('href');
  projectId = new URL(href, page.url()).searchParams.get('id');
  await page.goto(new URL(href, page.url()).toString());
  await expectNoErrors();
  const variance = await page.locator('#pet-project-variance').innerText();
  expect(variance.includes('10:00'), `the project's sold time is not the sale's 10 hours: ${variance}`);
  await submit(page.locator('form', { has: page.getByRole('button', { name: /Set active/i }) }));
  await screenshot('project-active');
});

await step('fill last week on My timesheet with the keyboard: live totals, an invalid cell marked', async () => {
  await admin('pet-timesheet', `&week=${ymd(lastMonday)}&add=p:${projectId}:`);
  await page.locator('#pet-timesheet[data-pet-keyboard="ready"]').waitFor();
  const cell = (i) => page.locator(`input[name="cell[p:${projectId}:][${day(i)}]"]`);
  await cell(0).click();
  await page.keyboard.type('2:00');
  await page.keyboard.press('ArrowRight');
  expect(await page.evaluate(() => document.activeElement && document.activeElement.name) === `cell[p:${projectId}:][${day(1)}]`, 'ArrowRight at the end did not move to Tuesday');
  await page.keyboard.type('1.5');
  await page.keyboard.press('Tab');
  await page.keyboard.type('2,5');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.type('120');
  const week = await page.locator('#pet-week-total').innerText();
  expect(week.trim() === '8:00', `the week total as typed: ${week}`);
  const tue = await page.locator('tfoot .pet-day-total').nth(1).innerText();
  expect(tue.trim() === '1:30', `Tuesday's total: ${tue}`);
  await cell(4).fill('two');
  expect(await cell(4).getAttribute('aria-invalid') === 'true', 'an unreadable cell is not marked invalid');
  await cell(4).fill('');
  await screenshot('week-typed');
  await submit(page.locator('#pet-timesheet-form'));
  const total = await page.locator('#pet-week-total').innerText();
  expect(total.trim() === '8:00', `saved week total: ${total}`);
  await submit(page.locator('#pet-timesheet-submit'));
  expect((await page.locator('#pet-timesheet').innerText()).includes('submitted') || await page.locator('td.pet-cell[data-statuses~="submitted"]').count() === 4, 'the cells are not submitted');
  await screenshot('week-submitted');
});

await step('copy last week\'s rows into this week', async () => {
  await admin('pet-timesheet', `&week=${ymd(thisMonday)}`);
  await page.locator('#pet-copy-last-week').click();
  await page.waitForLoadState('load');
  await expectNoErrors();
  expect(await page.locator(`tr[data-row="p:${projectId}:"]`).count() === 1, 'last week\'s row is not copied');
});

await step('the manager approves the employee-week from the weekly queue', async () => {
  await admin('pet-approvals');
  const line = page.locator('#pet-approval-weeks tr[data-week]', { hasText: ymd(lastMonday) }).filter({ hasText: '8:00' });
  expect(await line.count() >= 1, 'the week is not in the approvals queue');
  weekUrl = new URL(await line.first().locator('a.pet-week-open').getAttribute('href'), page.url()).toString();
  const text = await line.first().innerText();
  expect(text.includes('8:00') && text.includes('4'), `the week line: ${text}`);
  await line.first().locator('input[name="week[]"]').check();
  await screenshot('approvals-weeks');
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('#pet-weeks-approve').click()]);
  await expectNoErrors();
  await page.locator('.notice-success').first().waitFor();
});

await step('the project page shows the 80 % variance', async () => {
  await admin('pet-projects', `&id=${projectId}`);
  const v = await page.locator('#pet-project-variance').innerText();
  expect(v.includes('8:00') && v.includes('80%'), `variance after approval: ${v}`);
  await screenshot('variance-80');
});

await step('a change order adds two hours: a new constraint version', async () => {
  const form = page.locator('#pet-change-order');
  await form.locator('[name=reason]').fill('Extra tables');
  await form.locator('[name=minutes]').fill('2:00');
  await submit(form);
  const v = await page.locator('#pet-project-variance').innerText();
  expect(v.includes('12:00'), `sold after the change order: ${v}`);
  expect((await page.locator('body').innerText()).includes('Extra tables'), 'the change order is not listed');
});

await step('lock last week', async () => {
  await admin('pet-approvals');
  const form = page.locator('#pet-lock-form');
  await form.locator('[name=through]').fill(ymd(lastSunday));
  await submit(form);
  expect((await page.locator('#pet-lock-state').innerText()).includes(ymd(lastSunday)), 'the lock is not shown');
});

await step('a correction is an adjustment booked in the open period', async () => {
  await page.goto(weekUrl);
  await expectNoErrors();
  const adjust = page.locator('form.pet-adjust').first();
  await adjust.locator('[name=minutes]').fill('-0:30');
  await adjust.locator('[name=reason]').fill('Overbooked');
  // booked today (the form's default), after the lock
  expect(await adjust.locator('[name=work_date]').inputValue() > ymd(lastSunday), 'the adjustment date is not in the open period');
  await submit(adjust);
  await admin('pet-projects', `&id=${projectId}`);
  const v = await page.locator('#pet-project-variance').innerText();
  expect(v.includes('7:30'), `delivered after the correction: ${v}`);
  await screenshot('corrected');
});

await finish();
