import { configure, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { Route, Routes } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderApp, signedInAs, stubFetch } from "../../test/render";
import GroupPage from "./GroupPage";
import GroupsPage from "./GroupsPage";

afterEach(() => vi.unstubAllGlobals());
// Queries by role over a table take over a second in jsdom on a busy machine (a bound, not a
// speed test: the default of 1 s failed once under load).
configure({ asyncUtilTimeout: 5000 });

const group = (name: string, member_count: number, version = 2) => ({
  cohort_id: `c-${name}`,
  name,
  owner_id: "me",
  member_count,
  created_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-02T00:00:00Z",
  version,
});

const page = (items: unknown[]) => ({
  status: 200,
  body: { items, page: 1, per_page: 20, total: items.length, total_is_exact: true },
});

describe("GroupsPage", () => {
  it("lists the groups with their students, and makes one from pasted emails", async () => {
    signedInAs("admin");
    const requests = stubFetch(
      page([group("Year 9", 28)]),
      {
        status: 422,
        body: {
          detail: "2 problems",
          code: "validation_error",
          field: null,
          errors: [
            {
              field: "emails.1",
              code: "unknown_email",
              detail: "no account has the email b@x.edu",
            },
          ],
        },
      },
      { status: 201, body: { cohort_id: "c-new", name: "Chemistry", member_count: 2, version: 2 } },
      page([{ ...group("Chemistry", 2), cohort_id: "c-new" }, group("Year 9", 28)]),
    );
    renderApp(<GroupsPage />, "/admin/groups");

    const year9 = await screen.findByRole("row", { name: /Year 9/ });
    expect(within(year9).getByText("28")).toBeVisible();
    expect(screen.getByRole("link", { name: "Manage Year 9" })).toHaveAttribute(
      "href",
      "/admin/groups/c-Year 9",
    );
    expect(new URL(requests[0]!.url).searchParams.get("mine")).toBe("false");

    fireEvent.click(screen.getByRole("button", { name: "New group" }));
    const dialog = screen.getByRole("dialog", { name: "New group" });
    fireEvent.change(within(dialog).getByLabelText(/^Name/), { target: { value: "Chemistry" } });
    const emails = within(dialog).getByLabelText("Student emails (one per line)");
    fireEvent.change(emails, { target: { value: "a@x.edu\nb@x.edu\n" } });
    fireEvent.click(within(dialog).getByRole("button", { name: "Create the group" }));
    // The refusal names the second pasted line: it shows under the list.
    expect(await within(dialog).findByText("no account has the email b@x.edu")).toBeVisible();
    expect(emails).toHaveAttribute("aria-invalid", "true");
    expect(await requests[1]!.json()).toEqual({
      name: "Chemistry",
      emails: ["a@x.edu", "b@x.edu"],
    });

    fireEvent.change(emails, { target: { value: "a@x.edu, c@x.edu" } });
    fireEvent.click(within(dialog).getByRole("button", { name: "Create the group" }));
    expect(await screen.findByText("Chemistry is made, with 2 students.")).toBeVisible();
    // Shown at once from the command's answer, then from the list that follows.
    const chemistry = await screen.findByRole("row", { name: /Chemistry/ });
    expect(within(chemistry).getByText("2")).toBeVisible();
    expect(requests[2]!.headers.get("Idempotency-Key")).toBeTruthy();
    // The list is read again until it shows the new group.
    await waitFor(() =>
      expect(
        within(screen.getByRole("row", { name: /Chemistry/ })).queryByText("just now"),
      ).toBeNull(),
    );
    expect(requests).toHaveLength(4);
  });

  it("shows a teacher only their own groups, and says when there is none", async () => {
    signedInAs("teacher");
    const requests = stubFetch(page([]));
    renderApp(<GroupsPage />, "/teacher/groups");
    expect(await screen.findByText(/No group yet/)).toBeVisible();
    expect(new URL(requests[0]!.url).searchParams.get("mine")).toBe("true");
  });
});

describe("GroupPage", () => {
  const detail = (version: number, members: { user_id: string; name: string }[]) => ({
    status: 200,
    body: {
      ...group("Year 9", members.length, version),
      cohort_id: "c-9",
      members: members.map((m) => ({ ...m, email: `${m.user_id}@x.edu` })),
    },
  });
  const ada = { user_id: "ada", name: "Ada" };
  const alan = { user_id: "alan", name: "Alan" };

  function open() {
    renderApp(
      <Routes>
        <Route path="/admin/groups/:cohortId" element={<GroupPage />} />
      </Routes>,
      "/admin/groups/c-9",
    );
  }

  it("takes a student out and shows the list without them at once", async () => {
    signedInAs("admin");
    const requests = stubFetch(
      detail(2, [ada, alan]),
      { status: 200, body: { cohort_id: "c-9", name: "Year 9", member_count: 1, version: 3 } },
      detail(3, [alan]),
    );
    open();
    fireEvent.click(await screen.findByRole("button", { name: "Remove Ada from the group" }));
    expect(await screen.findByRole("heading", { name: "Students (1)" })).toBeVisible();
    expect(screen.queryByText("Ada")).toBeNull();
    expect(requests[1]!.url).toMatch(/\/v1\/cohorts\/c-9\/members\/remove$/);
    expect(await requests[1]!.json()).toEqual({ student_ids: ["ada"] });
    expect(await screen.findByRole("cell", { name: "Alan" })).toBeVisible();
  });

  it("shows a refused rename under the name, and a refused email under the list", async () => {
    signedInAs("admin");
    const refusal = (field: string, detail: string) => ({
      status: 422,
      body: { detail, code: "invalid", field },
    });
    stubFetch(
      detail(2, []),
      refusal("name", "a cohort needs a name"),
      refusal("emails.0", "bob is a teacher, not a student"),
    );
    open();
    expect(await screen.findByText(/No student in this group yet/)).toBeVisible();
    fireEvent.change(screen.getByLabelText(/^Group name/), { target: { value: " " } });
    fireEvent.click(screen.getByRole("button", { name: "Rename" }));
    expect(await screen.findByText("a cohort needs a name")).toBeVisible();

    fireEvent.change(screen.getByLabelText("Student emails (one per line)"), {
      target: { value: "bob@x.edu" },
    });
    fireEvent.click(screen.getByRole("button", { name: "Add to the group" }));
    expect(await screen.findByText("bob@x.edu: bob is a teacher, not a student")).toBeVisible();
  });
});
