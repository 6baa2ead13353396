import { useEffect, useRef, useState, type FormEvent, type ReactNode } from "react";
import {
  Alert,
  Box,
  Button,
  Checkbox,
  Chip,
  FormControlLabel,
  FormHelperText,
  IconButton,
  MenuItem,
  Paper,
  Radio,
  RadioGroup,
  Snackbar,
  Stack,
  TextField,
  Typography,
  FormControl,
  FormLabel,
} from "@mui/material";
import { Link as RouterLink, useLocation, useNavigate, useParams } from "react-router";
import {
  useAuthorQuestionV1QuestionsPostMutation,
  useReviseQuestionV1QuestionsQuestionIdPutMutation,
  type CodeTest,
} from "../../api/commandApi.generated";
import { newCommandId, problemsOf } from "../../api/problems";
import {
  useGetQuestionV1QuestionsQuestionIdGetQuery,
  type Colleague,
} from "../../api/queryApi.generated";
import { useFollowVersion } from "../../app/follow";
import { useAppSelector } from "../../app/store";
import { Failed, Loading, PageHeader } from "../shared";
import {
  DIFFICULTIES,
  LANGUAGES,
  TYPES,
  contentOf,
  draftOf,
  emptyDraft,
  fieldsOf,
  newCriterion,
  newOption,
  newTest,
  withType,
  type Draft,
} from "./draft";
import { MediaAttachments } from "./MediaAttachments";
import { QuestionPreview } from "./QuestionPreview";
import { ShareDialog } from "./ShareDialog";
import { useMayManage, useQuestionCommands, type OpenedState } from "./useQuestionCommands";

/** Where the role's bank lives: /teacher/questions or /admin/questions. */
export function useBankPath(): string {
  const role = useAppSelector((s) => s.auth.user?.role);
  return role === "admin" ? "/admin/questions" : "/teacher/questions";
}

export default function QuestionEditorPage() {
  const { questionId } = useParams();
  // One loader per question: a copy opened from its source's editor starts afresh.
  return <StoredQuestionEditor key={questionId ?? "new"} questionId={questionId} />;
}

function StoredQuestionEditor({ questionId }: { questionId?: string }) {
  const location = useLocation();
  const navigate = useNavigate();
  // A copy made a moment ago reaches the read model shortly: ask until it is there; a
  // revision restored a moment ago likewise: ask until the question shows its version.
  const [opened] = useState(() => location.state as OpenedState | null);
  const stored = useGetQuestionV1QuestionsQuestionIdGetQuery(
    { questionId: questionId ?? "" },
    { skip: !questionId, refetchOnMountOrArgChange: true },
  );
  const behind = useFollowVersion(stored, opened?.version ?? 0);
  const waiting = Boolean(opened?.copied && !stored.data && stored.isError);
  const retried = useGetQuestionV1QuestionsQuestionIdGetQuery(
    { questionId: questionId ?? "" },
    { skip: !waiting, pollingInterval: waiting ? 700 : 0 },
  );
  useEffect(() => {
    // The notice came with the navigation: keep it out of the history entry.
    if (location.state) navigate(location.pathname, { replace: true, state: null });
  }, [location, navigate]);
  if (!questionId) return <QuestionEditor />;
  const data = stored.data ?? retried.data;
  if (stored.isLoading || behind || (waiting && !data)) return <Loading what="the question" />;
  if (!data) return <Failed message={problemsOf(stored.error, []).general} />;
  return (
    <QuestionEditor
      key={data.question_id}
      questionId={data.question_id}
      initial={draftOf(data.content)}
      read={{ version: data.version, revision: data.revision, status: data.status }}
      ownerId={data.owner_id}
      sharedWith={data.shared_with_teachers}
      notice={opened?.notice}
      onChanged={() => setTimeout(() => stored.refetch(), 1500)}
    />
  );
}

type Saved = { version: number; revision: number; status?: string };

/** A revision as it was written, shown read-only (the history's "View"), with what may be
 * done with it (restore it). */
export type RevisionView = {
  title: string;
  back: { to: string; label: string };
  action?: ReactNode;
};

