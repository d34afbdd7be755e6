// Browser test of the KPI screens (headless Debian Chromium, playwright-core): define a KPI,
// run the KPI job, see its tile and chart (with the table alternative) on the Dashboard, drill
// down into the explanation (parts adding up to the totals), publish version 2 and see both
// versions on the KPI's page; the WordPress Dashboard widget lists it. Screenshots go to
// $PET_ARTIFACTS (kpi-*).
//
// Env: PET_E2E_URL, PET_E2E_USER, PET_E2E_PASSWORD, PET_ARTIFACTS, PET_CHROMIUM.
import { startSuite, expect } from '../lib/harness.mjs';

const { stamp, page, step, screenshot, expectNoErrors, admin, submit, text, login, finish } = await startSuite({
  name: 'kpi',
  phpError: /Fatal error|There has been a critical error|Warning:|Notice:/i,
});
const tag = stamp.slice(-8);
const name = `Utilisation ${tag}`;
let kpiUrl = '';

await step('log into wp-admin', login);

await step('the Dashboard is the first PET screen', async () => {
  await admin('pet-dashboard');
  const first = await page.locator('#adminmenu .toplevel_page_pet-employees .wp-submenu a').first().getAttribute('href');
  expect(/page=pet-dashboard/.test(first || ''), `the first PET submenu entry is ${first}`);
});

await step('define a KPI and run the KPI job', async () => {
  await admin('pet-kpis');
  const form = page.locator('#pet-kpi-define');
  await form.locator('[name=name]').fill(name);
  await form.locator('[name=calculator]').selectOption('utilisation');
  await form.locator('[name=grain]').selectOption('month');
  await form.locator('[name=target]').fill('75');
  await submit(form);
  await page.waitForURL(/page=pet-kpis&id=/);
  kpiUrl = page.url();
  expect((await text('body')).includes(name), 'KPI page does not show its name');
  await admin('pet-kpis');
  await submit(page.locator('#pet-kpi-run'));
  await expectNoErrors();
  await screenshot('kpis');
});

await step('see the tile and the chart on the Dashboard', async () => {
  await admin('pet-dashboard');
  const tile = page.locator('.pet-kpi-tile', { hasText: name });
  expect(await tile.count() === 1, 'no tile for the KPI');
  expect((await tile.innerText()).includes('Target'), 'the tile does not show the target');
  const chart = page.locator('figure.pet-chart', { hasText: name });
  expect(await chart.locator('canvas').count() === 1, 'no chart canvas');
  await chart.locator('summary').click();
  expect(await chart.locator('table tbody tr').count() === 12, 'the table alternative does not list 12 periods');
  await screenshot('dashboard');
});

await step('drill down into the explanation', async () => {
  await admin('pet-dashboard');
  const tile = page.locator('.pet-kpi-tile', { hasText: name });
  await Promise.all([page.waitForNavigation(), tile.locator('.pet-kpi-value a').click()]);
  await expectNoErrors();
  const rows = page.locator('.pet-kpi-parts tbody tr');
  expect(await rows.count() >= 1, 'the explanation lists no facts');
  const num = (s) => Number(String(s).replace(/[^0-9-]/g, '') || 0);
  let n = 0;
  let d = 0;
  for (let i = 0; i < await rows.count(); i++) {
    n += num(await rows.nth(i).locator('td').nth(6).innerText());
    d += num(await rows.nth(i).locator('td').nth(7).innerText());
  }
  const foot = page.locator('.pet-kpi-parts tfoot td');
  expect(num(await foot.nth(0).innerText()) === n, 'numerator parts do not add up');
  expect(num(await foot.nth(1).innerText()) === d, 'denominator parts do not add up');
  await screenshot('explanation');
});

await step('publish version 2 and see both', async () => {
  await page.goto(kpiUrl);
  const form = page.locator('#pet-kpi-publish');
  await form.locator('[name=grain]').selectOption('week');
  await submit(form);
  await admin('pet-kpis');
  await submit(page.locator('#pet-kpi-run'));
  await page.goto(kpiUrl);
  await expectNoErrors();
  expect(await page.locator('#pet-kpi-version-1').count() === 1, 'version 1 gone');
  expect(await page.locator('#pet-kpi-version-2').count() === 1, 'no version 2');
  await screenshot('versions');
});

await step('the WordPress Dashboard widget lists it', async () => {
  await page.goto(page.url().replace(/wp-admin\/.*$/, 'wp-admin/index.php'));
  expect((await text('#pet_kpis')).includes(name), 'the widget does not list the KPI');
  await screenshot('widget');
});

await finish();
