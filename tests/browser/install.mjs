// Installs the PET plugin the way a WordPress admin does (scripts/test's install step runs it
// against a WordPress served by Apache with the php8.2-pet package installed): Plugins → Add New
// → Upload Plugin with the zip from scripts/package, then Activate — or, for an upgrade,
// "Replace current with uploaded" — and checks PET's screens answer.
//
// Env (besides the harness's PET_E2E_URL, PET_E2E_USER, PET_E2E_PASSWORD, PET_ARTIFACTS,
// PET_CHROMIUM):
//   PET_INSTALL_ZIP       the plugin zip to upload (required)
//   PET_INSTALL_MODE      "fresh" (upload, activate; default) or "replace" (the plugin is already
//                         installed and active: upload, replace, and PET must still be active)
//   PET_INSTALL_CUSTOMER  a customer name: "fresh" creates it on PET → Customers after activating;
//                         "replace" expects to find it there after the upgrade (data survived)
//   PET_INSTALL_NAME      suite name in the output and screenshot files (default "install")
import { startSuite, expect } from './lib/harness.mjs';

const zip = process.env.PET_INSTALL_ZIP || '';
const mode = process.env.PET_INSTALL_MODE || 'fresh';
const customer = process.env.PET_INSTALL_CUSTOMER || '';
const name = process.env.PET_INSTALL_NAME || 'install';
if (zip === '' || !['fresh', 'replace'].includes(mode)) {
  console.error('PET_INSTALL_ZIP is required; PET_INSTALL_MODE is fresh or replace');
  process.exit(2);
}

const { base, page, pageErrors, step, screenshot, expectNoErrors, expectNoPhpErrors, admin, submit, login, finish } =
  await startSuite({ name });

await step('log into wp-admin', async () => {
  await login();
  await screenshot('dashboard');
});

await step('Plugins → Add New → Upload Plugin: upload the zip', async () => {
  await page.goto(`${base}/wp-admin/plugin-install.php`);
  await expectNoPhpErrors();
  // The upload form is hidden until "Upload Plugin" is clicked, as for a person.
  await page.locator('a.upload-view-toggle').first().click();
  const form = page.locator('form.wp-upload-form');
  await form.waitFor();
  await form.locator('input#pluginzip').setInputFiles(zip);
  await screenshot('upload-chosen');
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), form.locator('#install-plugin-submit').click()]);
  await expectNoPhpErrors();
  await screenshot('uploaded');
});

if (mode === 'fresh') {
  await step('installed: activate the plugin', async () => {
    const body = await page.locator('#wpbody-content').innerText();
    expect(/Plugin installed successfully/i.test(body), `the upload did not install the plugin:\n${body.slice(0, 600)}`);
    const activate = page.locator('#wpbody-content a.button-primary', { hasText: /Activate Plugin/i });
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), activate.click()]);
    await expectNoErrors();
    await page.locator('#message.updated, .notice-success', { hasText: /activated/i }).first().waitFor();
    expect(await page.locator('tr.active[data-slug="pet"]').count() === 1, 'PET is not listed as active');
    await screenshot('activated');
  });
} else {
  await step('already installed: replace current with uploaded', async () => {
    const replace = page.locator('a.update-from-upload-overwrite');
    expect(await replace.count() === 1, `no "Replace current with uploaded" button:\n${(await page.locator('#wpbody-content').innerText()).slice(0, 600)}`);
    await screenshot('replace-offered');
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), replace.click()]);
    await expectNoPhpErrors();
    const body = await page.locator('#wpbody-content').innerText();
    expect(/Plugin updated successfully/i.test(body), `the plugin was not replaced:\n${body.slice(0, 600)}`);
    await screenshot('replaced');
  });
  await step('after the upgrade PET is still active', async () => {
    await page.goto(`${base}/wp-admin/plugins.php`);
    await expectNoErrors();
    expect(await page.locator('tr.active[data-slug="pet"]').count() === 1, 'PET is not active after the upgrade');
  });
}

await step('PET screens answer (the extension is loaded under the web server)', async () => {
  await admin('pet-employees');
  expect(await page.locator('#toplevel_page_pet-employees').count() === 1, 'no PET menu in wp-admin');
  expect(await page.locator('.pet-missing-extension, .pet-outdated-extension').count() === 0, 'PET says its extension is missing or old');
  await screenshot('employees');
});

if (customer !== '') {
  if (mode === 'fresh') {
    await step(`create the customer "${customer}"`, async () => {
      await admin('pet-customers');
      const form = page.locator('#pet-create-customer');
      await form.locator('[name=name]').fill(customer);
      await submit(form);
      expect(await page.locator('table.wp-list-table tbody tr', { hasText: customer }).count() === 1, 'the new customer is not listed');
      await screenshot('customer-created');
    });
  } else {
    await step(`the customer "${customer}" made before the upgrade is still there`, async () => {
      await admin('pet-customers', `&s=${encodeURIComponent(customer)}`);
      expect(await page.locator('table.wp-list-table tbody tr', { hasText: customer }).count() === 1, 'the customer made before the upgrade is gone');
      await screenshot('customer-kept');
    });
  }
}

await step('no JavaScript errors on the pages', async () => {
  expect(pageErrors.length === 0, pageErrors.join('\n'));
});

await finish();
