import { useEffect, useRef, useState } from "react";
import {
  Alert,
  Box,
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  FormControlLabel,
  FormGroup,
  Paper,
  Radio,
  RadioGroup,
  Stack,
  TextField,
  Typography,
} from "@mui/material";
import { Link as RouterLink, useParams } from "react-router";
import {
  useKeepPlaceV1AttemptsAttemptIdPlacePutMutation,
  useSaveAnswerV1AttemptsAttemptIdAnswersQuestionIdPutMutation,
  useSubmitAttemptV1AttemptsAttemptIdSubmitPostMutation,
} from "../../api/commandApi.generated";
import { newCommandId, problemsOf } from "../../api/problems";
import {
  useGetAttemptV1AttemptsAttemptIdGetQuery,
  type AttemptMedia,
  type AttemptView,
  type StudentQuestion,
} from "../../api/queryApi.generated";
import { followDelay, PATIENCE_MS } from "../../app/follow";
import { formatMoment } from "../../time";
import { Failed, Loading, MediaFile, PageHeader } from "../shared";
import { announcement, formatRemaining, remainingMs, serverOffset } from "./clock";
import { useAttemptLive } from "./live";
import { SaveQueue, type Answer, type QueueState, type Receipt, type SendResult } from "./saves";
import { unsentStore } from "./unsent";

/** Text answers are saved this long after the last keystroke (choices at once). */
const TYPING_PAUSE_MS = 700;
/** The place (flags, question on screen) is kept this long after it last changed; a failed
 * try (offline) is tried again every 5 s a few times, and with the next change anyway. */
const PLACE_PAUSE_MS = 800;
const PLACE_RETRY_MS = 5000;
const PLACE_RETRIES = 12;

const NOT_READ = { status: "", deadline: "" };

/** The attempt page: loads the attempt (a moment after Start it may not be readable yet). */
export default function AttemptPage() {
  const { attemptId = "" } = useParams();
  const [patient, setPatient] = useState(true);
  useEffect(() => {
    const timer = setTimeout(() => setPatient(false), PATIENCE_MS);
    return () => clearTimeout(timer);
  }, []);
  // An extension, a pause or the deadline's submission reaches the page through the live
  // channel; reading again every 10 s (every 30 s while the channel is open) and when the
  // tab comes back is the fallback.
  const [live, setLive] = useState(false);
  const found = useGetAttemptV1AttemptsAttemptIdGetQuery(
    { attemptId },
    {
      refetchOnMountOrArgChange: true,
      pollingInterval: live ? 30_000 : 10_000,
      refetchOnFocus: true,
    },
  );
  const { refetch } = found;
  useAttemptLive({
    attemptId,
    shown: found.data ?? NOT_READ,
    reread: refetch,
    onOpen: setLive,
    enabled: Boolean(found.data) && !found.data?.submitted_at,
  });
  // The service worker keeps the attempt's last reading for a reload offline: once it
  // controls this page (the first visit installs it), read again through it.
  useEffect(() => {
    const workers = globalThis.navigator?.serviceWorker;
    if (!workers) return;
    const reread = () => void refetch();
    workers.addEventListener("controllerchange", reread);
    return () => workers.removeEventListener("controllerchange", reread);
  }, [refetch]);
  const notYet = patient && !found.data && found.isError;
  const [openedAt] = useState(() => Date.now());
  useEffect(() => {
    if (!notYet) return;
    const timer = setTimeout(() => void found.refetch(), followDelay(Date.now() - openedAt));
    return () => clearTimeout(timer);
  }, [notYet, found, found.fulfilledTimeStamp, openedAt]);
  if (found.isLoading || notYet) return <Loading what="your exam" />;
  if (!found.data) return <Failed message={problemsOf(found.error, []).general} />;
  return (
    <Taking
      key={attemptId}
      attempt={found.data}
      // The first reading's request, for the server clock's offset (read once, at mount).
      sentAt={found.startedTimeStamp ?? 0}
      receivedAt={found.fulfilledTimeStamp ?? 0}
      reread={found.refetch}
    />
  );
}

type State = "answered" | "unanswered";

