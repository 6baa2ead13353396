// Grade one question across all students, one answer at a time: the question, its model
// answer and rubric beside each student's answer; points (or a level per rubric criterion)
// and a feedback; "Save and next" moves on to the next answer still to grade. Students are
// anonymised unless the teacher asks for names. Alt+← / Alt+→ move between answers.
import { useEffect, useMemo, useState, type FormEvent } from "react";
import {
  Box,
  Button,
  FormControl,
  FormControlLabel,
  FormLabel,
  Paper,
  Radio,
  RadioGroup,
  Stack,
  Switch,
  TextField,
  Typography,
} from "@mui/material";
import { Link as RouterLink, useParams } from "react-router";
import {
  useGradeAnswerV1AttemptsAttemptIdGradesQuestionIdPutMutation,
  type GradeResult,
} from "../../api/commandApi.generated";
import { newCommandId, problemsOf } from "../../api/problems";
import {
  useGradingQueueV1ExamsExamIdGradingQueueGetQuery,
  type QuestionForGrading,
  type QueuedAnswer,
} from "../../api/queryApi.generated";
import { Empty, Failed, FormPanel, Loading, PageHeader } from "../shared";
import JudgeReportView from "./JudgeReportView";
import { points } from "./points";
import { RegradePanel } from "./RegradePanel";

/** Every answer of the question on one page: an exam's cohort, graded in one sitting. */
const ANSWERS_AT_ONCE = 100;

/** What a student answered, as text for the grader: picked options by their text. */
export function answerText(
  answer: QueuedAnswer["answer"],
  options: QuestionForGrading["options"] = [],
): string | null {
  if (!answer) return null;
  if (typeof answer.text === "string") return answer.text;
  if (typeof answer.code === "string") return answer.code;
  if (Array.isArray(answer.option_ids)) {
    const texts = new Map((options ?? []).map((o) => [o.option_id, o.text]));
    const picked = (answer.option_ids as string[]).map((id) => texts.get(id) ?? id);
    return `Picked: ${picked.join(", ")}`;
  }
  return JSON.stringify(answer);
}

/** The points a rubric scoring gives, scaled to the question's points (as the server does). */
export function rubricPoints(
  question: QuestionForGrading,
  picks: Record<string, number>,
): number | null {
  const rubric = question.rubric ?? [];
  if (!rubric.length || rubric.some((c) => picks[c.criterion_id] === undefined)) return null;
  const got = rubric.reduce((sum, c) => sum + c.levels[picks[c.criterion_id]!]!.points, 0);
  const top = rubric.reduce((sum, c) => sum + Math.max(...c.levels.map((l) => l.points)), 0);
  return top > 0 ? Math.round((question.max_points * got * 10_000) / top) / 10_000 : 0;
}

