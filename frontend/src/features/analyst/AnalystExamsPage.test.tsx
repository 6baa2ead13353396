import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderApp, stubFetch } from "../../test/render";
import AnalystExamsPage from "./AnalystExamsPage";

afterEach(() => vi.unstubAllGlobals());

const exam = (exam_id: string, title: string) => ({
  exam_id,
  teacher_id: "t1",
  title,
  status: "published",
  duration_minutes: 60,
  window_opens_at: "2026-11-02T09:00:00Z",
  window_closes_at: "2026-11-02T12:00:00Z",
  created_at: "2026-10-01T00:00:00Z",
  published_at: "2026-10-02T00:00:00Z",
  question_count: 12,
  total_points: 24,
  version: 3,
});

describe("an analyst's exams", () => {
  it("lists the published exams, the latest first, each leading to its analytics", async () => {
    const requests = stubFetch({
      status: 200,
      body: {
        items: [exam("e2", "Number theory"), exam("e1", "Algebra")],
        page: 1,
        per_page: 20,
        total: 2,
        total_is_exact: true,
      },
    });
    renderApp(<AnalystExamsPage />);
    const table = await screen.findByRole("table", { name: "Published exams" });
    expect(within(table).getByRole("link", { name: "Analytics of Number theory" })).toHaveAttribute(
      "href",
      "/analyst/exams/e2/analytics",
    );
    expect(within(table).getAllByRole("row")).toHaveLength(3);
    const asked = new URL(requests[0]!.url);
    expect(asked.searchParams.get("status")).toBe("published");
    expect(asked.searchParams.get("sort")).toBe("-window_opens_at");
  });

  it("searches by title, and says so when nothing matches", async () => {
    const none = {
      status: 200,
      body: { items: [], page: 1, per_page: 20, total: 0, total_is_exact: true },
    };
    const requests = stubFetch(none, none);
    renderApp(<AnalystExamsPage />);
    expect(await screen.findByText("No exam is published yet.")).toBeVisible();
    await userEvent.setup().type(screen.getByLabelText("Search by title"), "chem");
    expect(await screen.findByText("No published exam has that in its title.")).toBeVisible();
    expect(new URL(requests[1]!.url).searchParams.get("q")).toBe("chem");
  });
});
