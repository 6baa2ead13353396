// Export what the bank's search finds (every page of it, up to the API's 5,000 a file) as
// CSV or a QTI 2.1 / 3.0 package; what a format cannot hold is listed per question.
import { useState } from "react";
import { Alert, AlertTitle, Box, Button, Menu, MenuItem } from "@mui/material";
import {
  useExportQuestionsV1QuestionsExportsPostMutation,
  type ExportedQuestion,
  type ExportIn,
  type QuestionExport,
} from "../../api/commandApi.generated";
import { newCommandId, problemsOf } from "../../api/problems";
import { queryApi, type SearchQuestionsV1QuestionsGetApiArg } from "../../api/queryApi.generated";
import { useAppDispatch } from "../../app/store";
import { saveFile } from "../shared";

const MOST = 5_000; // the export route's limit
const FORMATS: [NonNullable<ExportIn["format"]>, string][] = [
  ["csv", "CSV"],
  ["qti21", "QTI 2.1 package"],
  ["qti30", "QTI 3.0 package"],
];

export function fileOf(exported: QuestionExport): Blob {
  const bytes = Uint8Array.from(atob(exported.data_base64), (c) => c.charCodeAt(0));
  return new Blob([bytes], { type: exported.content_type });
}

/** What the format could not hold, per question (shown under the bank's header). */
export function ExportReport({
  lost,
  names,
  onClose,
}: {
  lost: ExportedQuestion[];
  names: ReadonlyMap<string, string>; // question id -> its text, where the page knows it
  onClose: () => void;
}) {
  if (!lost.length) return null;
  return (
    <Alert severity="warning" role="alert" onClose={onClose} sx={{ mb: 2 }}>
      <AlertTitle>Parts the format cannot hold were left out</AlertTitle>
      <Box component="ul" sx={{ m: 0, pl: 2 }}>
        {lost.slice(0, 20).map((q) => (
          <li key={q.question_id}>
            {names.get(q.question_id) ?? q.question_id}: {q.not_mapped.join("; ")}
          </li>
        ))}
      </Box>
    </Alert>
  );
}

export function ExportQuestions({
  search,
  found,
  onDone,
  onFailed,
}: {
  search: SearchQuestionsV1QuestionsGetApiArg;
  found: number;
  onDone: (notice: string, lost: ExportedQuestion[]) => void;
  onFailed: (message: string | null) => void;
}) {
  const dispatch = useAppDispatch();
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const [busy, setBusy] = useState(false);
  const [exportQuestions] = useExportQuestionsV1QuestionsExportsPostMutation();

  async function run(format: NonNullable<ExportIn["format"]>) {
    setAnchor(null);
    setBusy(true);
    onFailed(null);
    try {
      const ids: string[] = [];
      for (let page = 1; ids.length < Math.min(found, MOST); page += 1) {
        const answer = await dispatch(
          queryApi.endpoints.searchQuestionsV1QuestionsGet.initiate(
            { ...search, page, perPage: 100 },
            { subscribe: false, forceRefetch: true },
          ),
        );
        const items = answer.data?.items ?? [];
        ids.push(...items.map((q) => q.question_id));
        if (items.length < 100) break;
      }
      if (!ids.length) return;
      const answer = await exportQuestions({
        "Idempotency-Key": newCommandId(),
        exportIn: { question_ids: ids.slice(0, MOST), format },
      });
      if (!answer.data) {
        onFailed(problemsOf(answer.error, []).general ?? "The export failed.");
        return;
      }
      saveFile(answer.data.filename, fileOf(answer.data));
      const exported = answer.data.questions.filter((q) => q.exported).length;
      onDone(
        `Exported ${exported} question${exported === 1 ? "" : "s"} to ${answer.data.filename}.`,
        answer.data.questions.filter((q) => q.not_mapped.length),
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <Button
        variant="outlined"
        disabled={busy || found === 0}
        aria-haspopup="menu"
        aria-expanded={Boolean(anchor)}
        onClick={(e) => setAnchor(e.currentTarget)}
      >
        {busy ? "Exporting…" : `Export ${Math.min(found, MOST)} found`}
      </Button>
      <Menu anchorEl={anchor} open={Boolean(anchor)} onClose={() => setAnchor(null)}>
        {FORMATS.map(([format, label]) => (
          <MenuItem key={format} onClick={() => run(format)}>
            {label}
          </MenuItem>
        ))}
      </Menu>
    </>
  );
}
