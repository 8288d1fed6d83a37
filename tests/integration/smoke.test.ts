import { describe, expect, it } from "vitest";
import { createUser, reloadUser } from "../support/factories";

describe("test database", () => {
  it("starts each file from the migrated template", async () => {
    const user = await createUser({ role: "coach" });
    expect((await reloadUser(user.id)).role).toBe("coach");
  });
});
