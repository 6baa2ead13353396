import { fireEvent, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderApp, stubFetch } from "../../test/render";
import ImportPage, { formatOf } from "./ImportPage";

afterEach(() => vi.unstubAllGlobals());

const PREVIEW = {
  format: "csv",
  total: 2,
  valid: 1,
  invalid: 1,
  file_errors: [],
  items: [
    {
      position: "2",
      valid: true,
      question_type: "true_false",
      stem: "Water is wet",
      errors: [],
      not_mapped: [],
    },
    {
      position: "3",
      valid: false,
      question_type: null,
      stem: null,
      errors: [{ column: "correct", message: "'Z' is not one of the 2 options" }],
      not_mapped: [],
    },
  ],
};

function choose(name: string, text: string) {
  const input = document.querySelector<HTMLInputElement>('input[type="file"]')!;
  fireEvent.change(input, { target: { files: [new File([text], name, { type: "text/csv" })] } });
}

describe("ImportPage", () => {
  it("lists each row's problems and imports only the valid rows when asked", async () => {
    const requests = stubFetch(
      { status: 200, body: PREVIEW },
      { status: 201, body: { imported: 1, question_ids: ["q1"], skipped: ["3"], version: 1 } },
    );
    renderApp(<ImportPage />, "/teacher/questions/import");
    choose("bank.csv", "type,stem\r\n...");

    expect(await screen.findByText(/1 ready, 1 with problems/)).toBeVisible();
    const bad = screen.getAllByRole("row").find((r) => r.textContent?.startsWith("3"))!;
    expect(within(bad).getByText("'Z' is not one of the 2 options")).toBeVisible();
    expect(screen.getByRole("button", { name: "Import all" })).toBeDisabled();
    expect(screen.getByText(/Correct the rows listed with problems in your file/)).toBeVisible();

    fireEvent.click(screen.getByRole("button", { name: "Import the valid rows" }));
    expect(await screen.findByText(/Imported 1 question \(rows left out: 3\)/)).toBeVisible();
    expect(screen.getByRole("link", { name: "See them in the bank" })).toHaveFocus();

    const [preview, imported] = requests;
    expect(preview!.url).toMatch(/\/v1\/questions\/imports\/preview\?format=csv$/);
    // (The body itself is not checked here: Node's Request cannot read jsdom's File; the
    // browser journey uploads a real file.)
    expect(imported!.url).toMatch(/only_valid=true/);
    expect(imported!.headers.get("Idempotency-Key")).toBeTruthy();
  });

  it("tells the format from the file name", () => {
    expect(formatOf("export.ZIP")).toBe("qti");
    expect(formatOf("moodle.xml")).toBe("moodle_xml");
    expect(formatOf("bank.csv")).toBe("csv");
  });
});
