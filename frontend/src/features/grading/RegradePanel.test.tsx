import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderApp, stubFetch } from "../../test/render";
import { RegradePanel } from "./RegradePanel";

afterEach(() => vi.unstubAllGlobals());

const outcome = (applied: boolean) => ({
  status: 200,
  body: {
    exam_id: "e1",
    question_id: "q1",
    revision: 2,
    applied,
    attempts: 2,
    changed: 1,
    changes: [
      { attempt_id: "a1", student_id: "s1", before: 0, after: 2, kept: null },
      { attempt_id: "a2", student_id: "s2", before: 1, after: null, kept: "graded_by_hand" },
    ],
  },
});

describe("regrading a question with its corrected key", () => {
  it("previews what changes, then regrades", async () => {
    const requests = stubFetch(outcome(false), outcome(true));
    const applied = vi.fn();
    renderApp(
      <RegradePanel
        examId="e1"
        questionId="q1"
        labels={{ a1: "Student 1", a2: "Student 2" }}
        onApplied={applied}
      />,
    );
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Preview the regrade" }));
    expect(await screen.findByText("With revision 2, 1 of 2 answers would change.")).toBeVisible();
    expect(screen.getByText("Kept: graded by hand")).toBeVisible();
    expect(await requests[0]!.json()).toEqual({ question_id: "q1", apply: false });
    await user.click(screen.getByRole("button", { name: "Regrade 1 answer" }));
    expect(await screen.findByText("Regraded with revision 2: 1 answer changed.")).toBeVisible();
    await waitFor(() => expect(applied).toHaveBeenCalledOnce());
    expect(await requests[1]!.json()).toEqual({ question_id: "q1", apply: true });
    expect(screen.queryByRole("button", { name: /^Regrade \d/ })).toBeNull();
  });

  it("sends a program question's answers to the judge again", async () => {
    const judging = (applied: boolean) => ({
      status: 200,
      body: {
        exam_id: "e1",
        question_id: "q1",
        revision: 3,
        applied,
        attempts: 2,
        changed: 0,
        judging: 2,
        changes: ["a1", "a2"].map((attempt_id) => ({
          attempt_id,
          student_id: "s",
          before: 1,
          after: null,
          kept: null,
          judging: true,
        })),
      },
    });
    stubFetch(judging(false), judging(true));
    renderApp(<RegradePanel examId="e1" questionId="q1" labels={{}} onApplied={vi.fn()} />);
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Preview the regrade" }));
    expect(
      await screen.findByText(
        "With the tests of revision 3, 2 of 2 programs would be judged again.",
      ),
    ).toBeVisible();
    expect(screen.getAllByText("Judged again")).toHaveLength(2);
    await user.click(screen.getByRole("button", { name: "Judge 2 programs again" }));
    expect(await screen.findByText(/^Sent 2 programs to the judge/)).toBeVisible();
  });
});
