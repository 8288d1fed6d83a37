import { expect, test } from "@playwright/test";
import { decodeTotpSecret, totpCode } from "../../app/auth/totp.server";
import { escapeRegExp, expectSignedInAs, signIn, uniqueEmail } from "./support";

// A new therapist (invited here, so no other test's account changes) turns on two-step sign-in
// with the secret the page shows (the test plays the authenticator app), signs out, and signs in
// again with password and code.

test("a staff member sets up two-step sign-in and then signs in with a code", async ({ page: admin, browser, baseURL }) => {
  const email = uniqueEmail("two-step");
  const name = "Rowan Twostep";
  const password = "cedar smoke over the ridge 7";

  await signIn(admin, "admin@cairn.test");
  await admin.goto("/admin/users/new");
  await admin.getByLabel("Name").fill(name);
  await admin.getByLabel("Email").fill(email);
  await admin.getByLabel("Role").selectOption({ label: "Therapist" });
  await admin.getByRole("button", { name: "Send invitation" }).click();
  await expect(admin.getByRole("status")).toContainText(`Invitation sent to ${email}.`);

  const context = await browser.newContext({ baseURL });
  try {
    const page = await context.newPage();
    await page.goto("/dev/outbox");
    await page
      .getByRole("article", { name: new RegExp(`^Email to ${escapeRegExp(email)}:`) })
      .getByRole("link", { name: "Open the link in this email" })
      .click();
    await page.getByLabel("Password", { exact: true }).fill(password);
    await page.getByLabel("Repeat the password").fill(password);
    await page.getByRole("button", { name: "Set password and sign in" }).click();
    await expect(page).toHaveURL("/cases");

    // Set up: the page shows the secret; the test computes the code an app would show.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Account" }).click();
    await page.getByRole("link", { name: "Set up two-step sign-in" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Set up two-step sign-in" })).toBeVisible();
    const secret = (await page.getByLabel("Secret key").inputValue()).replaceAll(" ", "");
    const key = decodeTotpSecret(secret);
    expect(key).not.toBeNull();

    const accepted = new Set([-30_000, 0, 30_000].map((offset) => totpCode(key!, new Date(Date.now() + offset))));
    await page.getByLabel("Code from your app").fill(["000000", "111111", "222222", "333333"].find((code) => !accepted.has(code))!);
    await page.getByRole("button", { name: "Turn on two-step sign-in" }).click();
    await expect(page.getByLabel("Code from your app")).toHaveAccessibleDescription(/doesn't match/);
    // The same secret is still shown after the wrong code.
    await expect(page.getByLabel("Secret key")).toHaveValue(new RegExp(escapeRegExp(secret.slice(0, 4))));

    await page.getByLabel("Code from your app").fill(totpCode(key!, new Date()));
    await page.getByRole("button", { name: "Turn on two-step sign-in" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Two-step sign-in is on" })).toBeVisible();
    await expect(page.getByText(/^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/)).toBeVisible();
    await page.getByRole("link", { name: /I have saved it/ }).click();
    await expect(page).toHaveURL("/cases");

    await page.goto("/account");
    await expect(page.getByRole("region", { name: "Two-step sign-in" })).toContainText("On since");

    // Sign out, then in again: the password is not enough any more.
    await page.getByRole("banner").getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL("/login");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/login\/two-factor/);
    await expect(page.getByRole("heading", { level: 1, name: "Two-step sign-in" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Sign out", exact: true })).toHaveCount(0);

    // The code used during setup can't be used again; the app's next one works.
    await page.getByLabel("Code from your app").fill(totpCode(key!, new Date(Date.now() + 30_000)));
    await page.getByRole("button", { name: "Continue" }).click();
    await expect(page).toHaveURL("/cases");
    await expectSignedInAs(page, name, "Therapist");
  } finally {
    await context.close();
  }
});
