// End-to-end test of the PET wp-admin screens in headless Debian Chromium (playwright-core):
// log in, create an employee and a team, add the employee to the team, and find the three facts
// on the Activity screen. Screenshots of every step go to $PET_ARTIFACTS (kept by scripts/test).
//
// Env: PET_E2E_URL (http://127.0.0.1:8089), PET_E2E_USER, PET_E2E_PASSWORD, PET_ARTIFACTS,
//      PET_CHROMIUM (/usr/bin/chromium).
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const base = (process.env.PET_E2E_URL || 'http://127.0.0.1:8089').replace(/\/$/, '');
const user = process.env.PET_E2E_USER || 'admin';
const password = process.env.PET_E2E_PASSWORD || '';
const artifacts = process.env.PET_ARTIFACTS || '.pet/artifacts';
const executablePath = process.env.PET_CHROMIUM || '/usr/bin/chromium';
mkdirSync(artifacts, { recursive: true });

const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
const employeeName = `Edsger Dijkstra ${stamp}`;
const employeeEmail = `edsger.${stamp}@example.com`;
const teamName = `Research ${stamp}`;

let passed = 0;
let failed = 0;
let broken = false; // a failed step makes the later ones meaningless
let shot = 0;

const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
const page = await context.newPage();
page.setDefaultTimeout(20000);
const pageErrors = [];
page.on('pageerror', (e) => pageErrors.push(String(e)));

