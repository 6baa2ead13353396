import { fireEvent, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ExamDocument } from "../../api/queryApi.generated";
import { renderApp, stubFetch } from "../../test/render";
import { Route, Routes } from "react-router";
import ExamWizardPage from "./ExamWizardPage";
import { ManageExam } from "./ManageExamPage";

afterEach(() => vi.unstubAllGlobals());

const published = {
  exam_id: "e1",
  title: "Algebra final",
  status: "published",
  duration_minutes: 60,
  window_opens_at: "2026-12-02T09:00:00Z",
  window_closes_at: "2026-12-02T11:00:00Z",
  version: 7,
} as unknown as ExamDocument;

const empty = { items: [], page: 1, per_page: 100, total: 0, total_is_exact: true };

describe("a published exam", () => {
  it("offers only the safe changes and shows a refused extension under its field", async () => {
    const requests = stubFetch(
      { status: 200, body: empty }, // groups
      { status: 200, body: empty }, // assigned students
      {
        status: 409,
        body: {
          detail: "a window can only close later",
          code: "window_not_later",
          field: "window_closes_at",
        },
      },
    );
    renderApp(<ManageExam exam={published} />);
    expect(await screen.findByText("Nobody is assigned yet.")).toBeVisible();
    expect(screen.queryByText("Save the settings")).toBeNull();
    expect(screen.queryByText(/Save the questions/)).toBeNull();
    fireEvent.change(screen.getByLabelText(/^Window closes/), {
      target: { value: "2026-12-02T10:00" },
    });
    fireEvent.click(screen.getByRole("button", { name: "Extend the window" }));
    expect(await screen.findByText("a window can only close later")).toBeVisible();
    const sent = requests.find((r) => r.url.endsWith("/v1/exams/e1/extend"))!;
    expect(sent.method).toBe("POST");
    expect((await sent.json()).window_closes_at).toMatch(/^2026-12-02T\d\d:00:00.000Z$/);
  });
});

describe("opening an exam from the dashboard", () => {
  it("waits for the exam to show the version the dashboard showed", async () => {
    const requests = stubFetch(
      { status: 200, body: { ...published, status: "draft", version: 6 } }, // not yet caught up
      { status: 200, body: published },
      { status: 200, body: empty }, // groups
      { status: 200, body: empty }, // assigned students
    );
    renderApp(
      <Routes>
        <Route path="/teacher/exams/:examId" element={<ExamWizardPage />} />
      </Routes>,
      { pathname: "/teacher/exams/e1", state: { version: 7 } },
    );
    expect(
      await screen.findByRole("heading", { name: "Close the window later" }, { timeout: 3000 }),
    ).toBeVisible();
    expect(screen.queryByText(/Step 1 of 4/)).toBeNull();
    expect(requests.filter((r) => r.url.endsWith("/v1/exams/e1"))).toHaveLength(2);
  });
});
