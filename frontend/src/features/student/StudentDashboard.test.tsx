import { screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderApp, stubFetch } from "../../test/render";
import StudentDashboard, { windowState } from "./StudentDashboard";

afterEach(() => vi.unstubAllGlobals());

const exam = (title: string, opens: string | null, closes: string | null) => ({
  exam_id: title,
  teacher_id: "t1",
  title,
  status: "published",
  duration_minutes: 60,
  window_opens_at: opens,
  window_closes_at: closes,
  created_at: "2026-01-01T00:00:00Z",
  published_at: "2026-01-01T00:00:00Z",
  question_count: 10,
  total_points: 20,
  version: 2,
});

describe("StudentDashboard", () => {
  it("lists published exams with their windows and asks only for published ones", async () => {
    const requests = stubFetch({
      status: 200,
      body: {
        items: [exam("Algebra", "2999-01-01T09:00:00Z", "2999-01-01T11:00:00Z")],
        page: 1,
        per_page: 100,
        total: 1,
        total_is_exact: true,
      },
    });
    renderApp(<StudentDashboard />);
    expect(await screen.findByRole("heading", { name: "Algebra" })).toBeVisible();
    expect(screen.getByText("Upcoming")).toBeVisible();
    expect(screen.getByText(/Opens .*2999/)).toBeVisible();
    expect(new URL(requests[0]!.url).searchParams.get("status")).toBe("published");
  });

  it("says so when there is nothing yet", async () => {
    stubFetch({
      status: 200,
      body: { items: [], page: 1, per_page: 100, total: 0, total_is_exact: true },
    });
    renderApp(<StudentDashboard />);
    expect(await screen.findByText(/No exams for you yet/)).toBeVisible();
  });
});

describe("an accommodated student", () => {
  it("sees their extra time and their own window, never the reason", async () => {
    stubFetch({
      status: 200,
      body: {
        items: [
          {
            ...exam("Algebra", "2999-01-01T09:00:00Z", "2999-01-01T11:00:00Z"),
            your_terms: {
              extra_minutes: 0,
              extra_percent: 25,
              window_opens_at: "2999-01-02T09:00:00Z",
              window_closes_at: "2999-01-02T12:00:00Z",
            },
          },
        ],
        page: 1,
        per_page: 100,
        total: 1,
        total_is_exact: true,
      },
    });
    renderApp(<StudentDashboard />);
    expect(await screen.findByText("75 minutes (60 plus your extra time)")).toBeVisible();
    expect(screen.getByText(/Your own window: opens .*2999/)).toBeVisible();
  });
});

describe("windowState", () => {
  const now = Date.parse("2026-06-01T12:00:00Z");
  it.each([
    ["2026-06-01T11:00:00Z", "2026-06-01T13:00:00Z", "open"],
    ["2026-06-02T11:00:00Z", null, "upcoming"],
    [null, "2026-06-01T11:59:00Z", "closed"],
    [null, null, "open"],
  ] as const)("opens %s, closes %s: %s", (opens, closes, state) => {
    expect(windowState(exam("x", opens, closes), now)).toBe(state);
  });
});
