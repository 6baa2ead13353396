import { act, fireEvent, screen, waitFor } from "@testing-library/react";
import { useState } from "react";
import { Route, Routes } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderApp, stubFetch } from "../../test/render";
import { signedIn } from "../auth/authSlice";
import { draftOf } from "./draft";
import { MediaAttachments } from "./MediaAttachments";
import { QuestionEditor } from "./QuestionEditorPage";
import QuestionEditorPage from "./QuestionEditorPage";
import QuestionHistoryPage, { changedInWords, RevisionPage } from "./QuestionHistoryPage";
import { ShareDialog } from "./ShareDialog";

afterEach(() => vi.unstubAllGlobals());

const type = (field: HTMLElement, value: string) => fireEvent.change(field, { target: { value } });

/** Signs in the teacher "me", who owns the questions these tests open. */
function signInAsOwner(store: ReturnType<typeof renderApp>["store"]) {
  act(() => {
    store.dispatch(
      signedIn({
        accessToken: "t",
        refreshToken: "r",
        user: { user_id: "me", email: "me@example.edu", name: "Me", role: "teacher" },
      }),
    );
  });
}

describe("ShareDialog", () => {
  it("shares by pasted emails and names a refused entry by its place", async () => {
    const requests = stubFetch(
      {
        status: 422,
        body: {
          detail: "no account has the email nobody@example.edu",
          code: "unknown_email",
          field: "teacher_emails.1",
          errors: [
            {
              detail: "no account has the email nobody@example.edu",
              code: "unknown_email",
              field: "teacher_emails.1",
            },
          ],
        },
      },
      { status: 200, body: { question_id: "q1", status: "active", revision: 1, version: 3 } },
    );
    const changed = vi.fn();
    renderApp(
      <ShareDialog
        open
        questionId="q1"
        sharedWith={[{ user_id: "t9", name: "Ada Lovelace", email: "ada@example.edu" }]}
        onClose={() => {}}
        onChanged={changed}
      />,
    );
    expect(screen.getByText("ada@example.edu")).toBeVisible();
    const field = screen.getByLabelText("Teacher emails (one per line)");
    type(field, "bob@example.edu\n\nnobody@example.edu\n");
    fireEvent.click(screen.getByRole("button", { name: "Share" }));
    await waitFor(() =>
      expect(field).toHaveAccessibleDescription(
        "Entry 2: no account has the email nobody@example.edu",
      ),
    );
    expect(await requests[0]!.json()).toEqual({
      teacher_emails: ["bob@example.edu", "nobody@example.edu"],
    });
    expect(changed).not.toHaveBeenCalled();

    type(field, "bob@example.edu");
    fireEvent.click(screen.getByRole("button", { name: "Share" }));
    expect(await screen.findByText(/Shared with 1 more teacher/)).toBeVisible();
    expect(changed).toHaveBeenCalledWith(expect.objectContaining({ version: 3 }));
  });
});

/** An XMLHttpRequest that reports progress, then answers `status`. */
function stubStore(status: number, body = "") {
  const sent: { url: string; form: FormData }[] = [];
  class FakeXhr {
    status = 0;
    responseText = "";
    upload: { onprogress?: (e: Partial<ProgressEvent>) => void } = {};
    onload?: () => void;
    onerror?: () => void;
    url = "";
    open(_method: string, url: string) {
      this.url = url;
    }
    send(form: FormData) {
      sent.push({ url: this.url, form });
      this.upload.onprogress?.({ lengthComputable: true, loaded: 50, total: 100 });
      setTimeout(() => {
        this.status = status;
        this.responseText = body;
        this.onload?.();
      }, 10);
    }
  }
  vi.stubGlobal("XMLHttpRequest", FakeXhr);
  return sent;
}

const OFFERED = {
  status: 201,
  body: {
    media_id: "m1",
    status: "offered",
    version: 1,
    upload: {
      url: "/objects/soems",
      fields: { key: "media/u/m1", "Content-Type": "image/png", policy: "p" },
      expires_at: "2030-01-01T00:00:00Z",
    },
  },
};
const png = () => new File([new Uint8Array([137, 80, 78, 71])], "graph.png", { type: "image/png" });

