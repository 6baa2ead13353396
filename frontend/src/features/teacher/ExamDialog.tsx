import { useState, type FormEvent } from "react";
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  TextField,
  Typography,
} from "@mui/material";
import {
  useDraftExamV1ExamsPostMutation,
  useUpdateExamV1ExamsExamIdPutMutation,
  type ExamCommandResult,
  type ExamIn,
} from "../../api/commandApi.generated";
import { newCommandId, problemsOf } from "../../api/problems";
import type { ExamDocument } from "../../api/queryApi.generated";
import { fromLocalInput, toLocalInput, userTimeZone } from "../../time";
import { Failed } from "../shared";

const FIELDS = [
  "title",
  "description",
  "instructions",
  "duration_minutes",
  "window_opens_at",
  "window_closes_at",
] as const;

type Form = {
  title: string;
  description: string;
  instructions: string;
  duration_minutes: string;
  window_opens_at: string;
  window_closes_at: string;
};

function formOf(exam: ExamDocument | null): Form {
  return {
    title: exam?.title ?? "",
    description: exam?.description ?? "",
    instructions: exam?.instructions ?? "",
    duration_minutes: String(exam?.duration_minutes ?? 60),
    window_opens_at: toLocalInput(exam?.window_opens_at),
    window_closes_at: toLocalInput(exam?.window_closes_at),
  };
}

/** Drafts a new exam, or edits a draft (`exam` given) against the version it was read at. */
export function ExamDialog({
  exam,
  onClose,
}: {
  exam: ExamDocument | null;
  onClose: (saved: { result: ExamCommandResult; content: ExamIn } | null) => void;
}) {
  const [draft, drafting] = useDraftExamV1ExamsPostMutation();
  const [update, updating] = useUpdateExamV1ExamsExamIdPutMutation();
  const [form, setForm] = useState<Form>(() => formOf(exam));
  const problems = problemsOf(exam ? updating.error : drafting.error, FIELDS);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const content: ExamIn = {
      title: form.title,
      description: form.description,
      instructions: form.instructions,
      duration_minutes: Number(form.duration_minutes),
      window_opens_at: fromLocalInput(form.window_opens_at),
      window_closes_at: fromLocalInput(form.window_closes_at),
    };
    const key = newCommandId();
    const answer = exam
      ? await update({
          examId: exam.exam_id,
          examIn: content,
          "Idempotency-Key": key,
          "If-Match": `"${exam.version}"`,
        })
      : await draft({ examIn: content, "Idempotency-Key": key });
    if (answer.data) onClose({ result: answer.data, content });
  }

  const field = (name: (typeof FIELDS)[number]) => ({
    name,
    id: `exam-${name}`,
    value: form[name],
    onChange: (e: React.ChangeEvent<HTMLInputElement>) =>
      setForm({ ...form, [name]: e.target.value }),
    error: Boolean(problems.byField[name]),
    helperText: problems.byField[name],
    fullWidth: true,
    margin: "dense" as const,
  });

  return (
    <Dialog open onClose={() => onClose(null)} aria-labelledby="exam-dialog-title" fullWidth>
      <form onSubmit={submit} noValidate>
        <DialogTitle id="exam-dialog-title">{exam ? "Edit draft exam" : "New exam"}</DialogTitle>
        <DialogContent>
          <Failed message={problems.general} />
          <TextField label="Title" required autoFocus {...field("title")} />
          <TextField label="Description" multiline minRows={2} {...field("description")} />
          <TextField label="Instructions" multiline minRows={2} {...field("instructions")} />
          <TextField
            label="Duration (minutes)"
            type="number"
            required
            slotProps={{ htmlInput: { min: 1, max: 1440 } }}
            {...field("duration_minutes")}
          />
          <Typography variant="body2" sx={{ mt: 1 }}>
            Window times are in your time zone, {userTimeZone()}.
          </Typography>
          <TextField
            label="Window opens"
            type="datetime-local"
            slotProps={{ inputLabel: { shrink: true } }}
            {...field("window_opens_at")}
          />
          <TextField
            label="Window closes"
            type="datetime-local"
            slotProps={{ inputLabel: { shrink: true } }}
            {...field("window_closes_at")}
          />
        </DialogContent>
        <DialogActions>
          <Button onClick={() => onClose(null)}>Cancel</Button>
          <Button
            type="submit"
            variant="contained"
            disabled={drafting.isLoading || updating.isLoading}
          >
            {exam ? "Save" : "Create draft"}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
