// The teacher's exam wizard: details, questions and pools, schedule and students, review and
// publish. Every command answers the exam's new version, which the next one sends as If-Match.
import { useEffect, useRef, useState, type FormEvent } from "react";
import {
  Alert,
  AlertTitle,
  Box,
  Button,
  Paper,
  Stack,
  Step,
  StepButton,
  Stepper,
  TextField,
  Typography,
} from "@mui/material";
import { Link as RouterLink, useLocation, useNavigate, useParams } from "react-router";
import {
  useDraftExamV1ExamsPostMutation,
  usePublishExamV1ExamsExamIdPublishPostMutation,
  useUpdateExamV1ExamsExamIdPutMutation,
  type ExamCommandResult,
  type ExamIn,
} from "../../api/commandApi.generated";
import { newCommandId, problemsOf } from "../../api/problems";
import {
  useGetExamV1ExamsExamIdGetQuery,
  useListAssignmentsV1ExamsExamIdAssignmentsGetQuery,
  type ExamDocument,
} from "../../api/queryApi.generated";
import { formatMoment, fromLocalInput, toLocalInput, userTimeZone } from "../../time";
import { Failed, Loading } from "../shared";
import { useFollowVersion } from "../../app/follow";
import { sectionsOf, totals, type Section } from "./layout";
import { ManageExam } from "./ManageExamPage";
import { PeopleStep, settingsFormOf, type SettingsForm } from "./PeopleStep";
import { QuestionsStep } from "./QuestionsStep";

export const STEPS = [
  "Details",
  "Questions and pools",
  "Schedule and students",
  "Review and publish",
] as const;

const DETAIL_FIELDS = [
  "title",
  "description",
  "instructions",
  "duration_minutes",
  "window_opens_at",
  "window_closes_at",
] as const;
type DetailsForm = Record<(typeof DETAIL_FIELDS)[number], string>;

function detailsOf(exam: ExamDocument | null): DetailsForm {
  return {
    title: exam?.title ?? "",
    description: exam?.description ?? "",
    instructions: exam?.instructions ?? "",
    duration_minutes: String(exam?.duration_minutes ?? 60),
    window_opens_at: toLocalInput(exam?.window_opens_at),
    window_closes_at: toLocalInput(exam?.window_closes_at),
  };
}

export default function ExamWizardPage() {
  const { examId: param } = useParams();
  const examId = param === "new" ? undefined : param;
  const navigate = useNavigate();
  // The draft this page created: its id replaces "new" in the address (a reload or a shared
  // link opens it), while the wizard goes on with what it holds.
  const [created, setCreated] = useState<string | null>(null);
  const fresh = examId !== undefined && examId === created;
  // The version the dashboard showed (its catalogue can be ahead of this page's read model
  // for a moment after a command): until the exam shows it, read again rather than open a
  // just-published exam in the draft's wizard.
  const shownVersion = (useLocation().state as { version?: number } | null)?.version ?? 0;
  const stored = useGetExamV1ExamsExamIdGetQuery(
    { examId: examId ?? "" },
    { skip: !examId || fresh, refetchOnMountOrArgChange: true },
  );
  const nowBehind = useFollowVersion(stored, shownVersion);
  if (examId && !fresh && (stored.isLoading || nowBehind)) return <Loading what="the exam" />;
  if (examId && !fresh && !stored.data) {
    return <Failed message={problemsOf(stored.error, []).general ?? "The exam is not found."} />;
  }
  if (!fresh && stored.data && stored.data.status !== "draft") {
    return <ManageExam exam={stored.data} />;
  }
  return (
    <Wizard
      key={fresh || !examId ? "new" : examId}
      exam={fresh ? null : (stored.data ?? null)}
      onCreated={(id) => {
        setCreated(id);
        navigate(`/teacher/exams/${id}`, { replace: true });
      }}
    />
  );
}

