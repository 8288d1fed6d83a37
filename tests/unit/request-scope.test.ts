import { describe, expect, it } from "vitest";
import { oncePerRequest, runInRequestScope } from "~/request-scope.server";

// Remix hands each loader of a page its own copy of the request; lookups the loaders share (who
// is signed in, the case on screen) are made once per page load, and never across requests or
// for form posts.

function counter() {
  let calls = 0;
  return { create: () => Promise.resolve(++calls), calls: () => calls };
}

describe("oncePerRequest", () => {
  it("makes a lookup once for all the loaders of one page load", async () => {
    const c = counter();
    const results = await runInRequestScope("GET", () =>
      Promise.all([oncePerRequest("session:a", c.create), (async () => oncePerRequest("session:a", c.create))()]),
    );
    expect(results).toEqual([1, 1]);
    expect(c.calls()).toBe(1);
  });

  it("keeps different keys and different page loads apart", async () => {
    const c = counter();
    await runInRequestScope("GET", () => Promise.all([oncePerRequest("case:1", c.create), oncePerRequest("case:2", c.create)]));
    await runInRequestScope("GET", () => oncePerRequest("case:1", c.create));
    expect(c.calls()).toBe(3);
  });

  it("looks again every time for form posts and outside any request", async () => {
    const c = counter();
    await runInRequestScope("POST", () => Promise.all([oncePerRequest("session:a", c.create), oncePerRequest("session:a", c.create)]));
    await oncePerRequest("session:a", c.create);
    await oncePerRequest("session:a", c.create);
    expect(c.calls()).toBe(4);
  });
});
