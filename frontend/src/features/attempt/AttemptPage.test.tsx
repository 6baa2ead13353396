import { fireEvent, screen, waitFor } from "@testing-library/react";
import { Route, Routes } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderApp } from "../../test/render";
import AttemptPage from "./AttemptPage";

afterEach(() => vi.unstubAllGlobals());

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

function attempt(serverTime: Date) {
  return {
    attempt_id: "a1",
    exam_id: "e1",
    status: "in_progress",
    number: 1,
    navigation: "free",
    started_at: "2030-01-01T10:00:00Z",
    submitted_at: null,
    submit_reason: null,
    version: 3,
    // The server says 10 minutes are left, whatever this device's clock says.
    deadline: new Date(serverTime.getTime() + 10 * 60_000).toISOString(),
    server_time: serverTime.toISOString(),
    questions: [
      {
        section_id: "s",
        points: 2,
        question: {
          question_id: "q1",
          revision: 1,
          question_type: "single_choice",
          stem: "Closest planet?",
          media_ids: ["m1"],
          media_alt: { m1: "The inner planets' orbits" },
          estimated_minutes: 1,
          pick: "one",
          options: [
            { option_id: "venus", text: "Venus" },
            { option_id: "mercury", text: "Mercury" },
          ],
        },
      },
      {
        section_id: "s",
        points: 1,
        question: {
          question_id: "q2",
          revision: 1,
          question_type: "long_answer",
          stem: "Why?",
          media_ids: [],
          estimated_minutes: 5,
        },
      },
    ],
    media: {
      m1: {
        content_type: "image/png",
        url: "/objects/soems/m1",
        url_expires_at: new Date(serverTime.getTime() + 5 * 60_000).toISOString(),
      },
    },
    answers: {
      q1: { answer: { option_ids: ["venus"] }, client_seq: 4, saved_at: "2030-01-01T10:01:00Z" },
    },
  };
}

describe("the exam page", () => {
  it("resumes the saved answers, counts down from the server's deadline, and saves a change with the next client_seq", async () => {
    // This device's clock is a day behind the server's.
    const server = new Date(Date.now() + 24 * 3600_000);
    const saves: Request[] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn(async (request: Request) => {
        if (request.url.endsWith("/submit")) {
          return json({
            attempt_id: "a1",
            exam_id: "e1",
            status: "submitted",
            number: 1,
            started_at: "2030-01-01T10:00:00Z",
            deadline: attempt(server).deadline,
            submitted_at: server.toISOString(),
            submit_reason: "student",
            server_time: server.toISOString(),
            version: 5,
          });
        }
        if (request.method === "PUT") {
          saves.push(request.clone());
          const body = (await request.json()) as { client_seq: number };
          return json({
            question_id: "q1",
            client_seq: body.client_seq,
            superseded: false,
            saved_at: "2030-01-01T10:02:00Z",
            deadline: attempt(server).deadline,
            server_time: server.toISOString(),
            version: 4,
          });
        }
        return json(attempt(server));
      }),
    );
    renderApp(
      <Routes>
        <Route path="/student/attempts/:attemptId" element={<AttemptPage />} />
      </Routes>,
      "/student/attempts/a1",
    );
    expect(await screen.findByRole("heading", { name: "Your exam" })).toBeVisible();
    expect(screen.getByRole("timer", { name: "Time left" })).toHaveTextContent(/(10:00|9:5\d)/);
    expect(screen.getByLabelText("Venus")).toBeChecked();
    expect(screen.getByRole("img", { name: "The inner planets' orbits" })).toHaveAttribute(
      "src",
      "/objects/soems/m1",
    );
    expect(screen.getByText(/^Saved at /)).toBeVisible();
    expect(screen.getByRole("button", { name: "Question 1, answered" })).toBeVisible();
    expect(screen.getByRole("button", { name: "Question 2, unanswered" })).toBeVisible();

    fireEvent.click(screen.getByLabelText("Mercury"));
    await waitFor(() => expect(saves).toHaveLength(1));
    expect(saves[0]!.url).toMatch(/\/v1\/attempts\/a1\/answers\/q1$/);
    expect(saves[0]!.headers.get("Idempotency-Key")).toBeTruthy();
    expect(await saves[0]!.json()).toEqual({ client_seq: 5, answer: { option_ids: ["mercury"] } });

    fireEvent.click(screen.getByRole("button", { name: "Submit the exam" }));
    expect(await screen.findByText(/1 of 2 questions are not answered/)).toBeVisible();
    fireEvent.click(screen.getByRole("button", { name: "Submit" }));
    expect(await screen.findByRole("heading", { name: "Your exam is submitted" })).toBeVisible();
  });
});

describe("a paused exam", () => {
  it("stops the clock at what was left and takes no answers", async () => {
    const server = new Date();
    const paused = {
      ...attempt(server),
      paused_at: new Date(server.getTime() - 60_000).toISOString(),
      deadline: new Date(server.getTime() + 4 * 60_000).toISOString(),
    };
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => json(paused)),
    );
    renderApp(
      <Routes>
        <Route path="/student/attempts/:attemptId" element={<AttemptPage />} />
      </Routes>,
      "/student/attempts/a1",
    );
    expect(await screen.findByText(/Your exam is paused by its proctor/)).toBeVisible();
    // Five minutes were left when the pause began, and stay so.
    expect(screen.getByRole("timer", { name: "Time left" })).toHaveTextContent("5:00");
    expect(screen.getByLabelText("Mercury")).toBeDisabled();
  });
});