export function Wizard({
  exam,
  onCreated,
}: {
  exam: ExamDocument | null;
  onCreated?: (examId: string) => void;
}) {
  const navigate = useNavigate();
  const [examId, setExamId] = useState<string | null>(exam?.exam_id ?? null);
  const [version, setVersion] = useState<number | null>(exam?.version ?? null);
  const [step, setStep] = useState(0);
  const [reached, setReached] = useState(0); // the steps before it are done
  const go = (next: number) => {
    setStep(next);
    setReached((r) => Math.max(r, next));
  };
  const [details, setDetails] = useState<DetailsForm>(() => detailsOf(exam));
  const [sections, setSections] = useState<Section[]>(() => sectionsOf(exam?.sections));
  const [shuffle, setShuffle] = useState({
    questions: exam?.shuffle_questions ?? false,
    options: exam?.shuffle_options ?? false,
  });
  const [settings, setSettings] = useState<SettingsForm>(() => settingsFormOf(exam?.settings));
  const heading = useRef<HTMLHeadingElement>(null);
  const first = useRef(true);

  useEffect(() => {
    // A new step is announced by moving the focus to its heading (not on the first render).
    if (first.current) {
      first.current = false;
      return;
    }
    heading.current?.focus();
  }, [step]);

  const ifMatch = version === null ? null : `"${version}"`;
  const applied = (result: ExamCommandResult) => {
    setExamId(result.exam_id);
    setVersion(result.version);
  };

  return (
    <Box>
      <Stack direction="row" spacing={2} sx={{ alignItems: "center", mb: 2 }}>
        <Typography component="h1" variant="h4" sx={{ flexGrow: 1 }}>
          {exam ? "Build the exam" : "New exam"}
        </Typography>
        <Button component={RouterLink} to="/teacher" variant="outlined">
          Back to your exams
        </Button>
      </Stack>
      <Stepper nonLinear activeStep={step} sx={{ mb: 3 }} component="nav" aria-label="Steps">
        {STEPS.map((label, i) => (
          <Step key={label} completed={i < reached && i !== step}>
            <StepButton
              onClick={() => setStep(i)}
              disabled={i > 0 && !examId}
              aria-current={i === step ? "step" : undefined}
            >
              {label}
            </StepButton>
          </Step>
        ))}
      </Stepper>
      <Paper variant="outlined" sx={{ p: 3 }} component="section" aria-labelledby="step-heading">
        <Typography
          id="step-heading"
          ref={heading}
          tabIndex={-1}
          component="h2"
          variant="h5"
          gutterBottom
          sx={{ "&:focus-visible": { outline: "3px solid", outlineColor: "primary.main" } }}
        >
          Step {step + 1} of 4: {STEPS[step]}
        </Typography>
        {step === 0 && (
          <DetailsStep
            examId={examId}
            ifMatch={ifMatch}
            form={details}
            setForm={setDetails}
            onSaved={(result) => {
              if (!examId) onCreated?.(result.exam_id);
              applied(result);
              go(1);
            }}
          />
        )}
        {step === 1 && examId && (
          <QuestionsStep
            examId={examId}
            ifMatch={ifMatch}
            sections={sections}
            setSections={setSections}
            shuffle={shuffle}
            setShuffle={setShuffle}
            onSaved={(result) => {
              applied(result);
              go(2);
            }}
          />
        )}
        {step === 2 && examId && (
          <PeopleStep
            examId={examId}
            ifMatch={ifMatch}
            form={settings}
            setForm={setSettings}
            onApplied={applied}
            onDone={() => go(3)}
          />
        )}
        {step === 3 && examId && (
          <ReviewStep
            examId={examId}
            ifMatch={ifMatch}
            details={details}
            sections={sections}
            settings={settings}
            onPublished={(title, published) =>
              navigate("/teacher", { state: { notice: `"${title}" is published.`, published } })
            }
            onBack={() => setStep(2)}
          />
        )}
      </Paper>
    </Box>
  );
}

function DetailsStep({
  examId,
  ifMatch,
  form,
  setForm,
  onSaved,
}: {
  examId: string | null;
  ifMatch: string | null;
  form: DetailsForm;
  setForm: (form: DetailsForm) => void;
  onSaved: (result: ExamCommandResult) => void;
}) {
  const [draft, drafting] = useDraftExamV1ExamsPostMutation();
  const [update, updating] = useUpdateExamV1ExamsExamIdPutMutation();
  const problems = problemsOf(examId ? updating.error : drafting.error, DETAIL_FIELDS);

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
    const answer = examId
      ? await update({ examId, examIn: content, "Idempotency-Key": key, "If-Match": ifMatch })
      : await draft({ examIn: content, "Idempotency-Key": key });
    if (answer.data) onSaved(answer.data);
  }

  const field = (name: (typeof DETAIL_FIELDS)[number]) => ({
    name,
    id: `wizard-${name}`,
    value: form[name],
    onChange: (e: React.ChangeEvent<HTMLInputElement>) =>
      setForm({ ...form, [name]: e.target.value }),
    error: Boolean(problems.byField[name]),
    helperText: problems.byField[name],
    fullWidth: true,
    margin: "dense" as const,
  });

  return (
    <form onSubmit={submit} noValidate>
      <Failed message={problems.general} />
      <TextField label="Title" required {...field("title")} />
      <TextField label="Description" multiline minRows={2} {...field("description")} />
      <TextField label="Instructions" multiline minRows={2} {...field("instructions")} />
      <TextField
        label="Duration (minutes)"
        type="number"
        required
        slotProps={{ htmlInput: { min: 1, max: 1440 } }}
        {...field("duration_minutes")}
      />
      <Typography variant="body2" sx={{ mt: 1, mb: 1 }}>
        Window times are in your time zone, {userTimeZone()}.
      </Typography>
      <Stack direction={{ xs: "column", sm: "row" }} spacing={2}>
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
      </Stack>
      <Box sx={{ mt: 2 }}>
        <Button
          type="submit"
          variant="contained"
          disabled={drafting.isLoading || updating.isLoading}
        >
          {examId ? "Save and continue" : "Create the draft and continue"}
        </Button>
      </Box>
    </form>
  );
}

