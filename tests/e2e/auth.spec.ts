import { expect, test } from "@playwright/test";
import { DEMO_PASSWORD, demoAccount, expectSignedInAs, signIn, submitSignIn } from "./support";

const homes = [
  { email: "admin@cairn.test", path: "/admin", heading: "Practice dashboard" },
  { email: "coach@cairn.test", path: "/triage", heading: "Triage" },
  { email: "therapist@cairn.test", path: "/cases", heading: "Cases" },
  { email: "client@cairn.test", path: "/portal", heading: `Welcome, ${demoAccount("client@cairn.test").name}` },
];

for (const home of homes) {
  const account = demoAccount(home.email);
  test(`${account.roleLabel.toLowerCase()} signs in to ${home.path} and signs out`, async ({ page }) => {
    await signIn(page, account.email);

    await expect(page).toHaveURL(home.path);
    await expect(page.getByRole("heading", { level: 1, name: home.heading })).toBeVisible();
    await expectSignedInAs(page, account.name, account.roleLabel);

    await page.getByRole("button", { name: "Sign out" }).click();

    await expect(page).toHaveURL("/login");
    await expect(page.getByRole("status")).toHaveText("You have signed out.");
    await expect(page.getByRole("button", { name: "Sign out" })).toHaveCount(0);
    // The session is gone: the home page sends us back to sign in.
    await page.goto(home.path);
    await expect(page).toHaveURL(`/login?redirectTo=${encodeURIComponent(home.path)}`);
  });
}

test("a wrong password is refused and the email stays typed", async ({ page }) => {
  await submitSignIn(page, "coach2@cairn.test", "not-the-password");

  await expect(page.getByRole("alert")).toContainText("That email and password don't match an account");
  await expect(page.getByLabel("Email")).toHaveValue("coach2@cairn.test");
  await expect(page).toHaveURL("/login");
});

test("a client opening an admin page gets the not-found page", async ({ page }) => {
  await signIn(page, "client@cairn.test");
  await expect(page).toHaveURL("/portal");

  const response = await page.goto("/admin/users");

  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1, name: "Not found" })).toBeVisible();
  await expect(page.getByRole("table", { name: "Users of the practice" })).toHaveCount(0);
});

test.describe("cross-site requests", () => {
  const form = { email: "admin@cairn.test", password: DEMO_PASSWORD };

  test("a POST from another origin is refused", async ({ request }) => {
    const response = await request.post("/login", { headers: { Origin: "https://evil.example" }, form, maxRedirects: 0 });
    expect(response.status()).toBe(403);
    expect(response.headers()["set-cookie"]).toBeUndefined();
  });

  test("a POST the browser marks as cross-site is refused", async ({ request }) => {
    const response = await request.post("/login", { headers: { "Sec-Fetch-Site": "cross-site" }, form, maxRedirects: 0 });
    expect(response.status()).toBe(403);
    expect(response.headers()["set-cookie"]).toBeUndefined();
  });

  test("the same POST from the app's own origin signs in", async ({ request, baseURL }) => {
    const response = await request.post("/login", {
      headers: { Origin: new URL(baseURL!).origin, "Sec-Fetch-Site": "same-origin" },
      form,
      maxRedirects: 0,
    });
    expect(response.status()).toBe(302);
    expect(response.headers()["location"]).toBe("/admin");
  });
});

test("the login page is served with security headers", async ({ request }) => {
  const response = await request.get("/login");
  expect(response.status()).toBe(200);
  const headers = response.headers();

  const csp = headers["content-security-policy"] ?? "";
  const nonce = /script-src 'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
  expect(nonce, `a script nonce in: ${csp}`).toBeTruthy();
  expect(csp).toContain("frame-ancestors 'none'");
  // The page's own scripts carry the nonce of this response.
  expect(await response.text()).toContain(`nonce="${nonce}"`);

  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBeTruthy();
});

test("each response gets a fresh nonce", async ({ request }) => {
  const nonceOf = async () => (await request.get("/login")).headers()["content-security-policy"]?.match(/'nonce-([^']+)'/)?.[1];
  const [first, second] = [await nonceOf(), await nonceOf()];
  expect(first).toBeTruthy();
  expect(second).not.toBe(first);
});

test.describe("before JavaScript runs", () => {
  test.use({ javaScriptEnabled: false });

  test("signing in and out through the plain forms works", async ({ page }) => {
    const account = demoAccount("therapist@cairn.test");
    await signIn(page, account.email);

    await expect(page).toHaveURL("/cases");
    await expect(page.getByRole("heading", { level: 1, name: "Cases" })).toBeVisible();
    await expectSignedInAs(page, account.name, account.roleLabel);

    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL("/login");
    await expect(page.getByRole("status")).toHaveText("You have signed out.");
  });

  test("a wrong password shows the message without JavaScript too", async ({ page }) => {
    // Another account than the test above: five failures in a row for one email pause signing in.
    await submitSignIn(page, "riley@cairn.test", "still-not-the-password");

    await expect(page.getByRole("alert")).toContainText("That email and password don't match an account");
    await expect(page.getByLabel("Email")).toHaveValue("riley@cairn.test");
  });
});
