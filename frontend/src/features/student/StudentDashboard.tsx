import {
  Box,
  Button,
  Card,
  CardActions,
  CardContent,
  Chip,
  Stack,
  Typography,
} from "@mui/material";
import { Link as RouterLink } from "react-router";
import { problemsOf } from "../../api/problems";
import {
  useListExamsV1ExamsGetQuery,
  useListOwnAttemptsV1AttemptsGetQuery,
  type AttemptSummary,
  type ExamSummary,
} from "../../api/queryApi.generated";
import { gradeText, points } from "../grading/points";
import { formatMoment, userTimeZone } from "../../time";
import { Empty, Failed, Loading } from "../shared";

/** The window this student sits the exam in: their own (an accommodation) or the exam's. */
export function yourWindow(exam: ExamSummary): [string | null, string | null] {
  const own = exam.your_terms;
  return own?.window_opens_at
    ? [own.window_opens_at, own.window_closes_at]
    : [exam.window_opens_at, exam.window_closes_at];
}

/** Minutes this student has: the exam's duration plus their extra time, if any. */
export function yourMinutes(exam: ExamSummary): number {
  const own = exam.your_terms;
  if (!own) return exam.duration_minutes;
  return Math.round(
    exam.duration_minutes + own.extra_minutes + (exam.duration_minutes * own.extra_percent) / 100,
  );
}

export function windowState(exam: ExamSummary, now = Date.now()): "open" | "upcoming" | "closed" {
  const [opensAt, closesAt] = yourWindow(exam);
  const opens = opensAt ? new Date(opensAt).getTime() : -Infinity;
  const closes = closesAt ? new Date(closesAt).getTime() : Infinity;
  return now < opens ? "upcoming" : now > closes ? "closed" : "open";
}

const LABEL = { open: "Open now", upcoming: "Upcoming", closed: "Closed" } as const;

/** Whole minutes left of an attempt in progress, by the server's clock when it answered. */
export function minutesLeft(attempt: AttemptSummary): number {
  if (attempt.paused_at) {
    return Math.ceil(
      (new Date(attempt.deadline).getTime() - new Date(attempt.paused_at).getTime()) / 60_000,
    );
  }
  const left = new Date(attempt.deadline).getTime() - new Date(attempt.server_time).getTime();
  return Math.max(0, Math.ceil(left / 60_000));
}

/** Your sitting of the exam: in progress (time left, answers saved) or submitted. */
function YourAttempt({ attempt, title }: { attempt: AttemptSummary; title: string }) {
  if (attempt.status === "submitted") {
    const results = attempt.results;
    return (
      <>
        <Typography variant="body2" sx={{ mt: 1 }}>
          Submitted {formatMoment(attempt.submitted_at)}
          {attempt.submit_reason === "deadline" ? ", when the time ran out" : ""}.{" "}
          {attempt.answered} of {attempt.question_count} questions answered.
        </Typography>
        {results && (
          <>
            <Typography sx={{ mt: 1 }}>
              Your result: {points(results.score)} of {points(results.max_score)} points (
              {points(results.percent)} %){gradeText(results)}
              {results.complete ? "" : ", some answers are still being graded"}.
            </Typography>
            <CardActions sx={{ px: 0, pb: 0 }}>
              <Button
                component={RouterLink}
                to={`/student/attempts/${attempt.attempt_id}/results`}
                aria-label={`See your marks: ${title}`}
              >
                See your marks
              </Button>
            </CardActions>
          </>
        )}
      </>
    );
  }
  const left = minutesLeft(attempt);
  return (
    <>
      <Typography variant="body2" sx={{ mt: 1 }}>
        {attempt.paused_at ? "Paused by your proctor with " : ""}
        {left} minute{left === 1 ? "" : "s"} left
        {attempt.paused_at ? "" : ` (until ${formatMoment(attempt.deadline)})`}. {attempt.answered}{" "}
        of {attempt.question_count} questions answered.
      </Typography>
      <CardActions sx={{ px: 0, pb: 0 }}>
        <Button
          component={RouterLink}
          to={`/student/attempts/${attempt.attempt_id}`}
          variant="contained"
          aria-label={`Continue the exam: ${title}`}
        >
          Continue the exam
        </Button>
      </CardActions>
    </>
  );
}

export default function StudentDashboard() {
  const { data, isLoading, error } = useListExamsV1ExamsGetQuery({
    status: "published",
    sort: "window_opens_at",
    perPage: 100,
  });
  // Your attempts: in progress with the time left, or submitted (read again every 30 s).
  const attempts = useListOwnAttemptsV1AttemptsGetQuery(
    {},
    { pollingInterval: 30_000, refetchOnMountOrArgChange: true },
  );
  const latest = new Map<string, AttemptSummary>();
  for (const attempt of attempts.data?.items ?? []) {
    if (!latest.has(attempt.exam_id)) latest.set(attempt.exam_id, attempt); // newest first
  }
  const zone = userTimeZone();

  return (
    <Box>
      <Typography component="h1" variant="h4" gutterBottom>
        My exams
      </Typography>
      <Typography variant="body2" sx={{ mb: 2 }}>
        Times are shown in your time zone, {zone}.
      </Typography>
      <Failed message={problemsOf(error, []).general} />
      {isLoading ? (
        <Loading what="your exams" />
      ) : !data?.items.length ? (
        <Empty>No exams for you yet. They appear here when your teachers publish them.</Empty>
      ) : (
        <Stack component="ul" spacing={2} sx={{ p: 0, m: 0 }}>
          {data.items.map((exam) => {
            const state = windowState(exam);
            const [opens, closes] = yourWindow(exam);
            const minutes = yourMinutes(exam);
            const attempt = latest.get(exam.exam_id);
            const chip: { label: string; color: "default" | "success" | "primary" } = attempt
              ? attempt.status === "submitted"
                ? { label: "Submitted", color: "default" }
                : { label: "In progress", color: "primary" }
              : { label: LABEL[state], color: state === "open" ? "success" : "default" };
            return (
              <Card key={exam.exam_id} component="li" variant="outlined" sx={{ listStyle: "none" }}>
                <CardContent>
                  <Stack direction="row" spacing={1} sx={{ alignItems: "center", mb: 1 }}>
                    <Typography component="h2" variant="h6" sx={{ flexGrow: 1 }}>
                      {exam.title}
                    </Typography>
                    <Chip label={chip.label} color={chip.color} size="small" />
                  </Stack>
                  <Typography variant="body2">
                    {minutes === exam.duration_minutes
                      ? `${minutes} minutes`
                      : `${minutes} minutes (${exam.duration_minutes} plus your extra time)`}
                  </Typography>
                  <Typography variant="body2">
                    {exam.your_terms?.window_opens_at ? "Your own window: opens " : "Opens "}
                    {formatMoment(opens, zone)}, closes {formatMoment(closes, zone)}
                  </Typography>
                  {attempt && <YourAttempt attempt={attempt} title={exam.title} />}
                </CardContent>
                {state === "open" && !attempt && (
                  <CardActions>
                    <Button
                      component={RouterLink}
                      to={`/student/exams/${exam.exam_id}`}
                      variant="contained"
                      aria-label={`Go to the exam: ${exam.title}`}
                    >
                      Go to the exam
                    </Button>
                  </CardActions>
                )}
              </Card>
            );
          })}
        </Stack>
      )}
    </Box>
  );
}
