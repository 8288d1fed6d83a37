import { createRequire } from "node:module";
import path from "node:path";
import { createElement, type ReactElement } from "react";
import type * as ReactDomServer from "react-dom/server";
import { describe, expect, it } from "vitest";
import { renderToHtmlBytes, type PartsOptions } from "../../app/html-bytes.server";

// patches/react-dom+*.patch gives renderToString a `parts` option (app/html-bytes.server.ts): the
// markup handed over in strings short enough to stay out of V8's large-object space. The bytes
// must be exactly those of the whole page as one string, in both of React's server builds.

const require = createRequire(import.meta.url);
type Legacy = Pick<typeof ReactDomServer, "renderToString">;
const reactDom = path.dirname(require.resolve("react-dom/package.json"));
const builds: [string, Legacy][] = ["production.min", "development"].map((build) => [
  build,
  require(path.join(reactDom, `cjs/react-dom-server-legacy.node.${build}.js`)) as Legacy,
]);

/** A long list with text outside Latin-1, escaped text and attributes: a long thread's shape. */
function longPage(items: number): ReactElement {
  return createElement(
    "ol",
    { "aria-label": "Replies" },
    Array.from({ length: items }, (_, i) =>
      createElement(
        "li",
        { key: i, id: `post-${i}` },
        createElement("p", null, `Message ${i} — “it's <fine> & calm”, 🙂 ${"more words ".repeat(i % 7)}`),
        createElement("a", { href: `?replyTo=${i}` }, "Reply"),
      ),
    ),
  );
}

describe("renderToString's parts option (patched)", () => {
  for (const [name, build] of builds) {
    it(`hands a long page over in short parts and the rest as its result (${name} build)`, () => {
      const page = longPage(2000);
      const whole = build.renderToString(page);
      const options: PartsOptions = { parts: [] };
      const rest = build.renderToString(page, options);
      const { parts } = options;
      expect(whole.length).toBeGreaterThan(200_000);
      expect(parts.length).toBeGreaterThan(10);
      // 64K characters of two-byte text is the first size V8 puts in its large-object space.
      for (const part of parts) expect(part.length).toBeLessThan(32_768);
      expect(parts.join("") + rest).toBe(whole);
    });

    it(`keeps a short page in one piece (${name} build)`, () => {
      const page = longPage(50);
      const options: PartsOptions = { parts: [] };
      expect(build.renderToString(page, options)).toBe(build.renderToString(page));
      expect(options.parts).toEqual([]);
    });
  }
});

describe("renderToHtmlBytes", () => {
  it("is the page with its doctype as UTF-8, long or short", () => {
    const { renderToString } = require("react-dom/server") as Legacy;
    for (const items of [0, 3, 2000]) {
      const page = longPage(items);
      const bytes = renderToHtmlBytes(page);
      expect(bytes.equals(Buffer.from(`<!DOCTYPE html>${renderToString(page)}`)), `${items} items`).toBe(true);
      expect(bytes.toString("utf8")).toContain(items ? "🙂" : "<ol");
    }
  });
});
