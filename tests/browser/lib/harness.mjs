// Shared harness of the PET browser suites (tests/browser/e2e.mjs and tests/browser/modules/*.mjs):
// launches headless Debian Chromium (playwright-core), logs into wp-admin, runs named steps (a
// failed step skips the later ones and leaves a screenshot), takes numbered screenshots into
// $PET_ARTIFACTS, and prints the counts. Each suite keeps its own steps and assertions.
// This folder is not a suite: scripts/test runs e2e.mjs and modules/*.mjs only.
//
// Env: PET_E2E_URL (http://127.0.0.1:8089), PET_E2E_USER, PET_E2E_PASSWORD, PET_ARTIFACTS,
//      PET_CHROMIUM (/usr/bin/chromium).
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** Throws `message` unless `cond` holds. */
export function expect(cond, message) {
  if (!cond) throw new Error(message);
}

/** What a PHP failure on a page looks like (a suite may pass a stricter pattern). */
export const PHP_ERROR = /Fatal error|There has been a critical error/i;

/**
 * Starts a suite: launches the browser and opens a page.
 *
 * @param {object} options
 * @param {string} [options.name]     Suite name: prefixes step labels ("sales: …") and
 *                                    screenshot files ("sales-01-….png"); none for e2e.mjs.
 * @param {RegExp} [options.phpError] Body text that means a PHP error (default PHP_ERROR).
 */
export async function startSuite({ name = '', phpError = PHP_ERROR } = {}) {
  const base = (process.env.PET_E2E_URL || 'http://127.0.0.1:8089').replace(/\/$/, '');
  const user = process.env.PET_E2E_USER || 'admin';
  const password = process.env.PET_E2E_PASSWORD || '';
  const artifacts = process.env.PET_ARTIFACTS || '.pet/artifacts';
  const executablePath = process.env.PET_CHROMIUM || '/usr/bin/chromium';
  mkdirSync(artifacts, { recursive: true });

  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const label = name === '' ? '' : `${name}: `;
  const filePrefix = name === '' ? '' : `${name}-`;

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

  /** A full-page screenshot, numbered in the order taken; returns the file. */
  async function screenshot(shotName) {
    shot += 1;
    const file = join(artifacts, `${filePrefix}${String(shot).padStart(2, '0')}-${shotName}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => {});
    return file;
  }

  /** Runs one named step (not run when an earlier one failed) and counts it. */
  async function step(stepName, fn) {
    if (broken) {
      failed += 1;
      console.log(`not ok - ${label}${stepName} (not run: an earlier step failed)`);
      return;
    }
    try {
      await fn();
      passed += 1;
      console.log(`ok - ${label}${stepName}`);
    } catch (e) {
      failed += 1;
      broken = true;
      const file = await screenshot(`FAILED-${stepName.replace(/\W+/g, '-').toLowerCase()}`);
      console.log(`not ok - ${label}${stepName}\n    ${String(e && e.message ? e.message : e).split('\n').join('\n    ')}\n    screenshot: ${file}`);
    }
  }

  /** The inner text of an element (the whole page by default). */
  async function text(selector = 'body') {
    return page.locator(selector).innerText();
  }

  /** The page must not show a PHP error. */
  async function expectNoPhpErrors() {
    expect(!phpError.test(await text()), `PHP error on ${page.url()}`);
  }

  /** The page must show neither a PHP error nor an error notice. */
  async function expectNoErrors() {
    await expectNoPhpErrors();
    const errors = await page.locator('.notice-error').allInnerTexts();
    expect(errors.length === 0, `error notice on ${page.url()}: ${errors.join(' | ')}`);
  }

  /** Opens a wp-admin page (admin.php?page=SLUG plus QUERY) and checks it has no error. */
  async function admin(slug, query = '') {
    await page.goto(`${base}/wp-admin/admin.php?page=${slug}${query}`);
    await expectNoErrors();
  }

  /** Clicks a form's (first) submit button and waits for the page after the redirect. */
  async function post(form) {
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), form.locator('[type=submit]').first().click()]);
  }

  /** Submits a form and expects the redirect back with a success notice. */
  async function submit(form) {
    await post(form);
    await expectNoErrors();
    await page.locator('.notice-success').first().waitFor();
  }

  /** Logs into wp-admin as PET_E2E_USER. */
  async function login() {
    await page.goto(`${base}/wp-login.php`);
    // wp-login.php focuses and selects #user_login from a timer shortly after load; a fill
    // racing it can type into the wrong field. Fill, then check both values, a few times.
    for (let attempt = 0; attempt < 5; attempt++) {
      await page.fill('#user_login', user);
      await page.fill('#user_pass', password);
      if ((await page.inputValue('#user_login')) === user && (await page.inputValue('#user_pass')) === password) {
        break;
      }
      await page.waitForTimeout(250);
    }
    await Promise.all([page.waitForURL(/\/wp-admin\//), page.click('#wp-submit')]);
    await page.locator('#adminmenu').waitFor();
  }

  /** PET → Jobs → "Run due jobs now" (catches up the Activity feed when it lags). */
  async function runDueJobs() {
    await admin('pet-jobs');
    await submit(page.locator('#pet-run-jobs'));
  }

  /** Closes the browser, prints the counts and exits (1 when a step failed). */
  async function finish() {
    await browser.close();
    console.log(`\n${label}${passed} passed, ${failed} failed (screenshots in ${artifacts})`);
    process.exit(failed === 0 ? 0 : 1);
  }

  return {
    base, stamp, artifacts, browser, context, page, pageErrors,
    screenshot, step, expect, text, expectNoPhpErrors, expectNoErrors, admin, post, submit, login,
    runDueJobs, finish,
  };
}
