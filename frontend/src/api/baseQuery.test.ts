import { afterEach, describe, expect, it, vi } from "vitest";
import { makeStore } from "../app/store";
import { signedIn } from "../features/auth/authSlice";
import { stubFetch } from "../test/render";
import { queryString } from "./baseQuery";
import { commandApi } from "./commandApi.generated";

afterEach(() => vi.unstubAllGlobals());

function signedInStore() {
  const store = makeStore();
  store.dispatch(
    signedIn({
      accessToken: "old-access",
      refreshToken: "old-refresh",
      user: { user_id: "u1", email: "t@b.edu", name: "Tess", role: "teacher" },
    }),
  );
  return store;
}

const draft = (store: ReturnType<typeof makeStore>) =>
  store.dispatch(
    commandApi.endpoints.draftExamV1ExamsPost.initiate({
      examIn: { title: "Algebra", duration_minutes: 30 },
      "Idempotency-Key": "0b6f3a55-2f5c-4a6e-9a39-0f5b7f0e6c11",
    }),
  );

describe("silent refresh", () => {
  it("refreshes once on a 401 and retries the command with the same key", async () => {
    const requests = stubFetch(
      { status: 401, body: { detail: "expired", code: "token_expired", field: null } },
      { status: 200, body: { access_token: "new-access", refresh_token: "new-refresh" } },
      { status: 201, body: { exam_id: "e1", status: "draft", version: 1 } },
    );
    const store = signedInStore();
    const answer = await draft(store);
    expect(answer.data).toEqual({ exam_id: "e1", status: "draft", version: 1 });
    expect(requests.map((r) => new URL(r.url).pathname)).toEqual([
      "/api/v1/exams",
      "/api/v1/auth/refresh",
      "/api/v1/exams",
    ]);
    expect(await requests[1]!.json()).toEqual({ refresh_token: "old-refresh" });
    expect(requests[2]!.headers.get("Authorization")).toBe("Bearer new-access");
    expect(requests[2]!.headers.get("Idempotency-Key")).toBe(
      requests[0]!.headers.get("Idempotency-Key"),
    );
    expect(store.getState().auth.refreshToken).toBe("new-refresh");
  });

  it("signs out when the refresh is refused, and does not retry", async () => {
    const requests = stubFetch(
      { status: 401, body: { detail: "expired", code: "token_expired", field: null } },
      { status: 401, body: { detail: "spent", code: "invalid_refresh_token", field: null } },
    );
    const store = signedInStore();
    const answer = await draft(store);
    expect(answer.error).toMatchObject({ status: 401 });
    expect(requests).toHaveLength(2);
    expect(store.getState().auth.user).toBeNull();
  });

  it("keeps the session when the refresh is lost to the network (offline mid-exam)", async () => {
    let calls = 0;
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => {
        calls += 1;
        if (calls === 1) {
          return new Response(JSON.stringify({ detail: "expired", code: "token_expired" }), {
            status: 401,
            headers: { "Content-Type": "application/json" },
          });
        }
        throw new TypeError("Failed to fetch"); // the connection dropped
      }),
    );
    const store = signedInStore();
    const answer = await draft(store);
    expect(answer.error).toMatchObject({ status: 401 });
    expect(store.getState().auth.user?.user_id).toBe("u1");
    expect(store.getState().auth.refreshToken).toBe("old-refresh");
  });
});

describe("query parameters", () => {
  it("repeat a list's name for each value, as FastAPI reads lists", () => {
    expect(
      queryString({ q: "prime", tag: ["a", "b,c"], id: [], owner: null, type: undefined }),
    ).toBe("q=prime&tag=a&tag=b%2Cc");
  });
});