/** The summary, and Publish: a refusal lists every problem with the field it names. */
export function ReviewStep({
  examId,
  ifMatch,
  details,
  sections,
  settings,
  onPublished,
  onBack,
}: {
  examId: string;
  ifMatch: string | null;
  details: DetailsForm;
  sections: Section[];
  settings: SettingsForm;
  onPublished: (title: string, published: ExamCommandResult) => void;
  onBack: () => void;
}) {
  const [publish, publishing] = usePublishExamV1ExamsExamIdPublishPostMutation();
  const assigned = useListAssignmentsV1ExamsExamIdAssignmentsGetQuery(
    { examId, perPage: 100 },
    { refetchOnMountOrArgChange: true },
  );
  const refused = problemsOf(publishing.error, []).unplaced;
  const { questions, points } = totals(sections);

  async function onPublish() {
    const answer = await publish({
      examId,
      "Idempotency-Key": newCommandId(),
      "If-Match": ifMatch,
    });
    if (answer.data) onPublished(details.title, answer.data);
  }

  const rows: [string, string][] = [
    ["Title", details.title || "(none)"],
    ["Duration", `${details.duration_minutes} minutes`],
    [
      "Window",
      `${formatMoment(fromLocalInput(details.window_opens_at))} – ${formatMoment(
        fromLocalInput(details.window_closes_at),
      )}`,
    ],
    [
      "Questions",
      `${sections.length} section${sections.length === 1 ? "" : "s"}; each student gets ${questions} question${questions === 1 ? "" : "s"} worth ${points} point${points === 1 ? "" : "s"}`,
    ],
    [
      "Settings",
      [
        `${settings.attempts_allowed} attempt(s)`,
        `${settings.navigation} navigation`,
        `results ${settings.results_release.replace(/_/g, " ")}`,
        settings.pass_mark_percent ? `pass mark ${settings.pass_mark_percent}%` : "no pass mark",
        settings.proctoring
          ? `proctored (${settings.detectors.map((d) => d.replace("_", " ")).join(", ") || "no detectors"})`
          : "not proctored",
      ].join(" · "),
    ],
    ["Students", assigned.data ? `${assigned.data.total} assigned` : "…"],
  ];

  return (
    <Box>
      <Box component="dl" sx={{ display: "grid", gridTemplateColumns: "max-content 1fr", gap: 1 }}>
        {rows.map(([term, value]) => (
          <Box key={term} sx={{ display: "contents" }}>
            <Typography component="dt" sx={{ fontWeight: 600 }}>
              {term}
            </Typography>
            <Typography component="dd" sx={{ m: 0 }}>
              {value}
            </Typography>
          </Box>
        ))}
      </Box>
      {refused.length > 0 && (
        <Alert severity="error" role="alert" sx={{ mt: 2 }}>
          <AlertTitle>This exam cannot be published yet</AlertTitle>
          <Box component="ul" sx={{ m: 0, pl: 2 }}>
            {refused.map((problem) => (
              <li key={problem}>{problem}</li>
            ))}
          </Box>
        </Alert>
      )}
      <Stack direction="row" spacing={2} sx={{ mt: 3 }}>
        <Button onClick={onBack}>Back</Button>
        <Button variant="contained" onClick={onPublish} disabled={publishing.isLoading}>
          Publish
        </Button>
      </Stack>
    </Box>
  );
}
