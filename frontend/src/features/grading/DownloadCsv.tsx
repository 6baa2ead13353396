// A button that fetches one of the query API's CSV files (through the store, so the token
// refresh and error handling are the app's) and saves it.
import { useState } from "react";
import { Button } from "@mui/material";
import { problemsOf } from "../../api/problems";
import { queryApi, type ExportedFile } from "../../api/queryApi.generated";
import { useAppDispatch } from "../../app/store";
import { fileOf } from "../questions/ExportQuestions";
import { saveFile } from "../shared";

export function DownloadCsv({
  examId,
  what,
  label,
  onFailed,
}: {
  examId: string;
  what: "results" | "items";
  label: string;
  onFailed: (message: string | null) => void;
}) {
  const dispatch = useAppDispatch();
  const [busy, setBusy] = useState(false);

  async function download() {
    setBusy(true);
    onFailed(null);
    try {
      const endpoint =
        what === "results"
          ? queryApi.endpoints.exportGradesV1ExamsExamIdGradesExportGet
          : queryApi.endpoints.exportItemStatisticsV1AnalyticsExamsExamIdExportGet;
      const answer = await dispatch(
        endpoint.initiate({ examId }, { subscribe: false, forceRefetch: true }),
      );
      const file: ExportedFile | undefined = answer.data;
      if (!file) {
        onFailed(problemsOf(answer.error, []).general ?? "The download failed.");
        return;
      }
      saveFile(file.filename, fileOf({ ...file, questions: [] }));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Button onClick={download} disabled={busy}>
      {label}
    </Button>
  );
}
