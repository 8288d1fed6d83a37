import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { demoAccount, signIn } from "./support";

// The access log and data export: a therapist opens a case; the admin finds that view in the
// audit log by filtering, and downloads the filtered log as CSV. A client downloads their data.

test("the admin filters the audit log and finds a therapist's view of a case", async ({ page: therapist, browser, baseURL }) => {
  const theo = demoAccount("therapist@cairn.test");
  await signIn(therapist, theo.email);
  await therapist.goto("/cases");
  // The first case on their list (the column of case titles links to each case).
  const cases = therapist.getByRole("table", { name: "Cases you are on" });
  await cases.getByRole("row").nth(1).getByRole("cell").nth(1).getByRole("link").click();
  await expect(therapist).toHaveURL(/\/cases\/[0-9a-f-]{36}$/);
  const casePath = new URL(therapist.url()).pathname;

  const adminContext = await browser.newContext({ baseURL });
  try {
    const admin = await adminContext.newPage();
    await signIn(admin, "admin@cairn.test");
    await admin.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit log" }).click();
    await expect(admin.getByRole("heading", { level: 1, name: "Audit log" })).toBeVisible();

    const filters = admin.getByRole("search", { name: "Filter the audit log" });
    await filters.getByLabel("Who").selectOption({ label: `${theo.name} (${theo.roleLabel})` });
    await filters.getByLabel("Action").selectOption({ label: "Case viewed" });
    const today = new Date().toISOString().slice(0, 10);
    await filters.getByLabel("From").fill(today);
    await filters.getByRole("button", { name: "Filter" }).click();
    await expect(admin).toHaveURL(/[?&]action=case\.viewed/);

    const rows = admin.getByRole("table", { name: "Audit log entries, newest first" }).getByRole("row");
    const view = rows.filter({ has: admin.locator(`a[href="${casePath}"]`) }).first();
    await expect(view).toContainText("Case viewed");
    await expect(view).toContainText(theo.name);
    await expect(view).toContainText("page: overview");

    // A date range the wrong way round is explained beside the field.
    await filters.getByLabel("To").fill("2000-01-01");
    await filters.getByRole("button", { name: "Filter" }).click();
    await expect(admin.getByText("The end date can't be before the start date.")).toBeVisible();
    await expect(filters.getByLabel("To")).toHaveAttribute("aria-invalid", "true");

    // The CSV of the (corrected) filters.
    await filters.getByLabel("To").fill(today);
    await filters.getByRole("button", { name: "Filter" }).click();
    const [download] = await Promise.all([admin.waitForEvent("download"), admin.getByRole("link", { name: "Download CSV" }).click()]);
    expect(download.suggestedFilename()).toMatch(/^cairn-audit-log-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = await readFile((await download.path())!, "utf8");
    expect(csv).toContain("Time (UTC),Actor,Actor role");
    expect(csv).toContain(`${theo.name},Therapist`);
    expect(csv).toContain("case.viewed");
  } finally {
    await adminContext.close();
  }
});

test("a client downloads everything Cairn holds about them", async ({ page }) => {
  const jordan = demoAccount("client@cairn.test");
  await signIn(page, jordan.email);
  await page.goto("/account/export");
  await expect(page.getByRole("heading", { level: 1, name: "Your data in Cairn" })).toBeVisible();
  await expect(page.getByRole("heading", { level: 2, name: "Profile" })).toBeVisible();
  await expect(page.getByText(jordan.email)).toBeVisible();

  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download JSON" }).click()]);
  expect(download.suggestedFilename()).toMatch(/^cairn-my-data-\d{4}-\d{2}-\d{2}\.json$/);
  const data = JSON.parse(await readFile((await download.path())!, "utf8"));
  expect(data.profile).toMatchObject({ email: jordan.email, name: jordan.name });
  expect(data.cases.length).toBeGreaterThan(0);
  expect(JSON.stringify(data)).not.toMatch(/passwordHash|"visibility":"internal"/);
});
