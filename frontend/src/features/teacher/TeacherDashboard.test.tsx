import { screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderApp, stubFetch } from "../../test/render";
import TeacherDashboard from "./TeacherDashboard";

afterEach(() => vi.unstubAllGlobals());

const exam = (status: string, version: number) => ({
  exam_id: "e1",
  title: "Algebra",
  status,
  version,
  created_at: "2026-12-01T09:00:00Z",
  published_at: status === "draft" ? null : "2026-12-02T09:00:00Z",
  duration_minutes: 60,
  question_count: 2,
  total_points: 3,
  teacher_id: "t1",
  window_opens_at: "2026-12-01T09:00:00Z",
  window_closes_at: "2027-01-01T09:00:00Z",
});
const page = (items: unknown[]) => ({
  status: 200,
  body: { items, page: 1, per_page: 100, total: items.length, total_is_exact: true },
});

describe("the teacher's exams after the wizard published one", () => {
  it("shows it published while the catalogue is a moment behind, and reads again", async () => {
    const requests = stubFetch(page([exam("draft", 4)]), page([exam("published", 5)]));
    renderApp(<TeacherDashboard />, {
      pathname: "/teacher",
      state: {
        notice: '"Algebra" is published.',
        published: { exam_id: "e1", status: "published", version: 5, assigned_count: 1 },
      },
    });
    // The catalogue still says draft (version 4): the page shows what the command answered.
    expect(await screen.findByRole("link", { name: "Manage Algebra" })).toBeVisible();
    expect(screen.queryByRole("button", { name: "Publish Algebra" })).toBeNull();
    await waitFor(() => expect(requests).toHaveLength(2), { timeout: 3000 });
    expect(screen.getByRole("link", { name: "Manage Algebra" })).toBeVisible();
  });

  it("reads once when the catalogue already shows the published exam", async () => {
    const requests = stubFetch(page([exam("published", 5)]));
    renderApp(<TeacherDashboard />, {
      pathname: "/teacher",
      state: { published: { exam_id: "e1", status: "published", version: 5, assigned_count: 1 } },
    });
    expect(await screen.findByRole("link", { name: "Manage Algebra" })).toBeVisible();
    await new Promise((done) => setTimeout(done, 1000));
    expect(requests).toHaveLength(1);
  });
});