describe("MediaAttachments", () => {
  it("uploads straight to the store, confirms, then attaches the file", async () => {
    stubFetch(OFFERED, { status: 200, body: { media_id: "m1", status: "stored", version: 2 } });
    const sent = stubStore(204);
    const change = vi.fn();
    const { container } = renderApp(<MediaAttachments mediaIds={[]} onChange={change} />);
    const input = container.querySelector<HTMLInputElement>('input[type="file"]')!;
    fireEvent.change(input, { target: { files: [png()] } });
    await waitFor(() => expect(change).toHaveBeenCalledWith(["m1"]));
    expect(sent[0]!.url).toBe("/objects/soems");
    const fields = [...sent[0]!.form.keys()];
    expect(fields).toEqual(["key", "Content-Type", "policy", "file"]); // the file comes last
  });

  it("shows the store's and the API's refusals next to the upload control", async () => {
    stubFetch(OFFERED);
    stubStore(400, "<Error><Message>Your proposed upload exceeds the maximum</Message></Error>");
    const change = vi.fn();
    const { container } = renderApp(<MediaAttachments mediaIds={[]} onChange={change} />);
    const input = container.querySelector<HTMLInputElement>('input[type="file"]')!;
    fireEvent.change(input, { target: { files: [png()] } });
    const button = screen.getByRole("button", { name: "Upload an image or audio file" });
    await waitFor(() =>
      expect(button).toHaveAccessibleDescription(
        expect.stringContaining("exceeds the maximum") as unknown as string,
      ),
    );

    stubFetch({
      status: 422,
      body: { detail: "image/svg+xml is not allowed", code: "media_type", field: "content_type" },
    });
    fireEvent.change(input, { target: { files: [png()] } });
    expect(await screen.findByText("image/svg+xml is not allowed")).toBeVisible();
    expect(change).not.toHaveBeenCalled();
  });
});

describe("the editor of a question that is not yours", () => {
  it("is read-only, and offers a copy", () => {
    const initial = draftOf({
      question_type: "true_false",
      stem: "Shared stem",
      true_false: { correct: true },
    });
    renderApp(
      <QuestionEditor
        questionId="q1"
        initial={initial}
        ownerId="someone-else"
        read={{ version: 2, revision: 1, status: "active" }}
      />,
    );
    expect(screen.getByRole("heading", { name: "Question shared with you" })).toBeVisible();
    expect(screen.getByText(/shared with you: you can read and copy it/)).toBeVisible();
    expect(screen.queryByRole("button", { name: "Save a new revision" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Archive" })).toBeNull();
    expect(screen.getByRole("button", { name: "Copy" })).toBeEnabled();
    expect(screen.getByLabelText(/Question text/)).toBeDisabled();
  });

  it("of your own archived question offers Restore, then editing again", async () => {
    const requests = stubFetch({
      status: 200,
      body: { question_id: "q1", status: "active", revision: 1, version: 4 },
    });
    const initial = draftOf({
      question_type: "true_false",
      stem: "Mine",
      true_false: { correct: true },
    });
    const { store } = renderApp(
      <QuestionEditor
        questionId="q1"
        initial={initial}
        ownerId="me"
        read={{ version: 3, revision: 1, status: "archived" }}
      />,
    );
    signInAsOwner(store);
    expect(screen.getByLabelText(/Question text/)).toBeDisabled();
    fireEvent.click(screen.getByRole("button", { name: "Restore" }));
    expect(await screen.findByRole("button", { name: "Save a new revision" })).toBeVisible();
    expect(requests[0]!.url).toMatch(/\/v1\/questions\/q1\/restore$/);
    expect(screen.getByLabelText(/Question text/)).toBeEnabled();
  });
});

describe("the history", () => {
  it("says who wrote each revision and what changed, in words", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async (request: Request) => {
        const body = request.url.endsWith("/revisions")
          ? [
              {
                revision: 1,
                written_at: "2030-01-01T09:00:00Z",
                written_by: "t1",
                written_by_name: "Tess",
                changed: [],
              },
              {
                revision: 2,
                written_at: "2030-01-02T09:00:00Z",
                written_by: "t2",
                written_by_name: "Ada",
                changed: ["choice.options", "difficulty"],
              },
            ]
          : { question_id: "q1", stem: "Which planet?", revision: 2, version: 2 };
        return new Response(JSON.stringify(body), {
          headers: { "Content-Type": "application/json" },
        });
      }),
    );
    renderApp(
      <Routes>
        <Route path="/teacher/questions/:questionId/history" element={<QuestionHistoryPage />} />
      </Routes>,
      "/teacher/questions/q1/history",
    );
    const rows = await screen.findAllByRole("row");
    await waitFor(() => expect(screen.getAllByRole("row")).toHaveLength(3));
    expect(rows[0]).toBeDefined();
    const [, newest, first] = screen.getAllByRole("row");
    expect(newest).toHaveTextContent(/2 \(current\).*Ada.*Options, difficulty/);
    expect(first).toHaveTextContent(/Tess.*Written/);
    expect(screen.getByRole("link", { name: "View revision 1" })).toHaveAttribute(
      "href",
      "/teacher/questions/q1/revisions/1",
    );
  });

  it("names unknown fields by their last part", () => {
    const r = {
      revision: 3,
      written_at: "",
      written_by: "",
      written_by_name: null,
      changed: ["coding.language", "stem"],
    };
    expect(changedInWords(r)).toBe("Language, question text");
  });
});

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

