import { useEffect, useRef, useState, type ChangeEvent } from "react";
import {
  Alert,
  AlertTitle,
  Box,
  Button,
  LinearProgress,
  Link,
  MenuItem,
  Stack,
  TableCell,
  TableRow,
  TextField,
  Typography,
} from "@mui/material";
import { Link as RouterLink } from "react-router";
import {
  useCsvTemplateV1QuestionsExportsTemplatePostMutation,
  useImportQuestionsV1QuestionsImportsPostMutation,
  usePreviewImportV1QuestionsImportsPreviewPostMutation,
  type ImportQuestionsV1QuestionsImportsPostApiArg,
  type ImportResult,
} from "../../api/commandApi.generated";
import { newCommandId, problemsOf } from "../../api/problems";
import { FileUnreadable, RowProblems, RowStatus } from "../fileReport";
import { Failed, RowsTable, saveFile } from "../shared";
import { typeLabel } from "./draft";
import { useBankPath } from "./QuestionEditorPage";

type Format = NonNullable<ImportQuestionsV1QuestionsImportsPostApiArg["format"]>;
const FORMATS: { value: Format; label: string }[] = [
  { value: "csv", label: "CSV (the SOEMS template)" },
  { value: "qti", label: "IMS QTI package (.zip)" },
  { value: "moodle_xml", label: "Moodle XML" },
];
/** Rows listed at once; a 10,000-row file shows its bad rows first. */
const SHOWN = 200;

export function formatOf(name: string): Format {
  const lower = name.toLowerCase();
  if (lower.endsWith(".zip")) return "qti";
  if (lower.endsWith(".xml")) return "moodle_xml";
  return "csv";
}

/** Saves a file the API answered as base64 (the CSV template). */
function download(filename: string, contentType: string, base64: string) {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  saveFile(filename, new Blob([bytes], { type: contentType }));
}

