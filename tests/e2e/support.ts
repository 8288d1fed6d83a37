import { expect, type Page } from "@playwright/test";
import { DEMO_PASSWORD, demoAccounts } from "../../db/demo-accounts";

export { DEMO_PASSWORD };

/** A demo account by email; the seed in tests/e2e/start-server.ts created it. */
export function demoAccount(email: string) {
  const account = demoAccounts.find((a) => a.email === email);
  if (!account) throw new Error(`No demo account ${email}`);
  return account;
}

/** An address no other test (or earlier run) uses. */
export function uniqueEmail(prefix: string) {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.test`;
}

/** Fills in and submits the login form, the way a person does. */
export async function submitSignIn(page: Page, email: string, password: string) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Signs in and waits until the app has left the login page (the session cookie is set by then). */
export async function signIn(page: Page, email: string, password = DEMO_PASSWORD) {
  await submitSignIn(page, email, password);
  await expect(page).not.toHaveURL(/\/login(\?|$)/);
}

/** The header names who is signed in and their role, next to "Sign out". */
export async function expectSignedInAs(page: Page, name: string, roleLabel: string) {
  await expect(page.getByRole("banner")).toMatchAriaSnapshot(`
    - paragraph: /${escapeRegExp(name)}\\W*${escapeRegExp(roleLabel)}/
    - button "Sign out"
  `);
}

export function escapeRegExp(text: string) {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
