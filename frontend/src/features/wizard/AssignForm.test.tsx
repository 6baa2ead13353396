import { fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderApp } from "../../test/render";
import { AssignForm } from "./PeopleStep";

afterEach(() => vi.unstubAllGlobals());

const page = (items: unknown[]) => ({
  items,
  page: 1,
  per_page: 20,
  total: items.length,
  total_is_exact: true,
});

describe("assigning groups", () => {
  it("finds any group by name, keeps the ticked one and sends its id", async () => {
    const sent: Request[] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn(async (input: Request) => {
        sent.push(input.clone());
        const url = new URL(input.url);
        let body: unknown = page([]);
        if (url.pathname.endsWith("/v1/cohorts") && url.searchParams.get("q") === "CS101") {
          body = page([{ cohort_id: "c-admin", name: "CS101 Fall", member_count: 40 }]);
        } else if (url.pathname.endsWith("/assign")) {
          body = { exam_id: "e1", status: "draft", version: 5, assigned_count: 40 };
        }
        return new Response(JSON.stringify(body), {
          status: 200,
          headers: { "Content-Type": "application/json" },
        });
      }),
    );
    const onApplied = vi.fn();
    renderApp(<AssignForm examId="e1" onApplied={onApplied} />);
    expect(await screen.findByText(/You have no groups/)).toBeVisible();
    fireEvent.change(screen.getByLabelText("Find a group by name"), { target: { value: "CS101" } });
    fireEvent.click(await screen.findByRole("checkbox", { name: "CS101 Fall (40)" }));
    fireEvent.change(screen.getByLabelText("Find a group by name"), { target: { value: "" } });
    // Ticked, it stays listed when the search changes.
    expect(await screen.findByRole("checkbox", { name: "CS101 Fall (40)" })).toBeChecked();
    fireEvent.click(screen.getByRole("button", { name: "Assign" }));
    await waitFor(() => expect(onApplied).toHaveBeenCalled());
    const assign = sent.find((r) => r.url.endsWith("/v1/exams/e1/assign"))!;
    expect(await assign.json()).toEqual({ emails: [], cohort_ids: ["c-admin"] });
    expect(screen.getByRole("status")).toHaveTextContent("40 student(s) are assigned");
  });
});
