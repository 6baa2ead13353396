import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderApp, stubFetch } from "../../test/render";
import AccountPage from "./AccountPage";

afterEach(() => vi.unstubAllGlobals());

const me = {
  status: 200,
  body: {
    user_id: "u1",
    email: "ada@example.edu",
    name: "Ada",
    role: "student",
    disabled: false,
    exam_reminders: true,
    registered_at: "2026-12-01T09:00:00Z",
    version: 1,
  },
};
const notice = (kind: string, status: string, extra = {}) => ({
  notification_id: `${kind}-id`,
  kind,
  exam_id: "e1",
  exam_title: "Algebra",
  status,
  reason: null,
  subject: null,
  attempts: 1,
  created_at: "2026-12-05T09:00:00Z",
  sent_at: status === "sent" ? "2026-12-05T09:00:02Z" : null,
  ...extra,
});
const history = {
  status: 200,
  body: {
    items: [
      notice("exam_reminder", "skipped", { reason: "reminders_off" }),
      notice("exam_assigned", "sent"),
    ],
    total: 2,
    total_is_exact: true,
    page: 1,
    per_page: 50,
  },
};

describe("your account", () => {
  it("lists the emails sent, and those held back with why", async () => {
    stubFetch(me, history);
    renderApp(<AccountPage />);
    const table = await screen.findByRole("table", { name: "Emails sent to you" });
    const rows = within(table).getAllByRole("row");
    expect(rows[1]).toHaveTextContent("Reminder before the exam");
    expect(rows[1]).toHaveTextContent("not sent: you turned reminders off");
    expect(rows[2]).toHaveTextContent("Exam assigned");
    expect(rows[2]).toHaveTextContent(/Sent /);
  });

  it("turns reminders off", async () => {
    const requests = stubFetch(me, history, {
      status: 200,
      body: { user_id: "u1", exam_reminders: false },
    });
    renderApp(<AccountPage />);
    const toggle = await screen.findByRole("switch", {
      name: "Email me a reminder the day before an exam opens",
    });
    expect(toggle).toBeChecked();
    await userEvent.click(toggle);
    expect(
      await screen.findByRole("switch", {
        name: "Email me a reminder the day before an exam opens",
        checked: false,
      }),
    ).not.toBeChecked();
    const put = requests[2]!;
    expect(put.method).toBe("PUT");
    expect(await put.json()).toEqual({ exam_reminders: false });
  });
});
