import { describe, expect, it } from "vitest";
import { newCommandId, problemsOf } from "./problems";

describe("problemsOf", () => {
  it("puts each validation problem next to the field it names", () => {
    const problems = problemsOf(
      {
        status: 422,
        data: {
          detail: "too short",
          code: "string_too_short",
          field: "title",
          errors: [
            { detail: "too short", code: "string_too_short", field: "title" },
            { detail: "must be at least 1", code: "greater_than_equal", field: "duration_minutes" },
          ],
        },
      },
      ["title", "duration_minutes"],
    );
    expect(problems).toEqual({
      byField: { title: "too short", duration_minutes: "must be at least 1" },
      unplaced: [],
      general: null,
    });
  });

  it("says what it cannot place with the field's name", () => {
    const problems = problemsOf(
      { status: 409, data: { detail: "stale", code: "version_conflict", field: "If-Match" } },
      ["title"],
    );
    expect(problems).toEqual({
      byField: {},
      unplaced: ["If-Match: stale"],
      general: "If-Match: stale",
    });
  });

  it("tells an unreachable server from a refusal", () => {
    expect(problemsOf({ status: "FETCH_ERROR", error: "TypeError" }, []).general).toMatch(
      /cannot be reached/,
    );
  });
});

describe("newCommandId", () => {
  it("makes distinct version-4 UUIDs", () => {
    const ids = new Set(Array.from({ length: 50 }, newCommandId));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab]/);
  });
});
