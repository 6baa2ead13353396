// A published exam: only the safe changes remain (the rule, enforced by the exam's
// decider): close its window later, and change who takes it and their accommodations.
import { useState, type FormEvent } from "react";
import { Box, Button, Chip, Stack, TextField, Typography } from "@mui/material";
import { Link as RouterLink } from "react-router";
import { useExtendExamWindowV1ExamsExamIdExtendPostMutation } from "../../api/commandApi.generated";
import { newCommandId, problemsOf } from "../../api/problems";
import type { ExamDocument } from "../../api/queryApi.generated";
import { formatMoment, fromLocalInput, toLocalInput, userTimeZone } from "../../time";
import { FormPanel } from "../shared";
import { AssignForm, Assigned } from "./PeopleStep";

export function ManageExam({ exam }: { exam: ExamDocument }) {
  const [closes, setCloses] = useState(exam.window_closes_at ?? null);
  const applied = () => undefined; // these commands need no If-Match

  return (
    <Box>
      <Stack direction="row" spacing={2} sx={{ alignItems: "center", mb: 2 }}>
        <Typography component="h1" variant="h4" sx={{ flexGrow: 1 }}>
          {exam.title}
        </Typography>
        <Chip label={exam.status} />
        <Button component={RouterLink} to="/teacher" variant="outlined">
          Back to your exams
        </Button>
      </Stack>
      <Typography sx={{ mb: 2 }}>
        {exam.duration_minutes} minutes · window {formatMoment(exam.window_opens_at)} –{" "}
        {formatMoment(closes)}. A published exam keeps its questions and settings: copy it into a
        new draft to change them.
      </Typography>
      {exam.status === "published" && (
        <ExtendWindow examId={exam.exam_id} closes={closes} onExtended={setCloses} />
      )}
      <AssignForm examId={exam.exam_id} onApplied={applied} />
      <Assigned examId={exam.exam_id} onApplied={applied} />
    </Box>
  );
}

function ExtendWindow({
  examId,
  closes,
  onExtended,
}: {
  examId: string;
  closes: string | null;
  onExtended: (closes: string) => void;
}) {
  const [extend, extending] = useExtendExamWindowV1ExamsExamIdExtendPostMutation();
  const [value, setValue] = useState(toLocalInput(closes));
  const [done, setDone] = useState(false);
  const problems = problemsOf(extending.error, ["window_closes_at"]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setDone(false);
    const moment = fromLocalInput(value);
    const answer = await extend({
      examId,
      "Idempotency-Key": newCommandId(),
      extendIn: { window_closes_at: moment ?? "" },
    });
    if (answer.data && moment) {
      onExtended(moment);
      setDone(true);
    }
  }

  return (
    <FormPanel
      id="extend"
      title="Close the window later"
      error={problems.general}
      onSubmit={submit}
      sx={{ mb: 2 }}
    >
      <Stack direction={{ xs: "column", sm: "row" }} spacing={2} sx={{ alignItems: "flex-start" }}>
        <TextField
          id="extend-window_closes_at"
          label={`Window closes (${userTimeZone()})`}
          type="datetime-local"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          error={Boolean(problems.byField.window_closes_at)}
          helperText={problems.byField.window_closes_at}
          slotProps={{ inputLabel: { shrink: true } }}
          size="small"
        />
        <Button type="submit" variant="outlined" disabled={extending.isLoading}>
          Extend the window
        </Button>
        {done && <Typography role="status">The window is extended.</Typography>}
      </Stack>
    </FormPanel>
  );
}