export default function GradingPage() {
  const { examId = "", questionId = "" } = useParams();
  const [names, setNames] = useState(false);
  const found = useGradingQueueV1ExamsExamIdGradingQueueGetQuery(
    { examId, questionId, state: "all", names, perPage: ANSWERS_AT_ONCE },
    { refetchOnMountOrArgChange: true },
  );
  // Grades saved on this page, by attempt: the queue (a read model) shows them a moment later.
  const [saved, setSaved] = useState<Record<string, GradeResult>>({});
  const [position, setPosition] = useState<number | null>(null);
  const items = useMemo(() => found.data?.items ?? [], [found.data]);
  const graded = (item: QueuedAnswer) => item.graded || Boolean(saved[item.attempt_id]);
  const firstPending = items.findIndex((item) => !graded(item));
  const at = position ?? Math.max(0, firstPending);

  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (!event.altKey || !items.length) return;
      if (event.key === "ArrowRight") setPosition(Math.min(items.length - 1, at + 1));
      else if (event.key === "ArrowLeft") setPosition(Math.max(0, at - 1));
      else return;
      event.preventDefault();
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [at, items.length]);

  if (found.isLoading) return <Loading what="the answers to grade" />;
  if (!found.data) return <Failed message={problemsOf(found.error, []).general} />;
  const { question } = found.data;
  const left = items.filter((item) => !graded(item)).length;
  const current = items[at];

  function next() {
    const after = items.findIndex((item, n) => n > at && !graded(item));
    setPosition(after >= 0 ? after : Math.min(items.length - 1, at + 1));
  }

  return (
    <Box>
      <PageHeader title="Grade a question">
        <Button component={RouterLink} to={`/teacher/exams/${examId}/grades`}>
          Back to the grades
        </Button>
      </PageHeader>
      {question && <QuestionPanel question={question} />}
      <Stack
        direction="row"
        spacing={2}
        useFlexGap
        sx={{ alignItems: "center", flexWrap: "wrap", my: 2 }}
      >
        <Box sx={{ flexGrow: 1 }}>
          <Typography role="status">
            {items.length
              ? `Answer ${at + 1} of ${items.length} · ${left} still to grade`
              : "No answers yet"}
          </Typography>
          <Typography variant="body2" color="text.secondary">
            Alt+← and Alt+→ move between answers.
          </Typography>
        </Box>
        <FormControlLabel
          control={<Switch checked={names} onChange={(e) => setNames(e.target.checked)} />}
          label="Show names"
        />
        <Button onClick={() => setPosition(Math.max(0, at - 1))} disabled={at === 0}>
          Previous
        </Button>
        <Button
          onClick={() => setPosition(Math.min(items.length - 1, at + 1))}
          disabled={at >= items.length - 1}
        >
          Next
        </Button>
      </Stack>
      {current && question ? (
        <GradeForm
          key={current.attempt_id}
          examQuestion={question}
          questionId={questionId}
          item={current}
          saved={saved[current.attempt_id]}
          onSaved={(result) => {
            setSaved((s) => ({ ...s, [current.attempt_id]: result }));
            next();
          }}
        />
      ) : (
        <Empty>No student has answered this question in a submitted attempt yet.</Empty>
      )}
      {question &&
        (question.question_type !== "long_answer" || (question.rubric ?? []).length > 0) && (
          <RegradePanel
            examId={examId}
            questionId={questionId}
            essay={question.question_type === "long_answer"}
            labels={Object.fromEntries(
              items.map((item) => [item.attempt_id, item.name ?? item.label]),
            )}
            onApplied={() => {
              setSaved({});
              void found.refetch();
            }}
          />
        )}
    </Box>
  );
}

function QuestionPanel({ question }: { question: QuestionForGrading }) {
  return (
    <Paper variant="outlined" sx={{ p: 2 }}>
      <Typography component="h2" variant="h6" gutterBottom>
        The question ({points(question.max_points)} points)
      </Typography>
      <Typography sx={{ whiteSpace: "pre-wrap", mb: 1 }}>{question.stem}</Typography>
      {question.model_answer && (
        <Typography variant="body2" sx={{ whiteSpace: "pre-wrap" }}>
          <strong>Model answer:</strong> {question.model_answer}
        </Typography>
      )}
    </Paper>
  );
}

