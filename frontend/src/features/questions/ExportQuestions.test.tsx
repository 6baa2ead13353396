import { fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderApp, stubFetch } from "../../test/render";
import { ExportQuestions, fileOf } from "./ExportQuestions";

afterEach(() => vi.unstubAllGlobals());

describe("exporting what the search found", () => {
  it("collects the found ids, asks for the format chosen and saves the file", async () => {
    const created = vi.fn<(blob: Blob) => string>(() => "blob:export");
    URL.createObjectURL = created;
    URL.revokeObjectURL = vi.fn();
    const requests = stubFetch(
      {
        status: 200,
        body: {
          items: [{ question_id: "q1" }, { question_id: "q2" }],
          page: 1,
          per_page: 100,
          total: 2,
          total_is_exact: true,
        },
      },
      {
        status: 201,
        body: {
          filename: "soems-questions-qti30.zip",
          content_type: "application/zip",
          data_base64: btoa("PK-zip"),
          questions: [
            { question_id: "q1", exported: true, not_mapped: [] },
            { question_id: "q2", exported: true, not_mapped: ["coding: hidden tests"] },
          ],
        },
      },
    );
    const onDone = vi.fn();
    renderApp(
      <ExportQuestions
        search={{ tag: ["algebra"] }}
        found={2}
        onDone={onDone}
        onFailed={vi.fn()}
      />,
    );
    fireEvent.click(screen.getByRole("button", { name: "Export 2 found" }));
    fireEvent.click(await screen.findByRole("menuitem", { name: "QTI 3.0 package" }));
    await waitFor(() => expect(onDone).toHaveBeenCalled());
    const search = new URL(requests[0]!.url);
    expect(search.searchParams.getAll("tag")).toEqual(["algebra"]);
    expect(await requests[1]!.json()).toEqual({ question_ids: ["q1", "q2"], format: "qti30" });
    expect(onDone.mock.calls[0]![0]).toBe("Exported 2 questions to soems-questions-qti30.zip.");
    expect(onDone.mock.calls[0]![1]).toEqual([
      { question_id: "q2", exported: true, not_mapped: ["coding: hidden tests"] },
    ]);
    expect(await created.mock.calls[0]![0].text()).toBe("PK-zip");
  });

  it("turns the answer's base64 into the file's bytes", async () => {
    const blob = fileOf({
      filename: "x.csv",
      content_type: "text/csv",
      data_base64: btoa("a,b\r\n"),
      questions: [],
    });
    expect(blob.type).toBe("text/csv");
    expect(await blob.text()).toBe("a,b\r\n");
  });
});