function isAnswered(answer: Answer | undefined): boolean {
  if (!answer) return false;
  return Boolean(answer.option_ids?.length || answer.text?.trim() || answer.code?.trim());
}

function Taking({
  attempt,
  sentAt,
  receivedAt,
  reread,
}: {
  attempt: AttemptView;
  sentAt: number;
  receivedAt: number;
  reread: () => unknown;
}) {
  const questions = attempt.questions;
  // The server's clock minus this device's, from the reading the page opened with.
  // Offline, the reading is the service worker's last copy, whose server_time is old: the
  // offset measured while online (kept for this tab) is the one to count with.
  const [offset] = useState(() => {
    const key = `soems.clock-offset.${attempt.attempt_id}`;
    const kept = sessionStorage.getItem(key);
    if (kept !== null && globalThis.navigator?.onLine === false) return Number(kept);
    const measured =
      sentAt && receivedAt ? serverOffset(attempt.server_time, sentAt, receivedAt) : 0;
    sessionStorage.setItem(key, String(measured));
    return measured;
  });
  const [answers, setAnswers] = useState<Record<string, Answer>>(() =>
    Object.fromEntries(
      Object.entries(attempt.answers).map(([q, a]) => [q, (a.answer ?? {}) as Answer]),
    ),
  );
  const [receipts, setReceipts] = useState<Record<string, Receipt>>(() =>
    Object.fromEntries(
      Object.entries(attempt.answers).map(([q, a]) => [
        q,
        { question_id: q, client_seq: a.client_seq, saved_at: a.saved_at },
      ]),
    ),
  );
  // Where the student is (flags for review, the question on screen) comes from the server,
  // so another browser resumes there; changes are kept there a moment after they are made.
  const [flagged, setFlagged] = useState<string[]>(() => attempt.flagged ?? []);
  const [current, setCurrent] = useState(() =>
    Math.max(
      0,
      questions.findIndex((q) => q.question.question_id === attempt.current_question_id),
    ),
  );
  const [keepPlace] = useKeepPlaceV1AttemptsAttemptIdPlacePutMutation();
  const currentQuestionId = questions[current]?.question.question_id ?? null;
  const placeKept = useRef(
    JSON.stringify([attempt.flagged ?? [], attempt.current_question_id ?? null]),
  );
  useEffect(() => {
    const place = JSON.stringify([flagged, currentQuestionId]);
    if (place === placeKept.current) return;
    let tries = 0;
    let timer: ReturnType<typeof setTimeout>;
    const send = async () => {
      const kept = await keepPlace({
        attemptId: attempt.attempt_id,
        "Idempotency-Key": newCommandId(),
        placeIn: { flagged, current_question_id: currentQuestionId },
      });
      if ("data" in kept && kept.data) placeKept.current = place;
      else if (tries++ < PLACE_RETRIES) timer = setTimeout(send, PLACE_RETRY_MS); // offline
    };
    timer = setTimeout(send, PLACE_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [flagged, currentQuestionId, keepPlace, attempt.attempt_id]);
  const [queue, setQueue] = useState<QueueState>({ unsent: 0, offline: false, closed: null });
  const [refused, setRefused] = useState<Record<string, string>>({});
  const [saveAnswer] = useSaveAnswerV1AttemptsAttemptIdAnswersQuestionIdPutMutation();
  const [submit, submitting] = useSubmitAttemptV1AttemptsAttemptIdSubmitPostMutation();
  const [confirming, setConfirming] = useState(false);
  const [handedIn, setSubmittedAt] = useState<string | null>(null);
  // Handed in here, or (read again) by the server's clock or a proctor.
  const submittedAt = handedIn ?? attempt.submitted_at;
  const [latestSeq, setLatestSeq] = useState<Record<string, number>>({});

  const saves = useRef<SaveQueue | null>(null);
  if (saves.current === null) {
    saves.current = new SaveQueue(
      async (save): Promise<SendResult> => {
        const answer = await saveAnswer({
          attemptId: attempt.attempt_id,
          questionId: save.questionId,
          "Idempotency-Key": save.key,
          saveIn: { client_seq: save.seq, answer: save.answer },
        });
        if ("data" in answer && answer.data) return { ok: true, receipt: answer.data };
        const error = answer.error;
        const status = error && "status" in error ? error.status : "FETCH_ERROR";
        if (typeof status !== "number" || status >= 500 || status === 429 || status === 401) {
          return { ok: false, network: true };
        }
        const body = (error && "data" in error ? error.data : null) as {
          code?: string;
          detail?: string;
        } | null;
        return {
          ok: false,
          network: false,
          code: body?.code ?? String(status),
          detail: body?.detail ?? `The server answered ${status}.`,
        };
      },
      (receipt) => setReceipts((all) => ({ ...all, [receipt.question_id]: receipt })),
      setQueue,
      newCommandId,
      undefined,
      Object.fromEntries(Object.entries(attempt.answers).map(([q, a]) => [q, a.client_seq])),
      (save, _code, detail) => setRefused((all) => ({ ...all, [save.questionId]: detail })),
      unsentStore(attempt.attempt_id),
    );
  }
  useEffect(() => {
    // What an earlier page of this attempt could not send (offline, then closed): shown
    // and sent now, with its own keys.
    let live = true;
    void saves.current?.resume().then((restored) => {
      if (!live || !restored.length) return;
      setAnswers((all) => ({
        ...all,
        ...Object.fromEntries(restored.map((save) => [save.questionId, save.answer])),
      }));
      setLatestSeq((all) => ({
        ...all,
        ...Object.fromEntries(restored.map((save) => [save.questionId, save.seq])),
      }));
    });
    return () => {
      live = false;
    };
  }, []);

  // The questions' files: the URLs of the first reading are kept (every reading signs new
  // ones, and a new URL would load the file again) until a minute before they expire.
  const [media, setMedia] = useState<Record<string, AttemptMedia>>(attempt.media ?? {});
  const newestMedia = useRef(attempt.media ?? {});
  useEffect(() => {
    newestMedia.current = attempt.media ?? {};
  }, [attempt.media]);
  useEffect(() => {
    const expiries = Object.values(media).map((m) => new Date(m.url_expires_at).getTime());
    if (!expiries.length) return;
    const due = Math.max(1000, Math.min(...expiries) - 60_000 - Date.now());
    const timer = setTimeout(() => setMedia(newestMedia.current), due);
    return () => clearTimeout(timer);
  }, [media]);

  // The clock: the device's time read afresh every second, plus the server's offset.
  const [deviceNow, setDeviceNow] = useState(() => Date.now());
  const [told, setTold] = useState<string | null>(null);
  // Paused: the clock stands at what was left when the pause began.
  const left = attempt.paused_at
    ? Math.max(0, new Date(attempt.deadline).getTime() - new Date(attempt.paused_at).getTime())
    : remainingMs(attempt.deadline, offset, deviceNow);
  const paused = Boolean(attempt.paused_at);
  useEffect(() => {
    if (paused) return;
    // Resumed: what the pause refused is saved now (after this render).
    const timer = setTimeout(() => {
      for (const questionId of Object.keys(refused)) {
        const value = answers[questionId];
        if (value) send(questionId, value);
      }
    }, 0);
    return () => clearTimeout(timer);
    // Only when the pause ends.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [paused]);
  useEffect(() => {
    let before = remainingMs(attempt.deadline, offset);
    const timer = setInterval(() => {
      const now = Date.now();
      const after = remainingMs(attempt.deadline, offset, now);
      const said = announcement(before, after);
      before = after;
      setDeviceNow(now);
      if (said) setTold(said);
    }, 1000);
    return () => clearInterval(timer);
  }, [attempt.deadline, offset]);
  const over = left === 0 || queue.closed !== null;
  useEffect(() => {
    // Time is up (or the server says so): the attempt is submitted by the server; read it
    // again until it says so.
    if (!over || submittedAt) return;
    const timer = setInterval(reread, 2000);
    return () => clearInterval(timer);
  }, [over, submittedAt, reread]);

  // Text is saved when the typing pauses; a choice at once.
  const typing = useRef<Record<string, ReturnType<typeof setTimeout>>>({});
  function answer(questionId: string, value: Answer, typed: boolean) {
    setAnswers((all) => ({ ...all, [questionId]: value }));
    setRefused((all) => {
      const rest = { ...all };
      delete rest[questionId];
      return rest;
    });
    clearTimeout(typing.current[questionId]);
    if (typed) {
      typing.current[questionId] = setTimeout(() => {
        delete typing.current[questionId];
        send(questionId, value);
      }, TYPING_PAUSE_MS);
    } else {
      send(questionId, value);
    }
  }

  function send(questionId: string, value: Answer) {
    const queued = saves.current?.save(questionId, value);
    if (queued) setLatestSeq((all) => ({ ...all, [questionId]: queued.seq }));
  }

  async function handIn() {
    // What is still being typed goes first.
    for (const [questionId, timer] of Object.entries(typing.current)) {
      clearTimeout(timer);
      delete typing.current[questionId];
      const value = answers[questionId];
      if (value) send(questionId, value);
    }
    const done = await submit({
      attemptId: attempt.attempt_id,
      "Idempotency-Key": newCommandId(),
    });
    if (done.data) {
      setConfirming(false);
      setSubmittedAt(done.data.submitted_at ?? new Date().toISOString());
    } // else the dialog stays open with the reason
  }

  if (submittedAt) {
    return (
      <Box>
        <Typography component="h1" variant="h4" gutterBottom>
          Your exam is submitted
        </Typography>
        <Alert severity="success" role="status">
          Submitted {formatMoment(submittedAt)}
          {attempt.submit_reason === "deadline" ? ", when the time ran out" : ""}. Your answers are
          kept; your results come when your teacher publishes them.
        </Alert>
        <Button component={RouterLink} to="/student" sx={{ mt: 2 }}>
          Back to my exams
        </Button>
      </Box>
    );
  }

  const question = questions[current];
  const states: State[] = questions.map((q) =>
    isAnswered(answers[q.question.question_id]) ? "answered" : "unanswered",
  );
  const unanswered = states.filter((s) => s === "unanswered").length;
  const linear = attempt.navigation === "linear";

  return (
    <Box>
      <PageHeader title="Your exam">
        <Paper
          variant="outlined"
          sx={{ px: 2, py: 1, borderColor: left < 5 * 60_000 ? "warning.main" : undefined }}
        >
          <Typography component="div" variant="h6" role="timer" aria-label="Time left">
            {formatRemaining(left)}
          </Typography>
          <Typography variant="caption" component="p">
            until {formatMoment(attempt.deadline)}
          </Typography>
        </Paper>
      </PageHeader>
      {/* Announced to screen readers at 30, 10, 5 and 1 minutes left. */}
      <Box role="status" aria-live="polite" sx={visuallyHidden}>
        {told}
      </Box>
      {(queue.offline || queue.closed) && (
        <Alert severity={queue.closed ? "error" : "warning"} sx={{ mb: 2 }} role="alert">
          {queue.closed
            ? `${queue.closed.detail}.`
            : `You are offline. Keep answering: your answers are kept on this device and sent as ` +
              `soon as the connection is back (${queue.unsent} waiting).`}
        </Alert>
      )}
      {paused && (
        <Alert severity="warning" sx={{ mb: 2 }} role="alert">
          Your exam is paused by its proctor. The clock is stopped and answers cannot be changed
          until it resumes; this page follows it by itself.
        </Alert>
      )}
      {over && !queue.closed && (
        <Alert severity="info" sx={{ mb: 2 }} role="status">
          Time is up: your exam is being submitted.
        </Alert>
      )}
      <Box
        sx={{
          display: "grid",
          gap: 3,
          gridTemplateColumns: { xs: "1fr", md: "minmax(0, 3fr) minmax(0, 1fr)" },
          alignItems: "start",
        }}
      >
        {question && (
          <QuestionCard
            key={question.question.question_id}
            number={current + 1}
            total={questions.length}
            points={question.points}
            question={question.question}
            media={media}
            answer={answers[question.question.question_id]}
            receipt={receipts[question.question.question_id]}
            saving={
              (latestSeq[question.question.question_id] ?? 0) >
              (receipts[question.question.question_id]?.client_seq ?? 0)
            }
            refused={refused[question.question.question_id]}
            flagged={flagged.includes(question.question.question_id)}
            disabled={over || paused}
            onAnswer={(value, typed) => answer(question.question.question_id, value, typed)}
            onFlag={(on) =>
              setFlagged((all) =>
                on
                  ? [...all, question.question.question_id]
                  : all.filter((q) => q !== question.question.question_id),
              )
            }
          />
        )}
        <Paper component="nav" aria-label="Questions" variant="outlined" sx={{ p: 2 }}>
          <Typography component="h2" variant="h6" gutterBottom>
            Questions
          </Typography>
          <Stack direction="row" useFlexGap spacing={1} sx={{ flexWrap: "wrap", mb: 2 }}>
            {questions.map((q, i) => {
              const id = q.question.question_id;
              const mark = flagged.includes(id) ? ", flagged for review" : "";
              return (
                <Button
                  key={id}
                  size="small"
                  variant={states[i] === "answered" ? "contained" : "outlined"}
                  aria-current={i === current ? "step" : undefined}
                  aria-label={`Question ${i + 1}, ${states[i]}${mark}`}
                  disabled={linear && i < current}
                  onClick={() => setCurrent(i)}
                  sx={{ minWidth: 40, outline: i === current ? 2 : 0, outlineOffset: 2 }}
                >
                  {i + 1}
                  {mark && <span aria-hidden>⚑</span>}
                </Button>
              );
            })}
          </Stack>
          <Typography variant="body2" gutterBottom>
            {questions.length - unanswered} of {questions.length} answered
            {flagged.length ? `, ${flagged.length} flagged` : ""}
          </Typography>
          <Button
            variant="contained"
            color="primary"
            fullWidth
            onClick={() => setConfirming(true)}
            disabled={over}
          >
            Submit the exam
          </Button>
        </Paper>
      </Box>
      <Stack direction="row" spacing={2} sx={{ mt: 2 }}>
        {!linear && (
          <Button disabled={current === 0} onClick={() => setCurrent((c) => c - 1)}>
            Previous question
          </Button>
        )}
        <Button disabled={current >= questions.length - 1} onClick={() => setCurrent((c) => c + 1)}>
          Next question
        </Button>
      </Stack>
      <Dialog open={confirming} onClose={() => setConfirming(false)} aria-labelledby="submit-title">
        <DialogTitle id="submit-title">Submit the exam?</DialogTitle>
        <DialogContent>
          <DialogContentText>
            {unanswered
              ? `${unanswered} of ${questions.length} questions are not answered. `
              : "Every question is answered. "}
            {flagged.length ? `Flagged for review: ${flagged.length}. ` : ""}
            After submitting you cannot change your answers.
          </DialogContentText>
          <Failed message={problemsOf(submitting.error, []).general} />
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setConfirming(false)}>Go back to the exam</Button>
          <Button variant="contained" onClick={handIn} disabled={submitting.isLoading}>
            Submit
          </Button>
        </DialogActions>
      </Dialog>
    </Box>
  );
}

const visuallyHidden = {
  position: "absolute",
  width: 1,
  height: 1,
  overflow: "hidden",
  clip: "rect(0 0 0 0)",
  whiteSpace: "nowrap",
} as const;

function QuestionCard({
  number,
  total,
  points,
  question,
  media,
  answer,
  receipt,
  saving,
  refused,
  flagged,
  disabled,
  onAnswer,
  onFlag,
}: {
  number: number;
  total: number;
  points: number;
  question: StudentQuestion;
  media: Record<string, AttemptMedia>;
  answer: Answer | undefined;
  receipt: Receipt | undefined;
  saving: boolean;
  refused: string | undefined;
  flagged: boolean;
  disabled: boolean;
  onAnswer: (value: Answer, typed: boolean) => void;
  onFlag: (on: boolean) => void;
}) {
  const titleId = `question-${number}-title`;
  const options = question.options ?? [];
  const picked = answer?.option_ids ?? [];
  const coding = question.coding as { language?: string; starter_code?: string } | null;
  const words = (answer?.text ?? "").trim().split(/\s+/).filter(Boolean).length;
  return (
    <Paper component="section" aria-labelledby={titleId} variant="outlined" sx={{ p: 3 }}>
      <Typography id={titleId} component="h2" variant="h6">
        Question {number} of {total}{" "}
        <Typography component="span" variant="body2" color="text.secondary">
          ({points} {points === 1 ? "point" : "points"})
        </Typography>
      </Typography>
      <Typography sx={{ whiteSpace: "pre-wrap", my: 2 }} id={`${titleId}-stem`}>
        {question.stem}
      </Typography>
      {question.media_ids.map((id) => {
        const file = media[id];
        if (!file) return null;
        return (
          <MediaFile
            key={id}
            contentType={file.content_type}
            url={file.url}
            alt={question.media_alt?.[id] ?? ""}
            audioLabel="Audio for this question"
            sx={{ display: "block", maxHeight: 360, mb: 2 }}
          />
        );
      })}
      {question.pick === "one" && (
        <RadioGroup
          aria-labelledby={`${titleId}-stem`}
          value={picked[0] ?? ""}
          onChange={(e) => onAnswer({ option_ids: [e.target.value] }, false)}
        >
          {options.map((o) => (
            <FormControlLabel
              key={o.option_id}
              value={o.option_id}
              control={<Radio />}
              label={o.text}
              disabled={disabled}
            />
          ))}
        </RadioGroup>
      )}
      {question.pick === "many" && (
        <FormGroup aria-labelledby={`${titleId}-stem`}>
          {options.map((o) => (
            <FormControlLabel
              key={o.option_id}
              control={
                <Checkbox
                  checked={picked.includes(o.option_id!)}
                  onChange={(e) =>
                    onAnswer(
                      {
                        option_ids: e.target.checked
                          ? [...picked, o.option_id!]
                          : picked.filter((p) => p !== o.option_id),
                      },
                      false,
                    )
                  }
                />
              }
              label={o.text}
              disabled={disabled}
            />
          ))}
        </FormGroup>
      )}
      {question.question_type === "short_answer" && (
        <TextField
          label="Your answer"
          value={answer?.text ?? ""}
          onChange={(e) => onAnswer({ text: e.target.value }, true)}
          disabled={disabled}
          fullWidth
          error={Boolean(refused)}
          helperText={refused}
        />
      )}
      {question.question_type === "long_answer" && (
        <TextField
          label="Your answer"
          value={answer?.text ?? ""}
          onChange={(e) => onAnswer({ text: e.target.value }, true)}
          disabled={disabled}
          multiline
          minRows={8}
          fullWidth
          error={Boolean(refused)}
          helperText={
            refused ??
            `${words} words${question.max_words ? ` (at most ${question.max_words})` : ""}`
          }
        />
      )}
      {question.question_type === "coding" && (
        <TextField
          label={`Your code (${coding?.language ?? "code"})`}
          value={answer?.code ?? coding?.starter_code ?? ""}
          onChange={(e) => onAnswer({ code: e.target.value }, true)}
          disabled={disabled}
          multiline
          minRows={10}
          fullWidth
          error={Boolean(refused)}
          helperText={refused}
          slotProps={{ htmlInput: { spellCheck: false, style: { fontFamily: "monospace" } } }}
        />
      )}
      <Stack
        direction="row"
        spacing={2}
        useFlexGap
        sx={{ mt: 2, alignItems: "center", flexWrap: "wrap" }}
      >
        <FormControlLabel
          control={<Checkbox checked={flagged} onChange={(e) => onFlag(e.target.checked)} />}
          label="Flag for review"
        />
        <Typography variant="body2" color="text.secondary" role="status">
          {saving
            ? "Saving…"
            : receipt
              ? `Saved at ${new Date(receipt.saved_at).toLocaleTimeString()}`
              : "Not answered yet"}
        </Typography>
      </Stack>
    </Paper>
  );
}