describe("a file's text alternative", () => {
  it("is typed, or the file is marked decorative, and the image reads it", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () =>
        json({
          media_id: "m1",
          url: "/objects/m1",
          filename: "graph.png",
          content_type: "image/png",
        }),
      ),
    );
    const described = vi.fn();
    function Editing() {
      const [texts, setTexts] = useState<Record<string, string>>({});
      return (
        <MediaAttachments
          mediaIds={["m1"]}
          onChange={() => {}}
          descriptions={texts}
          onDescribe={(id, text) => {
            described(id, text);
            setTexts(text === undefined ? {} : { [id]: text });
          }}
        />
      );
    }
    renderApp(<Editing />);
    const field = screen.getByLabelText("Text alternative for file 1");
    expect(field).toHaveAccessibleDescription(/Not described yet/);
    expect(await screen.findByRole("img", { name: "graph.png" })).toBeVisible();
    type(field, "Rainfall by month, highest in July");
    expect(described).toHaveBeenLastCalledWith("m1", "Rainfall by month, highest in July");
    expect(screen.getByRole("img", { name: "Rainfall by month, highest in July" })).toBeVisible();
    fireEvent.click(screen.getByLabelText("File 1 is decorative (nothing to describe)"));
    expect(described).toHaveBeenLastCalledWith("m1", "");
    expect(field).toBeDisabled();
    expect(screen.queryByRole("img")).toBeNull(); // alt="": screen readers pass over it
  });
});

describe("restoring a revision", () => {
  it("sends the version shown, then opens the editor once it shows the restored one", async () => {
    const sent: Request[] = [];
    let questionReads = 0;
    const question = (revision: number, version: number, stem: string) => ({
      question_id: "q1",
      owner_id: "me",
      question_type: "true_false",
      stem,
      difficulty: "medium",
      topic: "",
      tags: [],
      estimated_minutes: 2,
      status: "active",
      revision,
      shared: false,
      copied_from: null,
      created_at: "2030-01-01T09:00:00Z",
      updated_at: "2030-01-01T09:00:00Z",
      version,
      shared_with: [],
      shared_with_teachers: [],
      content: { question_type: "true_false", stem, true_false: { correct: true } },
    });
    vi.stubGlobal(
      "fetch",
      vi.fn(async (request: Request) => {
        sent.push(request.clone());
        if (request.method === "POST") {
          return json({ question_id: "q1", status: "active", revision: 3, version: 3 });
        }
        if (request.url.endsWith("/revisions/1")) {
          return json({
            question_id: "q1",
            revision: 1,
            written_at: "2030-01-01T09:00:00Z",
            written_by: "me",
            content: {
              question_type: "true_false",
              stem: "First wording",
              true_false: { correct: true },
            },
          });
        }
        questionReads += 1;
        // The read model shows the restore only on the third read after the command.
        const caughtUp = sent.some((r) => r.method === "POST") && questionReads >= 4;
        return json(caughtUp ? question(3, 3, "First wording") : question(2, 2, "Second wording"));
      }),
    );
    const { store } = renderApp(
      <Routes>
        <Route path="/teacher/questions/:questionId" element={<QuestionEditorPage />} />
        <Route
          path="/teacher/questions/:questionId/revisions/:revision"
          element={<RevisionPage />}
        />
      </Routes>,
      "/teacher/questions/q1/revisions/1",
    );
    signInAsOwner(store);
    fireEvent.click(await screen.findByRole("button", { name: "Restore this revision" }));
    expect(
      await screen.findByText("Revision 1 is back, as revision 3.", {}, { timeout: 5000 }),
    ).toBeVisible();
    const restore = sent.find((r) => r.method === "POST")!;
    expect(restore.url).toMatch(/\/v1\/questions\/q1\/revisions\/1\/restore$/);
    expect(restore.headers.get("If-Match")).toBe('"2"');
    expect(screen.getByText("Revision 3")).toBeVisible();
    expect(screen.getByLabelText(/Question text/)).toHaveValue("First wording");
  });
});