function GradeForm({
  examQuestion,
  questionId,
  item,
  saved,
  onSaved,
}: {
  examQuestion: QuestionForGrading;
  questionId: string;
  item: QueuedAnswer;
  saved: GradeResult | undefined;
  onSaved: (result: GradeResult) => void;
}) {
  const rubric = examQuestion.rubric ?? [];
  const [picks, setPicks] = useState<Record<string, number>>(item.rubric ?? {});
  const [typed, setTyped] = useState(item.points === null ? "" : String(item.points));
  const [feedback, setFeedback] = useState(item.teacher_feedback ?? "");
  const [grade, grading] = useGradeAnswerV1AttemptsAttemptIdGradesQuestionIdPutMutation();
  const fields = ["points", "feedback", ...rubric.map((c) => `rubric.${c.criterion_id}`)];
  const [missing, setMissing] = useState(false);
  const refused = problemsOf(grading.error, fields);
  const problems = missing
    ? { ...refused, byField: { ...refused.byField, points: "Give the points for this answer" } }
    : refused;
  const fromRubric = rubricPoints(examQuestion, picks);
  const text = answerText(item.answer, examQuestion.options);
  const who = item.name ? `${item.name} (${item.label})` : item.label;
  const shown = saved
    ? `Saved: ${points(saved.points)} of ${points(saved.max_points)}`
    : item.graded && item.points !== null
      ? `Graded ${item.method === "manual" ? "by hand" : item.method === "judge" ? "by the judge" : "automatically"}: ${points(item.points)} of ${points(item.max_points)}${item.detail ? ` (${item.detail})` : ""}`
      : "Not graded yet";

  async function submit(event: FormEvent) {
    event.preventDefault();
    setMissing(!rubric.length && typed === "");
    if (!rubric.length && typed === "") return;
    const answer = await grade({
      attemptId: item.attempt_id,
      questionId,
      "Idempotency-Key": newCommandId(),
      gradeIn: {
        ...(rubric.length ? { rubric: picks } : { points: Number(typed) }),
        feedback: feedback.trim() ? feedback : null,
      },
    });
    if (answer.data) onSaved(answer.data);
  }

  return (
    <FormPanel id="grade" title={`Answer of ${who}`} error={problems.general} onSubmit={submit}>
      <Paper
        variant="outlined"
        sx={{
          p: 2,
          mb: 2,
          bgcolor: "grey.50",
          whiteSpace: "pre-wrap",
          fontFamily: item.answer?.code ? "monospace" : undefined,
        }}
        aria-label="The student's answer"
      >
        {text ?? <em>Not answered.</em>}
      </Paper>
      {item.judge && (
        <Box sx={{ mb: 2 }}>
          <JudgeReportView report={item.judge} label={`Tests of ${who}'s program`} />
        </Box>
      )}
      <Typography role="status" sx={{ mb: 2 }}>
        {shown}
      </Typography>
      {rubric.length ? (
        <Stack spacing={2} sx={{ mb: 2 }}>
          {rubric.map((criterion) => {
            const error = problems.byField[`rubric.${criterion.criterion_id}`];
            return (
              <FormControl key={criterion.criterion_id} error={Boolean(error)}>
                <FormLabel id={`criterion-${criterion.criterion_id}`}>{criterion.title}</FormLabel>
                <RadioGroup
                  row
                  aria-labelledby={`criterion-${criterion.criterion_id}`}
                  value={picks[criterion.criterion_id] ?? ""}
                  onChange={(e) =>
                    setPicks((p) => ({ ...p, [criterion.criterion_id]: Number(e.target.value) }))
                  }
                >
                  {criterion.levels.map((level, n) => (
                    <FormControlLabel
                      key={n}
                      value={n}
                      control={<Radio />}
                      label={`${level.label} (${points(level.points)})`}
                    />
                  ))}
                </RadioGroup>
                {error && <Typography color="error">{error}</Typography>}
              </FormControl>
            );
          })}
          <Typography>
            {fromRubric === null
              ? `Pick a level for every criterion to get the points (out of ${points(examQuestion.max_points)}).`
              : `Points from the rubric: ${points(fromRubric)} of ${points(examQuestion.max_points)}`}
          </Typography>
        </Stack>
      ) : (
        <TextField
          id="grade-points"
          label={`Points (0 to ${points(item.max_points)})`}
          type="number"
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          error={Boolean(problems.byField.points)}
          helperText={problems.byField.points}
          slotProps={{ htmlInput: { min: 0, max: item.max_points, step: 0.25 } }}
          size="small"
          sx={{ mb: 2, display: "block" }}
        />
      )}
      <TextField
        id="grade-feedback"
        label="Feedback for the student"
        helperText={
          problems.byField.feedback ?? "Shown to the student once you publish the results"
        }
        error={Boolean(problems.byField.feedback)}
        value={feedback}
        onChange={(e) => setFeedback(e.target.value)}
        multiline
        minRows={3}
        fullWidth
        sx={{ mb: 2 }}
      />
      <Button type="submit" variant="contained" disabled={grading.isLoading}>
        Save and next
      </Button>
    </FormPanel>
  );
}
