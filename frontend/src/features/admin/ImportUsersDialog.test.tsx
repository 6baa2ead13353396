import { configure, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderApp, stubFetch } from "../../test/render";
import UsersPage from "./UsersPage";

afterEach(() => vi.unstubAllGlobals());
// Queries by role over a table take over a second in jsdom on a busy machine (a bound, not a
// speed test: the default of 1 s failed once under load).
configure({ asyncUtilTimeout: 5000 });

const users = (n: number) => ({
  status: 200,
  body: {
    items: Array.from({ length: n }, (_, i) => ({
      user_id: `u${i}`,
      email: `s${i}@x.edu`,
      name: `Student ${i}`,
      role: "student",
      disabled: false,
      created_at: "2026-01-01T00:00:00Z",
      version: 1,
    })),
    page: 1,
    per_page: 20,
    total: n,
    total_is_exact: true,
  },
});

const row = (n: number, errors: { column: string | null; message: string }[] = []) => ({
  row: n,
  valid: !errors.length,
  email: errors.length ? "not-an-email" : `s${n}@x.edu`,
  name: `Student ${n}`,
  role: "student",
  errors,
});

const preview = (rows: ReturnType<typeof row>[]) => ({
  status: 200,
  body: {
    total: rows.length,
    valid: rows.filter((r) => r.valid).length,
    invalid: rows.filter((r) => !r.valid).length,
    file_errors: [],
    rows,
  },
});

function choose(text: string) {
  const input = screen.getByLabelText<HTMLInputElement>("CSV file of accounts");
  fireEvent.change(input, {
    target: { files: [new File([text], "students.csv", { type: "text/csv" })] },
  });
}

describe("Import accounts (CSV)", () => {
  it("lists every row's problems, imports the fixed file, then the list refreshes", async () => {
    const bad = { column: "email", message: "value is not a valid email address" };
    const requests = stubFetch(
      users(0),
      preview([row(2), row(3, [bad])]),
      preview([row(2), row(3)]),
      { status: 201, body: { created: 2, user_ids: ["u0", "u1"], skipped: [] } },
      users(2),
    );
    renderApp(<UsersPage />, "/admin/users");
    await screen.findByText(/No user matches/);
    fireEvent.click(screen.getByRole("button", { name: "Import accounts (CSV)" }));
    const dialog = screen.getByRole("dialog", { name: "Import accounts (CSV)" });
    expect(within(dialog).getByRole("button", { name: /Download a template/ })).toBeVisible();

    choose("email,name,password\r\n...");
    expect(await within(dialog).findByText(/2 accounts in the file: 1 ready, 1 with problems/));
    const table = within(dialog).getByRole("table", { name: "Rows of the accounts file" });
    const [, first] = within(table).getAllByRole("row"); // the bad row comes first
    expect(within(first!).getByText("3")).toBeVisible();
    expect(within(first!).getByText("not-an-email")).toBeVisible();
    expect(within(first!).getByText("value is not a valid email address")).toBeVisible();
    expect(within(dialog).getByRole("button", { name: "Import all" })).toBeDisabled();
    expect(within(dialog).getByRole("button", { name: "Import the valid rows" })).toBeEnabled();

    choose("email,name,password\r\n...fixed");
    expect(await within(dialog).findByText(/2 ready, 0 with problems/));
    fireEvent.click(within(dialog).getByRole("button", { name: "Import all" }));
    expect(await screen.findByText("2 accounts created.")).toBeVisible();
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(await screen.findByText("Student 1")).toBeVisible();

    const [, checked, , imported] = requests;
    expect(checked!.url).toMatch(/\/v1\/users\/imports\/preview$/);
    expect(imported!.url).toMatch(/\/v1\/users\/imports(\?only_valid=false)?$/);
    expect(imported!.headers.get("Idempotency-Key")).toBeTruthy();
  });

  it("says what the server refused when nothing was created", async () => {
    stubFetch(users(0), preview([row(2)]), {
      status: 422,
      body: {
        detail: "1 problem",
        code: "validation_error",
        field: null,
        errors: [
          {
            field: "rows.2.email",
            code: "email_taken",
            detail: "row 2: an account with this email already exists",
          },
        ],
      },
    });
    renderApp(<UsersPage />, "/admin/users");
    await screen.findByText(/No user matches/);
    fireEvent.click(screen.getByRole("button", { name: "Import accounts (CSV)" }));
    choose("email,name,password\r\n...");
    await screen.findByText(/1 ready, 0 with problems/);
    fireEvent.click(screen.getByRole("button", { name: "Import all" }));
    expect(await screen.findByText("No account was created")).toBeVisible();
    expect(screen.getByText(/row 2: an account with this email already exists/)).toBeVisible();
  });
});