export default function ImportPage() {
  const bank = useBankPath();
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState<Format>("csv");
  // One command id per chosen file: a retried import stores nothing twice.
  const [commandId, setCommandId] = useState(newCommandId);
  const [result, setResult] = useState<ImportResult | null>(null);
  // The import button is disabled once it has done its work: the keyboard goes on to the result.
  const seeThem = useRef<HTMLAnchorElement>(null);
  useEffect(() => {
    if (result) seeThem.current?.focus();
  }, [result]);
  const [preview, previewing] = usePreviewImportV1QuestionsImportsPreviewPostMutation();
  const [importFile, importing] = useImportQuestionsV1QuestionsImportsPostMutation();
  const [template, fetchingTemplate] = useCsvTemplateV1QuestionsExportsTemplatePostMutation();
  const report = previewing.data;
  const failure = [previewing.error, fetchingTemplate.error]
    .map((e) => problemsOf(e, []).general)
    .find(Boolean);
  const refused = problemsOf(importing.error, []).unplaced;
  const busy = previewing.isLoading || importing.isLoading;
  const unreadable = Boolean(report?.file_errors.length);

  async function check(chosen: File, as: Format) {
    setResult(null);
    importing.reset();
    await preview({ format: as, body: chosen });
  }

  async function onChoose(event: ChangeEvent<HTMLInputElement>) {
    const chosen = event.target.files?.[0];
    event.target.value = ""; // the same file may be chosen again after a fix
    if (!chosen) return;
    const as = formatOf(chosen.name);
    setFile(chosen);
    setFormat(as);
    setCommandId(newCommandId());
    await check(chosen, as);
  }

  async function onImport(onlyValid: boolean) {
    if (!file) return;
    const answer = await importFile({
      format,
      onlyValid,
      body: file,
      "Idempotency-Key": commandId,
    });
    if (answer.data) setResult(answer.data);
  }

  async function onTemplate() {
    const answer = await template();
    if (answer.data) {
      download(answer.data.filename, answer.data.content_type, answer.data.data_base64);
    }
  }

  const items = report
    ? [...report.items.filter((i) => !i.valid), ...report.items.filter((i) => i.valid)]
    : [];

  return (
    <Box>
      <Stack direction="row" spacing={2} sx={{ alignItems: "center", mb: 2 }}>
        <Typography component="h1" variant="h4" sx={{ flexGrow: 1 }}>
          Import questions
        </Typography>
        <Button onClick={onTemplate} disabled={fetchingTemplate.isLoading}>
          Download the CSV template
        </Button>
        <Button component={RouterLink} to={bank}>
          Back to the bank
        </Button>
      </Stack>
      <Typography sx={{ mb: 2 }}>
        Choose a CSV file made from the template, an IMS QTI package or a Moodle XML export. Nothing
        is stored until you import: first every row is checked and its problems listed.
      </Typography>
      <Stack direction={{ xs: "column", sm: "row" }} spacing={2} sx={{ mb: 2 }}>
        <Button variant="contained" component="label" disabled={busy}>
          Choose a file
          <input
            ref={input}
            hidden
            type="file"
            accept=".csv,.txt,.zip,.xml,text/csv,application/zip,application/xml,text/xml"
            onChange={onChoose}
          />
        </Button>
        <TextField
          select
          size="small"
          label="Format"
          value={format}
          onChange={(e) => {
            const as = e.target.value as Format;
            setFormat(as);
            if (file) void check(file, as);
          }}
          sx={{ minWidth: 240 }}
        >
          {FORMATS.map((f) => (
            <MenuItem key={f.value} value={f.value}>
              {f.label}
            </MenuItem>
          ))}
        </TextField>
        {file && (
          <Typography sx={{ alignSelf: "center" }}>
            {file.name} ({Math.max(1, Math.round(file.size / 1024))} KB)
          </Typography>
        )}
      </Stack>
      {busy && (
        <Box role="status" sx={{ mb: 2 }}>
          <Typography variant="body2">
            {importing.isLoading ? "Importing…" : "Uploading and checking the file…"}
          </Typography>
          <LinearProgress aria-label={importing.isLoading ? "Importing" : "Checking the file"} />
        </Box>
      )}
      <Failed message={failure ?? null} />
      {refused.length > 0 && (
        <Alert severity="error" role="alert" sx={{ mb: 2 }}>
          <AlertTitle>Nothing was imported</AlertTitle>
          <Box component="ul" sx={{ m: 0, pl: 2 }}>
            {refused.slice(0, 20).map((problem) => (
              <li key={problem}>{problem}</li>
            ))}
          </Box>
        </Alert>
      )}
      {result && (
        <Alert severity="success" role="status" sx={{ mb: 2 }}>
          Imported {result.imported} question{result.imported === 1 ? "" : "s"}
          {result.skipped.length > 0 && ` (rows left out: ${result.skipped.join(", ")})`}.{" "}
          <Link component={RouterLink} to={bank} ref={seeThem}>
            See them in the bank
          </Link>
        </Alert>
      )}
      {report && (
        <Box component="section" aria-labelledby="import-report">
          <Typography id="import-report" component="h2" variant="h6" gutterBottom>
            {report.total} {report.total === 1 ? "question" : "questions"} in the file:{" "}
            {report.valid} ready, {report.invalid} with problems
          </Typography>
          {report.invalid > 0 && !unreadable && !result && (
            <Typography sx={{ mb: 2 }}>
              Correct the rows listed with problems in your file and choose it again, or import only
              the ready rows.
            </Typography>
          )}
          {unreadable && <FileUnreadable problems={report.file_errors} />}
          <Stack direction="row" spacing={2} sx={{ mb: 2 }}>
            <Button
              variant="contained"
              disabled={busy || unreadable || report.invalid > 0 || !report.valid || !!result}
              onClick={() => onImport(false)}
            >
              Import all
            </Button>
            <Button
              variant="outlined"
              disabled={busy || unreadable || !report.valid || !!result}
              onClick={() => onImport(true)}
            >
              Import the valid rows
            </Button>
          </Stack>
          {items.length > 0 && (
            <RowsTable
              label="Rows of the file"
              columns={["Row", "Status", "Type", "Question", "Problems"]}
              footer={
                items.length > SHOWN && (
                  <Typography variant="body2" sx={{ p: 1 }}>
                    The first {SHOWN} of {items.length} rows are listed (every row with a problem
                    comes first).
                  </Typography>
                )
              }
            >
              {items.slice(0, SHOWN).map((item) => (
                <TableRow key={item.position}>
                  <TableCell>{item.position}</TableCell>
                  <TableCell>
                    <RowStatus valid={item.valid} />
                  </TableCell>
                  <TableCell sx={{ whiteSpace: "nowrap" }}>
                    {item.question_type ? typeLabel(item.question_type) : "—"}
                  </TableCell>
                  <TableCell sx={{ maxWidth: 360 }}>{item.stem ?? "—"}</TableCell>
                  <TableCell>
                    <RowProblems
                      errors={item.errors}
                      extra={item.not_mapped.map((m) => `Not imported: ${m}`)}
                    />
                  </TableCell>
                </TableRow>
              ))}
            </RowsTable>
          )}
        </Box>
      )}
    </Box>
  );
}