async function screenshot(name) {
  shot += 1;
  const file = join(artifacts, `${String(shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true }).catch(() => {});
  return file;
}

async function step(name, fn) {
  if (broken) {
    failed += 1;
    console.log(`not ok - ${name} (not run: an earlier step failed)`);
    return;
  }
  try {
    await fn();
    passed += 1;
    console.log(`ok - ${name}`);
  } catch (e) {
    failed += 1;
    broken = true;
    const file = await screenshot(`FAILED-${name.replace(/\W+/g, '-').toLowerCase()}`);
    console.log(`not ok - ${name}\n    ${String(e && e.message ? e.message : e).split('\n').join('\n    ')}\n    screenshot: ${file}`);
  }
}

function expect(cond, message) {
  if (!cond) throw new Error(message);
}

/** The page must not show a PHP fatal or a PET error notice. */
async function expectNoErrors() {
  const body = await page.locator('body').innerText();
  expect(!/Fatal error|There has been a critical error/i.test(body), `PHP error on ${page.url()}`);
  const errors = await page.locator('.notice-error').allInnerTexts();
  expect(errors.length === 0, `error notice on ${page.url()}: ${errors.join(' | ')}`);
}

async function admin(slug, query = '') {
  await page.goto(`${base}/wp-admin/admin.php?page=${slug}${query}`);
  await expectNoErrors();
}

await step('log into wp-admin', async () => {
  await page.goto(`${base}/wp-login.php`);
  await page.fill('#user_login', user);
  await page.fill('#user_pass', password);
  await Promise.all([page.waitForURL(/\/wp-admin\//), page.click('#wp-submit')]);
  await page.locator('#adminmenu').waitFor();
  expect(await page.locator('#toplevel_page_pet-employees').count() === 1, 'no PET menu in wp-admin');
  await screenshot('dashboard');
});

await step('create an employee', async () => {
  await admin('pet-employees');
  const form = page.locator('#pet-create-employee');
  await form.locator('[name=name]').fill(employeeName);
  await form.locator('[name=email]').fill(employeeEmail);
  await form.locator('[name=cost_amount]').fill('55');
  await form.locator('[name=bill_amount]').fill('110.50');
  await Promise.all([page.waitForLoadState('load'), form.locator('[type=submit]').click()]);
  await page.waitForURL(/page=pet-employees/);
  await expectNoErrors();
  await page.locator('.notice-success', { hasText: employeeName }).waitFor();
  const row = page.locator('table.wp-list-table tbody tr', { hasText: employeeName });
  expect(await row.count() === 1, 'the new employee is not listed');
  expect((await row.innerText()).includes('110.50'), 'the bill rate is not shown in the list');
  await screenshot('employee-created');
});

await step('create a team', async () => {
  await admin('pet-teams');
  const form = page.locator('#pet-create-team');
  await form.locator('[name=name]').fill(teamName);
  await Promise.all([page.waitForLoadState('load'), form.locator('[type=submit]').click()]);
  await page.waitForURL(/page=pet-teams/);
  await expectNoErrors();
  await page.locator('.notice-success', { hasText: teamName }).waitFor();
  expect(await page.locator('table.wp-list-table tbody tr', { hasText: teamName }).count() === 1, 'the new team is not listed');
  await screenshot('team-created');
});

await step('add the employee to the team', async () => {
  await page.locator('table.wp-list-table tbody tr', { hasText: teamName }).locator('a.row-title').click();
  await page.waitForURL(/team=/);
  await expectNoErrors();
  const form = page.locator('#pet-add-member');
  await form.locator('[name=employee_id]').selectOption({ label: employeeName });
  await form.locator('[name=role]').selectOption('lead');
  await Promise.all([page.waitForLoadState('load'), form.locator('[type=submit]').click()]);
  await page.waitForURL(/team=/);
  await expectNoErrors();
  await page.locator('.notice-success').waitFor();
  const row = page.locator('table.wp-list-table tbody tr', { hasText: employeeName });
  expect(await row.count() === 1, 'the employee is not listed as a member');
  expect((await row.innerText()).includes('Lead'), 'the member role is not shown');
  await screenshot('member-added');
});

// The feed is a projection: when it lags, the Jobs screen's "Run due jobs now" catches it up.
async function activityRows() {
  await admin('pet-activity');
  return page.locator('table.wp-list-table tbody tr');
}
async function findFacts() {
  const rows = await activityRows();
  const texts = await rows.allInnerTexts();
  return {
    employee: texts.some((t) => t.includes(employeeName) && /employee/i.test(t)),
    team: texts.some((t) => t.includes(teamName) && /team/i.test(t) && !t.includes(employeeName)),
    member: texts.some((t) => t.includes(employeeName) && t.includes(teamName)),
    texts,
  };
}

await step('see the three facts on the Activity screen', async () => {
  let facts = await findFacts();
  for (let i = 0; i < 5 && !(facts.employee && facts.team && facts.member); i += 1) {
    await admin('pet-jobs');
    await Promise.all([page.waitForLoadState('load'), page.locator('#pet-run-jobs [type=submit]').click()]);
    await page.waitForTimeout(500);
    facts = await findFacts();
  }
  await screenshot('activity');
  const feed = facts.texts.slice(0, 8).join('\n      ');
  expect(facts.employee, `no "employee created" line for ${employeeName}; feed:\n      ${feed}`);
  expect(facts.team, `no "team created" line for ${teamName}; feed:\n      ${feed}`);
  expect(facts.member, `no "member added" line naming ${employeeName} and ${teamName}; feed:\n      ${feed}`);
});

await step('filter the Activity screen by the team', async () => {
  const link = page.locator('table.wp-list-table tbody tr', { hasText: teamName })
    .filter({ hasNotText: employeeName }).first().locator('td.column-context a');
  await Promise.all([page.waitForLoadState('load'), link.click()]);
  await expectNoErrors();
  const texts = await page.locator('table.wp-list-table tbody tr').allInnerTexts();
  expect(texts.length >= 1, 'no activity for the team');
  expect(texts.every((t) => t.includes(teamName)), `a row of another context is shown: ${texts.join(' | ')}`);
  await screenshot('activity-filtered');
});

await step('no JavaScript errors on the pages', async () => {
  expect(pageErrors.length === 0, pageErrors.join('\n'));
});

await browser.close();
console.log(`\n${passed} passed, ${failed} failed (screenshots in ${artifacts})`);
process.exit(failed === 0 ? 0 : 1);
