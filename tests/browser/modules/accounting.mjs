// Browser test of the QuickBooks screen (headless Debian Chromium, playwright-core) against the
// QuickBooks Online stand-in (tests/qbo-standin/standin.py, started here on a free port as the
// cargo and WordPress tests start it): save the credentials, Connect — the browser goes to the
// stand-in's authorisation page and comes back connected —, approve billable time, see it wait
// for its employee's mapping, map the employee, "Push and reconcile now" and see exactly one
// TimeActivity arrive, a bookkeeper's edit listed as mismatched, one click on "Push again"
// and the activity updated in place; then Disconnect. Screenshots go to $PET_ARTIFACTS (accounting-*).
//
// Env: PET_E2E_URL, PET_E2E_USER, PET_E2E_PASSWORD, PET_ARTIFACTS, PET_CHROMIUM.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startSuite, expect } from '../lib/harness.mjs';

const { stamp, page, step, screenshot, expectNoErrors, admin, post, submit, text, login, finish } = await startSuite({
  name: 'accounting',
  phpError: /Fatal error|There has been a critical error|Warning:|Notice:/i,
});
const note = `Ledger work ${stamp}`;

// ---- the stand-in ------------------------------------------------------------------------------
const script = fileURLToPath(new URL('../../qbo-standin/standin.py', import.meta.url));
const standin = spawn('python3', [script, '0'], { stdio: ['ignore', 'pipe', 'ignore'] });
const port = await new Promise((resolve, reject) => {
  createInterface({ input: standin.stdout }).once('line', (l) => resolve(Number(l.trim())));
  standin.once('error', reject);
});
const qbo = `http://127.0.0.1:${port}`;
const state = async () => (await fetch(`${qbo}/_control/state`)).json();
const control = async (what, body) => fetch(`${qbo}/_control/${what}`, {
  method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
});
/** Our time activities (the note carries the stamp), not deleted. */
const activities = async () => Object.values((await state()).records.TimeActivity)
  .filter((r) => !r._deleted && String(r.Description || '').includes(stamp));

/** A pet/v1 REST call as the logged-in admin (cookie + nonce). */
async function rest(path, body) {
  return page.evaluate(async ({ path, body }) => {
    const nonce = await (await fetch('/wp-admin/admin-ajax.php?action=rest-nonce')).text();
    const r = await fetch(`/wp-json/pet/v1${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-WP-Nonce': nonce },
      body: JSON.stringify(body),
    });
    return { status: r.status, body: await r.json() };
  }, { path, body });
}

let employee = '';

await step('log into wp-admin', login);

await step('save the credentials and connect through the authorisation page', async () => {
  await admin('pet-quickbooks');
  const form = page.locator('#pet-qbo-connection');
  await form.locator('[name=environment]').selectOption('custom');
  await form.locator('[name=client_id]').fill('pet-client');
  await form.locator('[name=client_secret]').fill('pet-secret');
  await form.locator('[name=api_base]').fill(qbo);
  await form.locator('[name=auth_url]').fill(`${qbo}/connect/oauth2`);
  await form.locator('[name=token_url]').fill(`${qbo}/oauth2/v1/tokens/bearer`);
  await submit(form);
  // Connect: to the stand-in's authorisation page, which redirects back to this screen.
  await Promise.all([
    page.waitForURL(/page=pet-quickbooks/),
    page.locator('#pet-qbo-connect [type=submit]').click(),
  ]);
  await page.locator('.notice-success', { hasText: 'QuickBooks connected.' }).waitFor();
  await expectNoErrors();
  expect((await text()).includes('9130350000000001'), 'the screen does not show the connected company');
  await screenshot('connected');
});

await step('approve billable time: it waits for its employee\'s mapping', async () => {
  const customer = await rest('/customers', { name: `Ledger Ltd ${stamp}` });
  expect(customer.status === 201, `customer: ${JSON.stringify(customer)}`);
  const project = await rest('/projects', { name: `Books ${stamp}`, customer_id: customer.body.id, labour: [{ role: 'Developer', minutes: 6000 }] });
  expect(project.status === 201, `project: ${JSON.stringify(project)}`);
  await rest(`/projects/${project.body.id}/status`, { status: 'active' });
  const entry = await rest('/time-entries', { project_id: project.body.id, role: 'Developer', work_date: '2026-03-02', minutes: 95, note });
  expect(entry.status === 201, `time entry: ${JSON.stringify(entry)}`);
  employee = entry.body.employee_id;
  expect((await rest(`/time-entries/${entry.body.id}/submit`, {})).status === 200, 'not submitted');
  expect((await rest(`/time-entries/${entry.body.id}/approve`, {})).status === 200, 'not approved');
  for (let i = 0; i < 10; i++) {
    await admin('pet-quickbooks');
    await submit(page.locator('#pet-qbo-run'));
    await admin('pet-quickbooks', '&status=queued');
    if ((await text()).includes('Waiting for a mapping')) break;
  }
  expect((await text()).includes('Waiting for a mapping'), 'the waiting time push does not say why');
  expect((await activities()).length === 0, 'time was pushed without a mapping');
  await screenshot('waiting');
});

await step('map the employee, push and reconcile: one TimeActivity arrives', async () => {
  await admin('pet-quickbooks');
  const form = page.locator('#pet-qbo-mapping');
  await form.locator('[name=items]').fill('role:Developer = 7');
  await form.locator('[name=employees]').fill(`${employee} = employee:55`);
  await submit(form);
  for (let i = 0; i < 10 && (await activities()).length === 0; i++) {
    await submit(page.locator('#pet-qbo-run'));
  }
  const ta = await activities();
  expect(ta.length === 1, `${ta.length} time activities`);
  expect(ta[0].EmployeeRef.value === '55' && ta[0].Hours === 1 && ta[0].Minutes === 35, JSON.stringify(ta[0]));
  expect((await text()).includes('Reconciled:'), 'no run report');
  await screenshot('pushed');
});

await step('a bookkeeper\'s edit is mismatched; Push again updates it in place', async () => {
  const [ta] = await activities();
  await control('edit', { entity: 'TimeActivity', id: ta.Id, fields: { Minutes: 5 } });
  await admin('pet-quickbooks');
  await submit(page.locator('#pet-qbo-run'));
  await admin('pet-quickbooks', '&show=mismatched');
  const row = page.locator('table.pet-qbo-pushes tbody tr', { hasText: 'minutes: PET 95, QuickBooks 65' });
  expect(await row.count() === 1, 'the mismatch is not listed with its field');
  await screenshot('mismatched');
  await post(row.locator('form'));
  await expectNoErrors();
  await page.locator('.notice-success').first().waitFor();
  await admin('pet-quickbooks');
  await submit(page.locator('#pet-qbo-run'));
  const after = await activities();
  expect(after.length === 1 && after[0].Id === ta.Id && after[0].Minutes === 35, JSON.stringify(after));
  await admin('pet-quickbooks', '&show=mismatched');
  expect(!(await text()).includes('minutes: PET 95, QuickBooks 65'), 'still mismatched after the re-push');
  await screenshot('repaired');
});

await step('disconnect (the later suites find no QuickBooks connection)', async () => {
  await admin('pet-quickbooks');
  await submit(page.locator('#pet-qbo-disconnect'));
  expect((await text()).includes('Not connected'), 'still connected');
});

standin.kill();
await finish();
