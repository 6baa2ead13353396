import { Alert, Box, Button, Paper, Stack, Typography } from "@mui/material";
import { useNavigate, useParams } from "react-router";
import { useStartAttemptV1ExamsExamIdStartPostMutation } from "../../api/commandApi.generated";
import { newCommandId, problemsOf } from "../../api/problems";
import {
  useGetExamV1ExamsExamIdGetQuery,
  useListExamsV1ExamsGetQuery,
} from "../../api/queryApi.generated";
import { formatMoment, userTimeZone } from "../../time";
import { Failed, Loading } from "../shared";
import { windowState, yourMinutes, yourWindow } from "../student/StudentDashboard";

/** Before the exam: its instructions, the student's time and window, a check of the
 * browser, and Start (or Continue: Start is the same attempt however often it is pressed). */
export default function ExamStartPage() {
  const { examId = "" } = useParams();
  const navigate = useNavigate();
  const exam = useGetExamV1ExamsExamIdGetQuery({ examId });
  const listed = useListExamsV1ExamsGetQuery({
    status: "published",
    sort: "window_opens_at",
    perPage: 100,
  });
  const summary = listed.data?.items.find((e) => e.exam_id === examId);
  const [start, starting] = useStartAttemptV1ExamsExamIdStartPostMutation();
  const zone = userTimeZone();
  if (exam.isLoading || listed.isLoading) return <Loading what="the exam" />;
  if (!exam.data || !summary) return <Failed message={problemsOf(exam.error, []).general} />;
  const [opens, closes] = yourWindow(summary);
  const state = windowState(summary);
  const online = typeof navigator === "undefined" || navigator.onLine;

  async function begin() {
    const answer = await start({ examId, "Idempotency-Key": newCommandId() });
    if (answer.data) navigate(`/student/attempts/${answer.data.attempt_id}`);
  }

  return (
    <Box>
      <Typography component="h1" variant="h4" gutterBottom>
        {exam.data.title}
      </Typography>
      <Paper variant="outlined" sx={{ p: 3, mb: 2 }}>
        <Typography component="h2" variant="h6" gutterBottom>
          Before you start
        </Typography>
        <Typography sx={{ whiteSpace: "pre-wrap", mb: 2 }}>
          {exam.data.instructions || "Your teacher gave no special instructions."}
        </Typography>
        <Typography variant="body2">
          You have {yourMinutes(summary)} minutes, counted by the server from the moment you start.
          Your window opens {formatMoment(opens, zone)} and closes {formatMoment(closes, zone)}{" "}
          (your time zone, {zone}).
        </Typography>
        <Typography variant="body2">
          Your answers are saved as you go, with the time of each save. If the connection drops,
          keep this page open: they are sent when it is back.
        </Typography>
      </Paper>
      <Paper variant="outlined" sx={{ p: 3, mb: 2 }} component="section" aria-label="Checks">
        <Typography component="h2" variant="h6" gutterBottom>
          Checks
        </Typography>
        <Stack spacing={1}>
          <Alert severity={online ? "success" : "error"}>
            {online ? "This browser is online." : "This browser is offline: connect first."}
          </Alert>
          <Alert severity="success">This browser runs the exam page (JavaScript is on).</Alert>
        </Stack>
      </Paper>
      <Failed message={problemsOf(starting.error, []).general} />
      <Button
        variant="contained"
        size="large"
        onClick={begin}
        disabled={state !== "open" || starting.isLoading || !online}
      >
        {state === "open" ? "Start the exam" : state === "upcoming" ? "Not open yet" : "Closed"}
      </Button>
    </Box>
  );
}