export function QuestionEditor({
  questionId,
  initial,
  read,
  ownerId,
  sharedWith = [],
  notice: arrived,
  onChanged,
  view,
}: {
  questionId?: string;
  initial?: Draft;
  read?: Saved;
  /** The owner: anyone else (but an admin) reads and copies it, never changes it. */
  ownerId?: string;
  sharedWith?: Colleague[];
  notice?: string;
  /** A command changed the question: read it again (the read model follows in a moment). */
  onChanged?: () => void;
  view?: RevisionView;
}) {
  const navigate = useNavigate();
  const bank = useBankPath();
  const [author, authoring] = useAuthorQuestionV1QuestionsPostMutation();
  const [revise, revising] = useReviseQuestionV1QuestionsQuestionIdPutMutation();
  const commands = useQuestionCommands();
  const [draft, setDraft] = useState<Draft>(() => initial ?? emptyDraft());
  const [saved, setSaved] = useState<Saved | undefined>(read);
  const [notice, setNotice] = useState<string | null>(arrived ?? null);
  const [sharing, setSharing] = useState(false);
  const mayManage = useMayManage(ownerId) || ownerId === undefined;
  const archived = saved?.status === "archived";
  const readOnly = Boolean(view) || !mayManage || archived;
  const problems = problemsOf(questionId ? revising.error : authoring.error, fieldsOf(draft));
  const form = useRef<HTMLFormElement>(null);
  const refusal = questionId ? revising.error : authoring.error;
  useEffect(() => {
    // A refused save takes the keyboard to the first field it names (its message is read out).
    if (refusal) form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [refusal]);
  const busy = authoring.isLoading || revising.isLoading || commands.busy;
  const set = (change: Partial<Draft>) => setDraft((d) => ({ ...d, ...change }));
  const err = (name: string) => problems.byField[name];
  const type = draft.question_type;
  // "tags" or one tag ("tags.2"): the tags are one field in the form.
  const tagProblem =
    err("tags") ?? Object.entries(problems.byField).find(([f]) => f.startsWith("tags."))?.[1];

  async function submit(event: FormEvent) {
    event.preventDefault();
    const content = contentOf(draft);
    const key = newCommandId();
    if (questionId && saved) {
      const answer = await revise({
        questionId,
        questionContent: content,
        "Idempotency-Key": key,
        "If-Match": `"${saved.version}"`,
      });
      if (answer.data) {
        setSaved({ ...answer.data });
        setNotice(`Saved: revision ${answer.data.revision}.`);
      }
    } else {
      const answer = await author({ questionContent: content, "Idempotency-Key": key });
      if (answer.data) {
        navigate(bank, { state: { notice: "The question is saved in your bank." } });
      }
    }
  }

  /** A text field bound to a draft property, with the API's message for `field` under it. */
  const text = (
    name: keyof Draft,
    label: string,
    field: string,
    extra: Partial<Parameters<typeof TextField>[0]> = {},
  ) => (
    <TextField
      id={`q-${field}`}
      label={label}
      value={draft[name] as string}
      onChange={(e) => set({ [name]: e.target.value } as Partial<Draft>)}
      fullWidth
      margin="dense"
      {...extra}
      // After the extras: a hint they bring gives way to the API's message for the field.
      error={Boolean(err(field) || extra.error)}
      helperText={err(field) ?? extra.helperText}
    />
  );

  function updateAt<K extends "options" | "accepted" | "sample_tests" | "hidden_tests">(
    list: K,
    i: number,
    change: Partial<Draft[K][number]>,
  ) {
    setDraft((d) => ({
      ...d,
      [list]: (d[list] as Draft[K][number][]).map((item, j) =>
        j === i ? { ...item, ...change } : item,
      ),
    }));
  }

  function removeAt(list: "options" | "accepted" | "sample_tests" | "hidden_tests", i: number) {
    setDraft((d) => ({ ...d, [list]: (d[list] as unknown[]).filter((_, j) => j !== i) }));
  }

  async function archiveOrRestore() {
    if (!questionId) return;
    const answer = await commands.setArchived(questionId, !archived);
    if (answer) {
      setSaved({ ...answer });
      setNotice(
        answer.status === "archived"
          ? "Archived: it is out of the bank; exams that use it keep it."
          : "Restored: it is back in the bank.",
      );
      onChanged?.();
    }
  }

  // "media_ids" or one file ("media_ids.1"): the files are one control in the form.
  const mediaProblem =
    err("media_ids") ??
    Object.entries(problems.byField).find(([f]) => f.startsWith("media_ids."))?.[1];

  const sectionMessage = (...fields: string[]) => {
    const message = fields.map(err).find(Boolean);
    return message ? (
      <FormHelperText error role="alert" id={`q-${fields[0]}-helper-text`}>
        {message}
      </FormHelperText>
    ) : null;
  };

  const choice = (
    <Section
      title={type === "single_choice" ? "Options (one correct)" : "Options (one or more correct)"}
    >
      {sectionMessage("choice.options", "choice")}
      {draft.options.map((option, i) => {
        const at = `choice.options.${i}`;
        return (
          <Box key={i} sx={{ borderLeft: 3, borderColor: "divider", pl: 1.5, mb: 1 }}>
            <Stack direction="row" spacing={1} sx={{ alignItems: "center" }}>
              <TextField
                id={`q-${at}.text`}
                label={`Option ${i + 1}`}
                value={option.text}
                onChange={(e) => updateAt("options", i, { text: e.target.value })}
                error={Boolean(err(`${at}.text`))}
                helperText={err(`${at}.text`) ?? err(`${at}.option_id`)}
                fullWidth
                margin="dense"
              />
              <FormControlLabel
                label="Correct"
                control={
                  <Checkbox
                    checked={option.correct}
                    onChange={(e) =>
                      setDraft((d) => ({
                        ...d,
                        options: d.options.map((o, j) =>
                          j === i
                            ? { ...o, correct: e.target.checked }
                            : type === "single_choice" && e.target.checked
                              ? { ...o, correct: false }
                              : o,
                        ),
                      }))
                    }
                    slotProps={{ input: { "aria-label": `Option ${i + 1} is correct` } }}
                  />
                }
              />
              <Button
                size="small"
                color="error"
                onClick={() => removeAt("options", i)}
                aria-label={`Remove option ${i + 1}`}
                disabled={draft.options.length <= 2}
              >
                Remove
              </Button>
            </Stack>
            <TextField
              id={`q-${at}.feedback`}
              label={`Feedback for option ${i + 1} (after marking)`}
              value={option.feedback}
              onChange={(e) => updateAt("options", i, { feedback: e.target.value })}
              error={Boolean(err(`${at}.feedback`))}
              helperText={err(`${at}.feedback`)}
              fullWidth
              size="small"
              margin="dense"
            />
          </Box>
        );
      })}
      <Button onClick={() => set({ options: [...draft.options, newOption(draft.options)] })}>
        Add option
      </Button>
      {type === "multiple_choice" && (
        <Stack direction={{ xs: "column", sm: "row" }} spacing={2} sx={{ mt: 1 }}>
          <TextField
            select
            id="q-choice.scoring"
            label="Scoring"
            value={draft.scoring}
            onChange={(e) => set({ scoring: e.target.value as Draft["scoring"] })}
            error={Boolean(err("choice.scoring"))}
            helperText={err("choice.scoring")}
            sx={{ minWidth: 290 }}
            margin="dense"
          >
            <MenuItem value="all_or_nothing">All or nothing</MenuItem>
            <MenuItem value="per_option">Per option, with a penalty</MenuItem>
          </TextField>
          {draft.scoring === "per_option" &&
            text(
              "wrong_pick_penalty",
              "Penalty per wrong pick (0 to 1)",
              "choice.wrong_pick_penalty",
              {
                type: "number",
                fullWidth: false,
                helperText:
                  "Each wrong pick takes this share of the points off; the score never goes below 0.",
                slotProps: { htmlInput: { min: 0, max: 1, step: 0.05 } },
              },
            )}
        </Stack>
      )}
    </Section>
  );

  const trueFalse = (
    <Section title="Answer key">
      <FormControl>
        <FormLabel id="q-true-false-label">The statement is</FormLabel>
        <RadioGroup
          row
          aria-labelledby="q-true-false-label"
          value={draft.true_false ? "true" : "false"}
          onChange={(e) => set({ true_false: e.target.value === "true" })}
        >
          <FormControlLabel value="true" control={<Radio />} label="True" />
          <FormControlLabel value="false" control={<Radio />} label="False" />
        </RadioGroup>
      </FormControl>
      {sectionMessage("true_false")}
    </Section>
  );

  const shortAnswer = (
    <Section title="Accepted answers">
      {sectionMessage("short_answer", "short_answer.accepted", "short_answer.numeric")}
      {draft.accepted.map((answer, i) => (
        <Stack
          key={i}
          direction={{ xs: "column", sm: "row" }}
          spacing={1}
          sx={{ alignItems: { sm: "center" } }}
        >
          <TextField
            id={`q-short_answer.accepted.${i}.text`}
            label={`Accepted answer ${i + 1}`}
            value={answer.text}
            onChange={(e) => updateAt("accepted", i, { text: e.target.value })}
            error={Boolean(err(`short_answer.accepted.${i}.text`))}
            helperText={err(`short_answer.accepted.${i}.text`)}
            fullWidth
            margin="dense"
          />
          <FormControlLabel
            sx={{ whiteSpace: "nowrap" }}
            label="Case sensitive"
            control={
              <Checkbox
                checked={answer.case_sensitive}
                onChange={(e) => updateAt("accepted", i, { case_sensitive: e.target.checked })}
              />
            }
          />
          <FormControlLabel
            sx={{ whiteSpace: "nowrap" }}
            label="Ignore extra spaces"
            control={
              <Checkbox
                checked={answer.normalize_whitespace}
                onChange={(e) =>
                  updateAt("accepted", i, { normalize_whitespace: e.target.checked })
                }
              />
            }
          />
          <Button
            size="small"
            color="error"
            onClick={() => removeAt("accepted", i)}
            aria-label={`Remove accepted answer ${i + 1}`}
          >
            Remove
          </Button>
        </Stack>
      ))}
      <Button
        onClick={() =>
          set({
            accepted: [
              ...draft.accepted,
              { text: "", case_sensitive: false, normalize_whitespace: true },
            ],
          })
        }
      >
        Add accepted answer
      </Button>
      {text(
        "pattern",
        "Or a pattern the whole answer matches (regular expression)",
        "short_answer.pattern",
      )}
      <Stack direction={{ xs: "column", sm: "row" }} spacing={2}>
        {text("numeric_value", "Or a number", "short_answer.numeric.value", {
          inputMode: "decimal",
        })}
        {text("numeric_tolerance", "Tolerance (±)", "short_answer.numeric.tolerance", {
          inputMode: "decimal",
        })}
      </Stack>
    </Section>
  );

  const setRubric = (rubric: Draft["rubric"]) => set({ rubric });
  const longAnswer = (
    <Section title="Marking">
      {sectionMessage("long_answer")}
      {text("model_answer", "Model answer (markers only)", "long_answer.model_answer", {
        multiline: true,
        minRows: 3,
      })}
      {text("max_words", "Word limit", "long_answer.max_words", {
        type: "number",
        fullWidth: false,
        slotProps: { htmlInput: { min: 1 } },
      })}
      <Typography component="h3" variant="subtitle1" sx={{ mt: 2 }}>
        Rubric
      </Typography>
      {sectionMessage("long_answer.rubric")}
      {draft.rubric.map((criterion, i) => {
        const at = `long_answer.rubric.${i}`;
        const change = (c: Partial<typeof criterion>) =>
          setRubric(draft.rubric.map((x, j) => (j === i ? { ...x, ...c } : x)));
        return (
          <Paper key={criterion.criterion_id} variant="outlined" sx={{ p: 1.5, mb: 1 }}>
            <Stack direction="row" spacing={1} sx={{ alignItems: "center" }}>
              <TextField
                id={`q-${at}.title`}
                label={`Criterion ${i + 1}`}
                value={criterion.title}
                onChange={(e) => change({ title: e.target.value })}
                error={Boolean(err(`${at}.title`))}
                helperText={err(`${at}.title`)}
                fullWidth
                margin="dense"
              />
              <Button
                size="small"
                color="error"
                aria-label={`Remove criterion ${i + 1}`}
                onClick={() => setRubric(draft.rubric.filter((_, j) => j !== i))}
              >
                Remove
              </Button>
            </Stack>
            {sectionMessage(`${at}.levels`)}
            {criterion.levels.map((level, j) => {
              const changeLevel = (l: Partial<typeof level>) =>
                change({
                  levels: criterion.levels.map((x, k) => (k === j ? { ...x, ...l } : x)),
                });
              return (
                <Stack key={j} direction="row" spacing={1} sx={{ alignItems: "flex-start" }}>
                  <TextField
                    id={`q-${at}.levels.${j}.label`}
                    label={`Criterion ${i + 1} level ${j + 1}`}
                    value={level.label}
                    onChange={(e) => changeLevel({ label: e.target.value })}
                    error={Boolean(err(`${at}.levels.${j}.label`))}
                    helperText={err(`${at}.levels.${j}.label`)}
                    size="small"
                    margin="dense"
                  />
                  <TextField
                    id={`q-${at}.levels.${j}.points`}
                    label="Points"
                    type="number"
                    value={String(level.points)}
                    onChange={(e) => changeLevel({ points: Number(e.target.value) })}
                    error={Boolean(err(`${at}.levels.${j}.points`))}
                    helperText={err(`${at}.levels.${j}.points`)}
                    size="small"
                    margin="dense"
                    sx={{ width: 110 }}
                    slotProps={{
                      htmlInput: { "aria-label": `Criterion ${i + 1} level ${j + 1} points` },
                    }}
                  />
                  <IconButton
                    aria-label={`Remove criterion ${i + 1} level ${j + 1}`}
                    onClick={() => change({ levels: criterion.levels.filter((_, k) => k !== j) })}
                    sx={{ mt: 1 }}
                  >
                    ×
                  </IconButton>
                </Stack>
              );
            })}
            <Button
              size="small"
              onClick={() =>
                change({
                  levels: [...criterion.levels, { label: "", points: 0, description: "" }],
                })
              }
            >
              Add level
            </Button>
          </Paper>
        );
      })}
      <Button onClick={() => setRubric([...draft.rubric, newCriterion(draft.rubric)])}>
        Add criterion
      </Button>
    </Section>
  );

  const testRows = (kind: "sample_tests" | "hidden_tests", title: string, prefix: string) => (
    <>
      <Typography component="h3" variant="subtitle1" sx={{ mt: 2 }}>
        {title}
      </Typography>
      {sectionMessage(`coding.${kind}`)}
      {draft[kind].map((t: Required<CodeTest>, i) => {
        const at = `coding.${kind}.${i}`;
        const name = `${kind === "sample_tests" ? "Sample" : "Hidden"} test ${i + 1}`;
        return (
          <Paper key={i} variant="outlined" sx={{ p: 1.5, mb: 1 }}>
            <Stack direction={{ xs: "column", sm: "row" }} spacing={1}>
              <TextField
                id={`q-${at}.stdin`}
                label={`${name} input`}
                value={t.stdin}
                onChange={(e) => updateAt(kind, i, { stdin: e.target.value })}
                error={Boolean(err(`${at}.stdin`))}
                helperText={err(`${at}.stdin`)}
                multiline
                fullWidth
                size="small"
                margin="dense"
              />
              <TextField
                id={`q-${at}.expected_stdout`}
                label={`${name} expected output`}
                value={t.expected_stdout}
                onChange={(e) => updateAt(kind, i, { expected_stdout: e.target.value })}
                error={Boolean(err(`${at}.expected_stdout`))}
                helperText={err(`${at}.expected_stdout`)}
                multiline
                fullWidth
                size="small"
                margin="dense"
              />
            </Stack>
            <Stack direction="row" spacing={1} sx={{ alignItems: "center" }}>
              {kind === "hidden_tests" && (
                <TextField
                  id={`q-${at}.weight`}
                  label={`${name} weight`}
                  type="number"
                  value={String(t.weight)}
                  onChange={(e) => updateAt(kind, i, { weight: Number(e.target.value) })}
                  error={Boolean(err(`${at}.weight`))}
                  helperText={err(`${at}.weight`)}
                  size="small"
                  margin="dense"
                  sx={{ width: 200 }}
                />
              )}
              <Button
                size="small"
                color="error"
                aria-label={`Remove ${name.toLowerCase()}`}
                onClick={() => removeAt(kind, i)}
              >
                Remove
              </Button>
            </Stack>
          </Paper>
        );
      })}
      <Button
        onClick={() =>
          set({
            [kind]: [
              ...draft[kind],
              newTest(prefix, [...draft.sample_tests, ...draft.hidden_tests]),
            ],
          })
        }
      >
        Add {kind === "sample_tests" ? "sample" : "hidden"} test
      </Button>
    </>
  );

  const coding = (
    <Section title="Program">
      {sectionMessage("coding")}
      <Stack direction={{ xs: "column", sm: "row" }} spacing={2}>
        <TextField
          select
          id="q-coding.language"
          label="Language"
          value={draft.language}
          onChange={(e) => set({ language: e.target.value })}
          error={Boolean(err("coding.language"))}
          helperText={err("coding.language")}
          sx={{ minWidth: 160 }}
          margin="dense"
        >
          {LANGUAGES.map((l) => (
            <MenuItem key={l} value={l}>
              {l}
            </MenuItem>
          ))}
        </TextField>
        {text("time_limit_ms", "Time limit (ms)", "coding.time_limit_ms", { type: "number" })}
        {text("memory_limit_mb", "Memory limit (MB)", "coding.memory_limit_mb", {
          type: "number",
        })}
      </Stack>
      {text("starter_code", "Starter code", "coding.starter_code", {
        multiline: true,
        minRows: 4,
        slotProps: { htmlInput: { style: { fontFamily: "monospace" }, spellCheck: false } },
      })}
      {testRows("sample_tests", "Sample tests (students see them)", "s")}
      {testRows("hidden_tests", "Hidden tests (the score)", "h")}
    </Section>
  );

  return (
    <Box>
      <PageHeader
        title={
          view?.title ??
          (!questionId
            ? "New question"
            : !mayManage
              ? "Question shared with you"
              : archived
                ? "Archived question"
                : "Edit question")
        }
      >
        {saved && !view && <Chip label={`Revision ${saved.revision}`} />}
        {archived && !view && <Chip label="Archived" color="warning" />}
        {questionId && !view && (
          <>
            <Button component={RouterLink} to={`${bank}/${questionId}/history`}>
              History
            </Button>
            {mayManage && !archived && (
              <Button onClick={() => setSharing(true)}>
                Share{sharedWith.length ? ` (${sharedWith.length})` : ""}
              </Button>
            )}
            <Button onClick={() => commands.copyAndOpen(questionId)} disabled={busy}>
              Copy
            </Button>
            {mayManage && (
              <Button onClick={archiveOrRestore} disabled={busy}>
                {archived ? "Restore" : "Archive"}
              </Button>
            )}
          </>
        )}
        {view?.action}
        <Button component={RouterLink} to={view?.back.to ?? bank}>
          {view?.back.label ?? "Back to the bank"}
        </Button>
      </PageHeader>
      <Failed message={commands.problem} />
      {!view && questionId && !mayManage && (
        <Alert severity="info" sx={{ mb: 2 }}>
          This question is shared with you: you can read and copy it; only its owner changes it.
        </Alert>
      )}
      {!view && archived && mayManage && (
        <Alert severity="info" sx={{ mb: 2 }}>
          This question is archived: it is out of the bank, and exams that use it keep it. Restore
          it to change it.
        </Alert>
      )}
      <Box
        sx={{
          display: "grid",
          gap: 3,
          gridTemplateColumns: { xs: "1fr", md: "minmax(0, 3fr) minmax(0, 2fr)" },
          alignItems: "start",
        }}
      >
        <Box component="form" ref={form} onSubmit={submit} noValidate aria-label="Question">
          <Failed message={problems.general} />
          {/* Read-only: every control of the form is disabled at once. */}
          <Box
            component="fieldset"
            disabled={readOnly}
            // Adding and removing rows is editing: not offered at all when read-only.
            sx={{
              border: 0,
              p: 0,
              m: 0,
              minWidth: 0,
              "&:disabled .MuiButton-root": { display: "none" },
            }}
          >
            <Section title="Question">
              <TextField
                select
                id="q-question_type"
                label="Type"
                value={type}
                onChange={(e) =>
                  setDraft((d) => withType(d, e.target.value as Draft["question_type"]))
                }
                error={Boolean(err("question_type"))}
                helperText={err("question_type")}
                margin="dense"
                sx={{ minWidth: 220 }}
              >
                {TYPES.map((t) => (
                  <MenuItem key={t.value} value={t.value}>
                    {t.label}
                  </MenuItem>
                ))}
              </TextField>
              {text("stem", "Question text", "stem", {
                multiline: true,
                minRows: 3,
                required: true,
              })}
            </Section>
            {(type === "single_choice" || type === "multiple_choice") && choice}
            {type === "true_false" && trueFalse}
            {type === "short_answer" && shortAnswer}
            {type === "long_answer" && longAnswer}
            {type === "coding" && coding}
            <Section title="Bank details">
              <Stack direction={{ xs: "column", sm: "row" }} spacing={2}>
                <TextField
                  select
                  id="q-difficulty"
                  label="Difficulty"
                  value={draft.difficulty}
                  onChange={(e) => set({ difficulty: e.target.value })}
                  error={Boolean(err("difficulty"))}
                  helperText={err("difficulty")}
                  margin="dense"
                  sx={{ minWidth: 160 }}
                >
                  {DIFFICULTIES.map((d) => (
                    <MenuItem key={d} value={d}>
                      {d}
                    </MenuItem>
                  ))}
                </TextField>
                {text("estimated_minutes", "Estimated minutes", "estimated_minutes", {
                  type: "number",
                  slotProps: { htmlInput: { min: 1, max: 600 } },
                })}
              </Stack>
              {text("tags", "Tags (comma separated)", "tags", {
                error: Boolean(tagProblem),
                helperText: tagProblem,
              })}
              {text("topic", "Topic", "topic")}
            </Section>
          </Box>
          <Section title="Images and audio">
            <MediaAttachments
              mediaIds={draft.media_ids}
              onChange={(media_ids) => set({ media_ids })}
              descriptions={draft.media_alt}
              onDescribe={(id, text) =>
                setDraft((d) => {
                  const media_alt = { ...d.media_alt };
                  if (text === undefined) delete media_alt[id];
                  else media_alt[id] = text;
                  return { ...d, media_alt };
                })
              }
              descriptionProblem={(id) => err(`media_alt.${id}`)}
              problem={mediaProblem}
              readOnly={readOnly}
            />
          </Section>
          {!readOnly && (
            <Stack direction="row" spacing={2} sx={{ mt: 2 }}>
              <Button type="submit" variant="contained" disabled={busy}>
                {questionId ? "Save a new revision" : "Save question"}
              </Button>
              <Button component={RouterLink} to={bank}>
                Cancel
              </Button>
            </Stack>
          )}
        </Box>
        <QuestionPreview draft={draft} />
      </Box>
      <Snackbar open={Boolean(notice)} autoHideDuration={5000} onClose={() => setNotice(null)}>
        <Alert severity="success" onClose={() => setNotice(null)} role="status">
          {notice}
        </Alert>
      </Snackbar>
      {questionId && sharing && (
        <ShareDialog
          open
          questionId={questionId}
          sharedWith={sharedWith}
          onClose={() => setSharing(false)}
          onChanged={(result) => {
            setSaved({ ...result }); // sharing moves the version on: the next If-Match
            onChanged?.();
          }}
        />
      )}
    </Box>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  const id = `section-${title.replace(/\W+/g, "-").toLowerCase()}`;
  return (
    <Box component="section" aria-labelledby={id} sx={{ mb: 3 }}>
      <Typography id={id} component="h2" variant="h6" gutterBottom>
        {title}
      </Typography>
      {children}
    </Box>
  );
}
