import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { chromium } from "@playwright/test";

// Runs before the browser tests: makes sure a Chromium is there. The system's comes first
// (Debian's package matches Playwright's major version); then Playwright's own download. On a
// fresh Debian-based machine where we are root, Debian's package is installed for you.

const systemPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const playwrightPath = chromium.executablePath();

if (fs.existsSync(systemPath) || fs.existsSync(playwrightPath)) process.exit(0);

const isRoot = process.getuid?.() === 0;
const hasApt = fs.existsSync("/usr/bin/apt-get");
if (isRoot && hasApt) {
  console.log("No Chromium found for the browser tests: installing Debian's chromium package…");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
  execFileSync("apt-get", ["install", "-y", "-qq", "chromium"], { stdio: "inherit", env });
  if (fs.existsSync(systemPath)) process.exit(0);
}

console.error(
  "The browser tests need Chromium and none was found.\n" +
    "  Debian/Ubuntu: sudo apt-get install chromium   (or set CHROMIUM_PATH to a Chromium binary)\n" +
    "  elsewhere:     npx playwright install chromium",
);
process.exit(1);
